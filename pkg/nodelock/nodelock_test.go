package nodelock

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecondHolderIsRefusedWithThePID(t *testing.T) {
	root := t.TempDir()
	data, run := filepath.Join(root, "data"), filepath.Join(root, "run")
	l, err := Node(data, run, "kubenode primary")
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file, so a second open in this
	// process conflicts as another process would.
	_, err = Node(data, filepath.Join(root, "run2"), "kubenode reset")
	want := fmt.Sprintf("data dir %s is in use by kubenode PID %d (kubenode primary, since ", data, os.Getpid())
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "stop it first, or use another --data-dir") {
		t.Fatalf("second lock of the data dir: %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(root, "run2")); !os.IsNotExist(err) {
		t.Fatalf("the refused command left its run dir: %v", err)
	}
	_, err = Node(filepath.Join(root, "data2"), run, "kubenode images import")
	if err == nil || !strings.Contains(err.Error(), "run dir "+run+" is in use by kubenode PID") || !strings.Contains(err.Error(), "--run-dir") {
		t.Fatalf("second lock of the run dir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "data2")); !os.IsNotExist(err) {
		t.Fatalf("a refused run dir left the data dir it created: %v", err)
	}
	l.Release()
	l2, err := Node(data, run, "kubenode primary")
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	l2.Release()
}

func TestSameDirIsLockedOnce(t *testing.T) {
	dir := t.TempDir()
	l, err := Node(dir, dir+"/", "kubenode primary")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if len(l.held) != 1 {
		t.Fatalf("held %d locks, want 1", len(l.held))
	}
}

// A process killed with SIGKILL holds nothing: the kernel drops its lock.
func TestLockEndsWithTheProcess(t *testing.T) {
	if os.Getenv("NODELOCK_HOLD") != "" {
		if _, err := Node(os.Getenv("NODELOCK_HOLD"), os.Getenv("NODELOCK_HOLD"), "holder"); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("locked")
		select {}
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockEndsWithTheProcess$")
	cmd.Env = append(os.Environ(), "NODELOCK_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("holder: %q %v", buf, err)
	}
	_, err = Node(dir, dir, "kubenode primary")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("PID %d (holder, since", cmd.Process.Pid)) {
		t.Fatalf("while the holder runs: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Node(dir, dir, "kubenode primary")
	if err != nil {
		t.Fatalf("after SIGKILL of the holder: %v", err)
	}
	l.Release()
}

func TestReleaseRemovesOnlyWhatItCreatedAndLeftEmpty(t *testing.T) {
	root := t.TempDir()
	// Created, and only an empty directory was made inside: removed, up
	// to the highest directory Node created.
	data := filepath.Join(root, "a", "b", "data")
	l, err := Node(data, data, "x")
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(data, "pki"), 0o700)
	l.Release()
	if _, err := os.Stat(filepath.Join(root, "a")); !os.IsNotExist(err) {
		t.Fatalf("created dirs left behind: %v", err)
	}
	// Created, with a file written: kept.
	l, err = Node(data, data, "x")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(data, "state"), nil, 0o600)
	l.Release()
	if _, err := os.Stat(filepath.Join(data, "state")); err != nil {
		t.Fatalf("state removed: %v", err)
	}
	// Existing and empty: kept, with the lock file.
	existing := t.TempDir()
	l, err = Node(existing, existing, "x")
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
	if _, err := os.Stat(filepath.Join(existing, FileName)); err != nil {
		t.Fatalf("lock file of an existing dir removed: %v", err)
	}
}

func TestNotWritable(t *testing.T) {
	_, err := Node("/proc/kubenode-test/data", "/proc/kubenode-test/run", "x")
	if err == nil || !strings.Contains(err.Error(), "data dir /proc/kubenode-test/data is not writable") {
		t.Fatalf("got %v", err)
	}
}
