package netsetup

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// The wgctrl client's thread has a mount namespace of its own; that
// namespace must never become what /proc/self shows the process, as it
// does when the thread is the main one. Goroutines land on the main
// thread often (the first client did, in every run here without the fix);
// 200 clients make a miss unlikely.
func TestWGClientKeepsProcessMountNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (a private mount namespace for the socket dir)")
	}
	want, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		c, err := newWGClient(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.Readlink("/proc/self/ns/mnt")
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("client %d: /proc/self/ns/mnt is %s, was %s: the client's thread unshared its mount namespace on the main thread", i+1, got, want)
		}
	}
}

func TestGoOffMainThread(t *testing.T) {
	for i := 0; i < 500; i++ {
		tid := make(chan int)
		goOffMainThread(func() { tid <- unix.Gettid() })
		if got := <-tid; got == unix.Getpid() {
			t.Fatalf("run %d: f ran on the main thread", i+1)
		}
	}
}
