// Package nodelock keeps a second kubenode process off a node's state: every
// command that writes to a node's data or run dir (primary, worker, reset,
// images import; later etcd snapshot restore) holds an exclusive flock on
// kubenode.lock in both dirs for as long as it runs. A second process that
// finds them taken fails at once, naming the PID that holds them, before it
// has written anything: otherwise it would re-issue certificates and
// kubeconfigs for its own addresses under the running node (which
// hot-reloads them) and remove the running node's sockets.
//
// The kernel drops a flock when the process ends, however it ends (SIGKILL
// and OOM kills included), so a lock is never stale; the PID written into
// the file is only there to say who holds it.
package nodelock

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// FileName is the lock file in the data dir and in the run dir.
const FileName = "kubenode.lock"

// InUseError is the error of a lock that another process holds.
type InUseError struct{ msg string }

func (e *InUseError) Error() string { return e.msg }

// Lock holds a node's dirs until Release or the end of the process.
type Lock struct {
	held []*heldDir
}

type heldDir struct {
	f   *os.File
	dir string
	// top is the highest directory this process created to make dir (""
	// when dir existed): Release removes it again while it holds nothing.
	top string
}

// Node locks the data dir, then the run dir (once when they are the same
// directory), for command (e.g. "kubenode primary"), creating them (0700)
// when missing.
func Node(dataDir, runDir, command string) (*Lock, error) {
	l := &Lock{}
	for _, d := range []struct{ dir, what, flag string }{
		{dataDir, "data dir", "--data-dir"},
		{runDir, "run dir", "--run-dir"},
	} {
		if len(l.held) > 0 && sameDir(l.held[0].dir, d.dir) {
			continue
		}
		h, err := lockDir(d.dir, d.what, d.flag, command)
		if err != nil {
			l.Release()
			return nil, err
		}
		l.held = append(l.held, h)
	}
	return l, nil
}

// Release unlocks. A dir that this process created and that holds nothing
// but the lock file and empty directories (a command that failed before it
// wrote anything) is removed again, so bad input leaves no trace.
func (l *Lock) Release() {
	if l == nil {
		return
	}
	for i := len(l.held) - 1; i >= 0; i-- {
		h := l.held[i]
		// Tidy while still holding the lock; whoever opened the file
		// meanwhile finds it unlinked after locking it, and retries.
		if h.top != "" && onlyEmptyDirs(h.dir) {
			os.Remove(filepath.Join(h.dir, FileName))
			removeEmpty(h.dir, h.top)
		}
		h.f.Close()
	}
	l.held = nil
}

func lockDir(dir, what, flag, command string) (*heldDir, error) {
	path := filepath.Join(dir, FileName)
	for attempt := 0; ; attempt++ {
		top, err := mkdirAll(dir)
		if err != nil {
			return nil, fmt.Errorf("%s %s is not writable (%v): run as root or choose another directory (%s)", what, dir, err, flag)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("%s %s is not writable (%v): run as root or choose another directory (%s)", what, dir, err, flag)
		}
		if err := flock(f); err != nil {
			holder := readHolder(f)
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, &InUseError{fmt.Sprintf("%s %s is in use by %s: stop it first, or use another %s", what, dir, holder, flag)}
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		// The holder before us may have removed the file (Release of a
		// dir it created) after we opened it: lock the file at path.
		if !samePath(f, path) {
			f.Close()
			if attempt > 10 {
				return nil, fmt.Errorf("lock %s: the file keeps being replaced; is another kubenode starting on %s?", path, dir)
			}
			continue
		}
		if err := writeHolder(f, command); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return &heldDir{f: f, dir: dir, top: top}, nil
	}
}

func flock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// writeHolder records who holds the lock, for the message of the next
// process that cannot take it: "PID\nCOMMAND\nSINCE\n".
func writeHolder(f *os.File, command string) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(fmt.Sprintf("%d\n%s\n%s\n", os.Getpid(), command, time.Now().UTC().Format(time.RFC3339))), 0)
	return err
}

// readHolder describes the holder from what it wrote into the file.
func readHolder(f *os.File) string {
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, 4096))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 {
		// It has just locked and not yet written, or an older kubenode.
		return "another kubenode process"
	}
	s := fmt.Sprintf("kubenode PID %d", pid)
	var about []string
	if len(lines) > 1 && lines[1] != "" {
		about = append(about, lines[1])
	}
	if len(lines) > 2 && lines[2] != "" {
		about = append(about, "since "+lines[2])
	}
	if len(about) > 0 {
		s += " (" + strings.Join(about, ", ") + ")"
	}
	return s
}

// mkdirAll makes dir (0700) and returns the highest directory it created,
// or "" when dir existed.
func mkdirAll(dir string) (string, error) {
	top := ""
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		top = p
		if filepath.Dir(p) == p {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return top, nil
}

func samePath(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return os.SameFile(sa, sb)
}

// onlyEmptyDirs reports whether dir holds nothing but its lock file and
// directories without files.
func onlyEmptyDirs(dir string) bool {
	empty := true
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && p != filepath.Join(dir, FileName) {
			empty = false
			return filepath.SkipAll
		}
		return nil
	})
	return err == nil && empty
}

// removeEmpty removes dir's empty subdirectories, dir, and its empty parents
// up to top.
func removeEmpty(dir, top string) {
	var dirs []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i])
	}
	for p := filepath.Dir(filepath.Clean(dir)); len(p) >= len(top) && p != filepath.Dir(p); p = filepath.Dir(p) {
		if os.Remove(p) != nil {
			break
		}
	}
}
