package node

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/kubenode/kubenode/pkg/components/crio"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/internal/procfs"
)

func TestShutdownRequest(t *testing.T) {
	c := &crio.CRIO{KeepPods: true}
	n := &networkPhase{}
	n.keep.Store(true)
	ctx, s := newShutdowner(context.Background(), c, n, logr.Discard())
	if err := s.request(); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() == nil || c.KeepPods || n.keep.Load() {
		t.Fatalf("after the request: node context %v, CRI-O keeps pods %v, network kept %v; want cancelled, false, false", ctx.Err(), c.KeepPods, n.keep.Load())
	}
	if err := s.result(nil); !errors.Is(err, ErrShutdown) {
		t.Fatalf("result %v, want ErrShutdown", err)
	}

	// A node already stopping for a signal may have kept its pods: the
	// request is refused and changes nothing.
	signalled, cancel := context.WithCancel(context.Background())
	cancel()
	c2 := &crio.CRIO{KeepPods: true}
	_, s2 := newShutdowner(signalled, c2, n, logr.Discard())
	if err := s2.request(); err == nil || !strings.Contains(err.Error(), "kubenode reset") {
		t.Fatalf("request while stopping: %v, want a refusal naming reset", err)
	}
	if !c2.KeepPods || s2.result(nil) != nil {
		t.Fatalf("a refused request changed the stop: keep pods %v, result %v", c2.KeepPods, s2.result(nil))
	}
}

func TestShutdownOverStatusSocket(t *testing.T) {
	cfg := &config.Config{RunDir: t.TempDir()}
	ctx := context.Background()
	if err := Shutdown(ctx, cfg, time.Second); err == nil || !strings.Contains(err.Error(), "no kubenode node runs with run dir") {
		t.Fatalf("shutdown without a node: %v", err)
	}
	stop, err := serveStatus(StatusSocket(cfg), func() Status { return Status{} }, func() error { return errors.New("already stopping") })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := Shutdown(ctx, cfg, time.Second); err == nil || !strings.Contains(err.Error(), "refused the shutdown: already stopping") {
		t.Fatalf("refused shutdown: %v", err)
	}
}

// exited counts a zombie (an exited child its parent has not waited for,
// as a test harness or systemd may leave it briefly) as exited.
func TestExited(t *testing.T) {
	if procfs.Ended(os.Getpid()) {
		t.Fatal("this process counted as exited")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for !procfs.Ended(cmd.Process.Pid) {
		if time.Now().After(deadline) {
			t.Fatal("an exited child (a zombie) not counted as exited")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
