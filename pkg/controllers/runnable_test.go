package controllers

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
)

// loop is a Runnable made of a function.
type loop struct {
	name  string
	run   func(ctx context.Context, clients Clients) error
	ready func() error
}

func (l *loop) Name() string                                   { return l.name }
func (l *loop) Run(ctx context.Context, clients Clients) error { return l.run(ctx, clients) }
func (l *loop) Ready() error {
	if l.ready != nil {
		return l.ready()
	}
	return nil
}

func startRunnables(t *testing.T, client kubernetes.Interface, rs ...Runnable) *Host {
	t.Helper()
	h := &Host{Clients: map[Identity]kubernetes.Interface{NodeIdentity: client}, Log: logr.Discard()}
	for _, r := range rs {
		h.AddRunnable(r)
	}
	if err := h.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return h
}

// A Runnable gets the Host's client, and Stop waits for its Run to return
// even when it takes a while after the cancel.
func TestRunnableGetsClientsAndIsWaitedFor(t *testing.T) {
	client := fake.NewClientset(configMap("a"))
	var listed atomic.Int32
	var returned atomic.Bool
	r := &loop{name: "lib", run: func(ctx context.Context, clients Clients) error {
		c, err := clients(NodeIdentity)
		if err != nil {
			return err
		}
		l, err := c.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		listed.Store(int32(len(l.Items)))
		if _, err := clients(AdminIdentity); err == nil {
			return errors.New("an identity the host does not have gave a client")
		}
		<-ctx.Done()
		time.Sleep(200 * time.Millisecond) // its own goroutines ending
		returned.Store(true)
		return nil
	}}
	h := startRunnables(t, client, r)
	eventually(t, "the runnable ready", func() bool { return h.Ready(context.Background()) == nil })
	// Ready does not wait for a Run without readiness of its own.
	eventually(t, "the runnable's list", func() bool { return listed.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if !returned.Load() {
		t.Fatal("Stop returned before the runnable's Run did")
	}
	for _, c := range h.Health(context.Background()) {
		if !c.OK {
			t.Errorf("a runnable stopped by the host is unhealthy: %+v", c)
		}
	}
}

// A Runnable that panics or returns early makes the Host unhealthy and not
// ready, and takes nothing else down.
func TestRunnableFailureIsReported(t *testing.T) {
	client := fake.NewClientset()
	panics := &loop{name: "panics", run: func(context.Context, Clients) error { panic("boom") }}
	quits := &loop{name: "quits", run: func(context.Context, Clients) error { return errors.New("lost its lease") }}
	fine := &loop{name: "fine", run: func(ctx context.Context, _ Clients) error { <-ctx.Done(); return nil }}
	h := startRunnables(t, client, panics, quits, fine)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Stop(ctx)
	})
	eventually(t, "both failures reported", func() bool {
		bad := map[string]string{}
		for _, c := range h.Health(context.Background()) {
			if !c.OK {
				bad[c.Type] = c.Message
			}
		}
		return len(bad) == 2 && strings.Contains(bad["panics/Running"], "panic: boom") &&
			strings.Contains(bad["quits/Running"], "lost its lease")
	})
	err := h.Ready(context.Background())
	if err == nil || !strings.Contains(err.Error(), "quits") || strings.Contains(err.Error(), "fine") {
		t.Fatalf("Ready = %v, want the failed runnables named and not the running one", err)
	}
}

// A Runnable that is a Readier gates the Host's readiness.
func TestRunnableReadiness(t *testing.T) {
	var ok atomic.Bool
	r := &loop{name: "slow", run: func(ctx context.Context, _ Clients) error { <-ctx.Done(); return nil },
		ready: func() error {
			if !ok.Load() {
				return errors.New("informers not synced")
			}
			return nil
		}}
	h := startRunnables(t, fake.NewClientset(), r)
	t.Cleanup(func() { _ = h.Stop(context.Background()) })
	time.Sleep(50 * time.Millisecond)
	if err := h.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "informers not synced") {
		t.Fatalf("Ready = %v before the runnable is", err)
	}
	ok.Store(true)
	if err := h.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRunnableNameClash(t *testing.T) {
	h := &Host{Log: logr.Discard()}
	h.AddRunnable(&loop{name: "x"})
	h.AddRunnable(&loop{name: "x"})
	if err := h.Init(context.Background()); err == nil || !strings.Contains(err.Error(), "x added twice") {
		t.Fatalf("Init = %v, want a clash", err)
	}
}
