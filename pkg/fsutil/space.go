package fsutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Space is what a filesystem has left, as an unprivileged process may use it.
type Space struct {
	Mount      string // where the filesystem is mounted
	Type       string // from /proc/self/mountinfo; empty if not found
	Free       uint64 // bytes available to non-root users (statfs f_bavail)
	Size       uint64 // bytes
	FreeInodes uint64 // 0 with Inodes 0: the filesystem does not count them
	Inodes     uint64
}

// FreeFraction is Free/Size, 0 for a filesystem without a size.
func (s Space) FreeFraction() float64 {
	if s.Size == 0 {
		return 0
	}
	return float64(s.Free) / float64(s.Size)
}

// String is "MOUNT (TYPE): F MiB free of S MiB (P%)".
func (s Space) String() string {
	t := ""
	if s.Type != "" {
		t = " (" + s.Type + ")"
	}
	return fmt.Sprintf("%s%s: %s free of %s (%d%%)", s.Mount, t, Bytes(s.Free), Bytes(s.Size), int(100*s.FreeFraction()))
}

// Bytes formats n in MiB, or GiB from 10 GiB on.
func Bytes(n uint64) string {
	if n >= 10<<30 {
		return fmt.Sprintf("%d GiB", n>>30)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

// SpaceOf reports the filesystem that holds path, or would hold it: a path
// that does not exist yet is looked up at its nearest existing ancestor.
func SpaceOf(path string) (Space, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return Space{}, err
	}
	for {
		if _, err := os.Stat(p); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) || filepath.Dir(p) == p {
			return Space{}, err
		}
		p = filepath.Dir(p)
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(p, &fs); err != nil {
		return Space{}, fmt.Errorf("statfs %s: %w", p, err)
	}
	bsize := uint64(fs.Bsize)
	s := Space{
		Free: fs.Bavail * bsize, Size: fs.Blocks * bsize,
		FreeInodes: fs.Ffree, Inodes: fs.Files,
	}
	s.Mount = mountPoint(p)
	s.Type = mountType(s.Mount)
	return s, nil
}

// mountPoint walks up from p while the device stays the same.
func mountPoint(p string) string {
	dev := func(p string) (uint64, bool) {
		var st syscall.Stat_t
		if syscall.Stat(p, &st) != nil {
			return 0, false
		}
		return st.Dev, true
	}
	d, ok := dev(p)
	if !ok {
		return p
	}
	for p != "/" {
		parent := filepath.Dir(p)
		if pd, ok := dev(parent); !ok || pd != d {
			return p
		}
		p = parent
	}
	return p
}

// mountType finds mount's filesystem type in /proc/self/mountinfo (the
// last entry for it is the one on top).
func mountType(mount string) string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	t := ""
	for _, line := range strings.Split(string(data), "\n") {
		// ID PARENT MAJ:MIN ROOT MOUNT OPTS [OPTIONAL...] - TYPE SOURCE SUPER
		before, after, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(before), strings.Fields(after)
		if ok && len(f) >= 5 && len(g) >= 1 && unescapeMount(f[4]) == mount {
			t = g[0]
		}
	}
	return t
}

// unescapeMount undoes mountinfo's octal escapes of space, tab, newline
// and backslash.
func unescapeMount(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}
