package pki

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Expiring lists the certificates that expire within window of now, one
// line each with the date: the given files (missing ones are skipped) and
// every *.crt under dirs. An unreadable certificate is listed too.
func Expiring(files, dirs []string, now time.Time, window time.Duration) []string {
	files = slices.Clone(files)
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(path, ".crt") {
				files = append(files, path)
			}
			return nil
		})
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		cert, err := ParseCertPEM(data)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: unreadable: %v", f, err))
			continue
		}
		left := cert.NotAfter.Sub(now)
		switch {
		case left <= 0:
			out = append(out, fmt.Sprintf("%s expired %s", f, cert.NotAfter.UTC().Format(time.DateOnly)))
		case left < window:
			out = append(out, fmt.Sprintf("%s expires %s (in %d days)", f, cert.NotAfter.UTC().Format(time.DateOnly), int(left.Hours()/24)))
		}
	}
	return out
}
