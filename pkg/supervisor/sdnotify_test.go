package supervisor

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// listenNotify listens like systemd does on a unixgram socket and returns
// the datagrams it receives.
func listenNotify(t *testing.T, name string) <-chan string {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen %s: %v", name, err)
	}
	msgs := make(chan string, 16)
	go func() {
		defer close(msgs)
		buf := make([]byte, 4096)
		for {
			n, _, err := conn.ReadFromUnix(buf)
			if err != nil {
				return
			}
			msgs <- string(buf[:n])
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return msgs
}

func nextMsg(t *testing.T, msgs <-chan string) string {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no notify message")
		return ""
	}
}

func socketPath(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "notify.sock")
	if len(path) >= 108 { // sun_path
		path = filepath.Join(os.TempDir(), fmt.Sprintf("kn-notify-%d.sock", os.Getpid()))
		t.Cleanup(func() { os.Remove(path) })
	}
	return path
}

func TestSdNotifyThroughRun(t *testing.T) {
	path := socketPath(t)
	msgs := listenNotify(t, path)
	t.Setenv("NOTIFY_SOCKET", path)
	rec := &recorder{}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := New(Options{}) // the default Notify is SdNotify
	m.Add(rec.fake("a"))
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	if got := nextMsg(t, msgs); got != "READY=1" {
		t.Fatalf("first message = %q, want READY=1", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if got := nextMsg(t, msgs); got != "STOPPING=1" {
		t.Errorf("second message = %q, want STOPPING=1", got)
	}
}

func TestSdNotifyAbstractSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("abstract sockets are Linux only")
	}
	name := fmt.Sprintf("@kubenode-supervisor-test-%d", os.Getpid())
	msgs := listenNotify(t, name)
	t.Setenv("NOTIFY_SOCKET", name)
	if err := SdNotify("READY=1"); err != nil {
		t.Fatalf("SdNotify = %v", err)
	}
	if got := nextMsg(t, msgs); got != "READY=1" {
		t.Errorf("message = %q, want READY=1", got)
	}
}

func TestSdNotifyUnsetIsNoop(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := SdNotify("READY=1"); err != nil {
		t.Errorf("SdNotify without NOTIFY_SOCKET = %v, want nil", err)
	}
}

func TestSdNotifyNoListener(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "missing.sock"))
	err := SdNotify("READY=1")
	if err == nil || !strings.Contains(err.Error(), `sd_notify "READY=1"`) {
		t.Errorf("SdNotify to a missing socket = %v, want an sd_notify error", err)
	}
}

// Embedded kube-apiserver unsets NOTIFY_SOCKET; a notifier taken before
// must still reach systemd, and nobody else may see the variable.
func TestNotifierFromEnvOwnsTheSocket(t *testing.T) {
	path := socketPath(t)
	msgs := listenNotify(t, path)
	t.Setenv("NOTIFY_SOCKET", path)
	notify := NotifierFromEnv()
	if v, ok := os.LookupEnv("NOTIFY_SOCKET"); ok {
		t.Fatalf("NOTIFY_SOCKET still set to %q", v)
	}
	os.Unsetenv("NOTIFY_SOCKET") // what the apiserver does
	for _, want := range []string{"READY=1", "STOPPING=1"} {
		if err := notify(want); err != nil {
			t.Fatal(err)
		}
		if got := nextMsg(t, msgs); got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	}
}
