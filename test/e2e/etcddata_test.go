package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPrimaryDamagedEtcdData checks that damaged etcd data and a full disk
// end the start with an error that names the file or filesystem and the way
// out, never with a Go panic or a hang, and that what had started stops.
func TestPrimaryDamagedEtcdData(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	h.ensureRuntimeConfig()
	etcdDir := filepath.Join(h.dataDir(), "etcd")
	db := filepath.Join(etcdDir, "member", "snap", "db")
	walDir := filepath.Join(etcdDir, "member", "wal")
	pristine := filepath.Join(h.root, "etcd.pristine")

	// Once the apiserver is ready it has written its bootstrap objects, so
	// etcd's db holds a few hundred raft entries, as on any real node.
	p := h.start(append([]string{"primary"}, h.nodeArgs()...)...)
	p.waitLog(`"component ready" component="kube-apiserver"`, readyTimeout)
	// A stop during the start of a later component exits 1; it must end.
	if _, err := p.stop(20 * time.Second); err != nil && strings.Contains(err.Error(), "killed") {
		t.Fatalf("first stop: %v\n%s", err, p.tail(30))
	}
	sh(t, "cp", "-a", "--sparse=always", etcdDir, pristine)
	restore := func(t *testing.T) {
		t.Helper()
		os.RemoveAll(etcdDir)
		sh(t, "cp", "-a", "--sparse=always", pristine, etcdDir)
	}

	t.Run("random bytes in the db", func(t *testing.T) {
		restore(t)
		st, err := os.Stat(db)
		if err != nil {
			t.Fatal(err)
		}
		scribble(t, db, st.Size())
		out := failedStart(t, h, 90*time.Second, h.nodeArgs()...)
		mustContain(t, out, "database "+db+" is damaged", "mv "+etcdDir+" ")
		// Found before anything started: no network, no CRI-O.
		if strings.Contains(out, `"component ready" component="network"`) {
			t.Errorf("the network was set up before the check:\n%s", out)
		}
	})

	t.Run("WAL cut to 1000 bytes", func(t *testing.T) {
		restore(t)
		files, _ := filepath.Glob(filepath.Join(walDir, "*.wal"))
		if len(files) == 0 {
			t.Fatalf("no WAL file in %s", walDir)
		}
		if err := os.Truncate(files[len(files)-1], 1000); err != nil {
			t.Fatal(err)
		}
		out := failedStart(t, h, 90*time.Second, h.nodeArgs()...)
		mustContain(t, out, "WAL in "+walDir+" is damaged", "cut short", "mv "+etcdDir+" ")
	})

	t.Run("SIGTERM while etcd waits for its db stops the network", func(t *testing.T) {
		restore(t)
		// A reader such as `bbolt check` holds a shared lock: etcd waits
		// for its exclusive one and never finishes its start.
		f, err := os.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
			t.Fatal(err)
		}
		p := h.start(append([]string{"primary"}, h.nodeArgs()...)...)
		p.waitLog(`"component ready" component="network"`, readyTimeout)
		// The check at Init has closed the db again; an open db now is
		// etcd's, waiting for the lock.
		waitOpen(t, p.cmd.Process.Pid, db, 30*time.Second)
		if strings.Contains(p.output(), `"component ready" component="etcd"`) {
			t.Fatalf("etcd got ready despite the lock:\n%s", p.tail(20))
		}
		took, err := p.stop(30 * time.Second)
		t.Logf("stop after SIGTERM: %s, %v", took.Round(time.Millisecond), err)
		out := p.output()
		if err != nil && strings.Contains(err.Error(), "killed") {
			t.Fatalf("kubenode did not end after SIGTERM:\n%s", p.tail(30))
		}
		t.Logf("last lines:\n%s", p.tail(8))
		mustContain(t, out, `"component stopped" component="network"`)
		// CRI-O starts with the apiserver, once etcd is ready.
		if strings.Contains(out, `"component ready" component="crio"`) || strings.Contains(out, `"component stopped" component="crio"`) {
			t.Errorf("CRI-O started before etcd was ready:\n%s", p.tail(20))
		}
		noPanic(t, out)
	})

	t.Run("data dir on a nearly full filesystem", func(t *testing.T) {
		mnt := filepath.Join(h.root, "small")
		if err := os.Mkdir(mnt, 0o700); err != nil {
			t.Fatal(err)
		}
		sh(t, "mount", "-t", "tmpfs", "-o", "size=32m,mode=0700", "kubenode-e2e", mnt)
		t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
		data := filepath.Join(mnt, "data")
		args := []string{"--data-dir", data, "--run-dir", h.runDir(), "--config", filepath.Join(h.root, "config.yaml")}
		out := failedStart(t, h, 90*time.Second, args...)
		mustContain(t, out, "not enough free space for the data dir "+data, mnt+" (tmpfs): ", "MiB free of 32 MiB", "needs at least")
		if fileExists(data) {
			t.Errorf("%s was created despite the refusal", data)
		}

		// Above the minimum but below 1 GiB: a warning before anything else.
		sh(t, "mount", "-o", "remount,size=300m", mnt)
		p := h.start(append([]string{"primary"}, args...)...)
		p.waitLog("free space low for the node's data", 30*time.Second)
		if _, err := p.stop(30 * time.Second); err != nil {
			t.Logf("stop: %v", err)
		}
		mustContain(t, p.output(), mnt+" (tmpfs)")
	})
}

// failedStart runs a primary with args that must fail within timeout, and
// checks that it failed as a program, not as a Go panic, and left no process.
func failedStart(t *testing.T, h *host, timeout time.Duration, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := h.command(ctx, append([]string{"primary"}, args...)...)
	begin := time.Now()
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	t.Logf("start failed after %s: %v; last lines:\n%s", time.Since(begin).Round(time.Millisecond), err, tail(out, 3))
	if ctx.Err() != nil {
		t.Fatalf("kubenode primary did not end within %s:\n%s", timeout, tail(out, 30))
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("kubenode primary: %v, want a non-zero exit:\n%s", err, tail(out, 30))
	}
	if ee.ExitCode() == 2 {
		t.Errorf("exit code 2 (a Go panic's)")
	}
	noPanic(t, out)
	if left := processesInGroup(cmd.Process.Pid); len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}
	return out
}

func noPanic(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{"panic:", "goroutine "} {
		if strings.Contains(out, s) {
			t.Errorf("output contains %q:\n%s", s, tail(out, 40))
		}
	}
}

func mustContain(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(out, s) {
			t.Errorf("output does not contain %q:\n%s", s, tail(out, 40))
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// scribble overwrites the first n bytes of path with random ones.
func scribble(t *testing.T, path string, n int64) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, 0); err != nil {
		t.Fatal(fmt.Errorf("scribble %s: %w", path, err))
	}
}

// waitOpen waits until process pid has path open.
func waitOpen(t *testing.T, pid int, path string, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
		for _, fd := range fds {
			if target, err := os.Readlink(fd); err == nil && target == path {
				return
			}
		}
	}
	t.Fatalf("process %d did not open %s within %s", pid, path, timeout)
}
