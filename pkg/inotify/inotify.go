// Package inotify tells how many inotify instances a user has left. Each
// fsnotify watcher in the node process (CRI-O, the kubelet, certificate
// reloaders) is one instance, and the kernel allows a user
// fs.inotify.max_user_instances of them (128 by default) across all its
// processes; past that, a component fails at start with "too many open
// files".
package inotify

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// What an idle node process holds, measured (ls -l /proc/PID/fd | grep -c
// inotify): CRI-O's CNI config and exit watchers, the kubelet's (cAdvisor
// twice, plugin registry, FlexVolume dir, client CA), kube-proxy's config
// file, and on the primary the controller-manager's three CSR signers and
// FlexVolume dir and the apiserver's front-proxy files (the request-header
// CA twice, the proxy client certificate; upstream offers no way to load
// them once). Each kubectl logs -f adds one while it streams: a node needs
// Spare more.
const (
	PrimaryIdle  = 15
	WorkerIdle   = 8
	Spare        = 4
	PrimaryNeeds = PrimaryIdle + Spare
	WorkerNeeds  = WorkerIdle + Spare
)

// Sysctl is the limit's name.
const Sysctl = "fs.inotify.max_user_instances"

// Usage is a user's inotify instances: in use and allowed.
type Usage struct {
	Used, Max int
}

// Free is how many more the user may open.
func (u Usage) Free() int { return u.Max - u.Used }

// Report says how many instances are used and allowed, and whether a node
// process still fits; when it does not, how to raise the limit.
func (u Usage) Report() (string, bool) {
	line := fmt.Sprintf("%d of %d instances in use (%s); a primary takes %d, a worker %d", u.Used, u.Max, Sysctl, PrimaryNeeds, WorkerNeeds)
	if u.Free() >= PrimaryNeeds {
		return line, true
	}
	return fmt.Sprintf("%s: only %d left; raise it: sysctl -w %s=%d (and in /etc/sysctl.d/ to keep it)",
		line, max(u.Free(), 0), Sysctl, max(512, u.Max+2*PrimaryNeeds)), false
}

// Read counts the inotify instances that processes of uid hold (links to
// anon_inode:inotify in /proc/PID/fd) under procDir ("/proc"), and reads
// the limit.
func Read(procDir string, uid int) (Usage, error) {
	var u Usage
	b, err := os.ReadFile(filepath.Join(procDir, "sys/fs/inotify/max_user_instances"))
	if err != nil {
		return u, err
	}
	if u.Max, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
		return u, fmt.Errorf("%s: %w", Sysctl, err)
	}
	entries, err := os.ReadDir(procDir)
	if err != nil {
		return u, err
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		dir := filepath.Join(procDir, e.Name())
		st, err := os.Stat(dir)
		if err != nil {
			continue // gone
		}
		if s, ok := st.Sys().(*syscall.Stat_t); !ok || int(s.Uid) != uid {
			continue
		}
		u.Used += Count(filepath.Join(dir, "fd"))
	}
	return u, nil
}

// Count is the number of inotify instances among the fd links in fdDir
// (/proc/PID/fd).
func Count(fdDir string) int {
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		return 0
	}
	n := 0
	for _, fd := range fds {
		if t, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && t == "anon_inode:inotify" {
			n++
		}
	}
	return n
}
