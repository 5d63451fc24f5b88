// Package procfs reads what kubenode needs of /proc.
package procfs

import (
	"os"
	"strconv"
	"strings"
)

// Ended tells whether process pid no longer runs: no such process, or a
// zombie (or dead) one waiting for its parent.
func Ended(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// "pid (comm) STATE ...": comm may itself hold spaces and ") ".
	s := string(data)
	if i := strings.LastIndex(s, ") "); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z' || s[i+2] == 'X'
	}
	return false
}
