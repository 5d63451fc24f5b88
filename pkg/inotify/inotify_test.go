package inotify

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestRead(t *testing.T) {
	proc := t.TempDir()
	mk := func(p, target string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target == "" {
			os.WriteFile(p, []byte("128\n"), 0o644)
			return
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	mk(filepath.Join(proc, "sys/fs/inotify/max_user_instances"), "")
	for i, target := range []string{"anon_inode:inotify", "anon_inode:inotify", "socket:[1]", "/dev/null"} {
		mk(filepath.Join(proc, "10", "fd", string(rune('0'+i))), target)
	}
	mk(filepath.Join(proc, "11", "fd", "3"), "anon_inode:inotify")
	mk(filepath.Join(proc, "self", "fd", "3"), "anon_inode:inotify") // not a PID
	u, err := Read(proc, os.Getuid())
	if err != nil {
		t.Fatal(err)
	}
	if u.Used != 3 || u.Max != 128 || u.Free() != 125 {
		t.Fatalf("got %+v, want 3 of 128 used", u)
	}
	if u, _ := Read(proc, os.Getuid()+1); u.Used != 0 {
		t.Fatalf("another user's count: %+v, want 0 used", u)
	}
}

// Count sees an instance this process opens, in the real /proc.
func TestCountLive(t *testing.T) {
	before := Count("/proc/self/fd")
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		t.Skip(err)
	}
	defer unix.Close(fd)
	if got := Count("/proc/self/fd"); got != before+1 {
		t.Fatalf("Count = %d after opening one, want %d", got, before+1)
	}
}

func TestReport(t *testing.T) {
	if line, ok := (Usage{Used: 10, Max: 128}).Report(); !ok || line != fmt.Sprintf("10 of 128 instances in use (fs.inotify.max_user_instances); a primary takes %d, a worker %d", PrimaryNeeds, WorkerNeeds) {
		t.Errorf("plenty left: %q, %v", line, ok)
	}
	line, ok := (Usage{Used: 120, Max: 128}).Report()
	if ok || !strings.Contains(line, "only 8 left; raise it: sysctl -w fs.inotify.max_user_instances=512") {
		t.Errorf("near the limit: %q, %v", line, ok)
	}
	if line, ok := (Usage{Used: 130, Max: 128}).Report(); ok || !strings.Contains(line, "only 0 left") {
		t.Errorf("over the limit: %q, %v", line, ok)
	}
}
