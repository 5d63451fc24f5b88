package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// MountsUnder lists the mount points at or below dir (symlinks in dir
// resolved), deepest first, in this process's mount namespace.
func MountsUnder(dir string) ([]string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	infos, err := mountinfo.GetMounts(mountinfo.PrefixFilter(real))
	if err != nil {
		return nil, err
	}
	var points []string
	for _, m := range infos {
		points = append(points, m.Mountpoint)
	}
	// Deepest first; a point mounted twice is listed twice.
	sort.SliceStable(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	return points, nil
}

// UnmountUnder unmounts everything at or below dir, deepest first, and
// returns the mount points it unmounted. Unmounts are lazy (MNT_DETACH): a
// file still open there does not stop the directory from leaving the
// namespace. A missing dir has nothing mounted.
func UnmountUnder(dir string) ([]string, error) {
	points, err := MountsUnder(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var done []string
	for _, p := range points {
		if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && err != unix.EINVAL {
			return done, fmt.Errorf("unmount %s: %w", p, err)
		}
		done = append(done, p)
	}
	return done, nil
}
