package controllers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// fn is a controller made of functions; it queues the name of every
// ConfigMap it sees.
type fn struct {
	name      string
	reconcile func(ctx context.Context, key string) error
	ready     func() error
}

func (f *fn) Name() string { return f.name }

func (f *fn) Setup(s *Setup) error {
	inf, err := s.Informers(NodeIdentity)
	if err != nil {
		return err
	}
	cms := inf.Core().V1().ConfigMaps().Informer()
	q := s.Queue()
	if _, err := cms.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { q.Add(obj.(*corev1.ConfigMap).Name) },
	}); err != nil {
		return err
	}
	s.WaitFor(cms.HasSynced)
	return nil
}

func (f *fn) Reconcile(ctx context.Context, key string) error { return f.reconcile(ctx, key) }

func (f *fn) Ready() error {
	if f.ready != nil {
		return f.ready()
	}
	return nil
}

func newHost(t *testing.T, client kubernetes.Interface, cs ...*fn) *Host {
	t.Helper()
	h := &Host{Clients: map[Identity]kubernetes.Interface{NodeIdentity: client}, Log: logr.Discard()}
	for _, c := range cs {
		h.Add(c, Options{Workers: 2, RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[string](time.Millisecond, 10*time.Millisecond), MaxRetries: 5})
	}
	if err := h.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Stop(ctx)
	})
	return h
}

func configMap(name string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A panic in Reconcile fails that key, which is retried; the process and
// the other keys go on, and Health names the failure until the key
// succeeds.
func TestPanicIsRetriedNotFatal(t *testing.T) {
	client := fake.NewClientset(configMap("boom"), configMap("fine"))
	var boomCalls, fineCalls atomic.Int32
	c := &fn{name: "test", reconcile: func(_ context.Context, key string) error {
		if key == "fine" {
			fineCalls.Add(1)
			return nil
		}
		if boomCalls.Add(1) <= 2 {
			panic("reconciler bug")
		}
		return nil
	}}
	h := newHost(t, client, c)
	eventually(t, "the panicking key retried to success", func() bool { return boomCalls.Load() == 3 })
	if fineCalls.Load() != 1 {
		t.Errorf("the other key was reconciled %d times, want 1", fineCalls.Load())
	}
	eventually(t, "healthy after the retry succeeded", func() bool {
		hs := h.Health(context.Background())
		return len(hs) == 1 && hs[0].OK
	})
}

// A key that keeps failing shows in Health with the error; after
// MaxRetries it is dropped.
func TestFailingKeyInHealthAndDropped(t *testing.T) {
	client := fake.NewClientset(configMap("bad"))
	var calls atomic.Int32
	h := newHost(t, client, &fn{name: "test", reconcile: func(context.Context, string) error {
		calls.Add(1)
		return errors.New("the API says no")
	}})
	eventually(t, "retries", func() bool { return calls.Load() == 6 })
	time.Sleep(50 * time.Millisecond)
	if n := calls.Load(); n != 6 {
		t.Errorf("%d calls, want 1 + MaxRetries (5)", n)
	}
	hs := h.Health(context.Background())
	if len(hs) != 1 || hs[0].OK || hs[0].Type != "test/Reconciled" || !strings.Contains(hs[0].Message, "bad: the API says no") || hs[0].Since.IsZero() {
		t.Errorf("Health: %+v", hs)
	}
}

// Workers bound the parallel reconciles, and one key never runs twice at
// once.
func TestBoundedConcurrencyOneKeyAtATime(t *testing.T) {
	var objs []*corev1.ConfigMap
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		objs = append(objs, configMap(n))
	}
	client := fake.NewClientset()
	for _, o := range objs {
		if _, err := client.CoreV1().ConfigMaps("default").Create(context.Background(), o, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	running, most := 0, 0
	perKey := map[string]int{}
	var done atomic.Int32
	var hp atomic.Pointer[Host]
	h := newHost(t, client, &fn{name: "test", reconcile: func(_ context.Context, key string) error {
		mu.Lock()
		running++
		perKey[key]++
		most = max(most, running)
		twice := perKey[key] > 1
		mu.Unlock()
		if twice {
			t.Errorf("key %s reconciled twice at once", key)
		}
		if key == "a" && done.Load() == 0 {
			// Re-queued while in progress: must wait for this run.
			for hp.Load() == nil {
				time.Sleep(time.Millisecond)
			}
			hp.Load().runs[0].queue.Add("a")
		}
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		running--
		perKey[key]--
		mu.Unlock()
		done.Add(1)
		return nil
	}})
	hp.Store(h)
	eventually(t, "all keys", func() bool { return done.Load() >= 7 })
	mu.Lock()
	defer mu.Unlock()
	if most != 2 {
		t.Errorf("at most %d reconciles at once, want 2 (Workers)", most)
	}
}

// Stop cancels a reconcile in flight and waits for it; one that ignores
// its context is given up at the deadline with an error.
func TestStopWaitsForReconcile(t *testing.T) {
	client := fake.NewClientset(configMap("x"))
	started := make(chan struct{})
	var ended atomic.Bool
	h := newHost(t, client, &fn{name: "test", reconcile: func(ctx context.Context, _ string) error {
		close(started)
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // cleanup after cancellation
		ended.Store(true)
		return ctx.Err()
	}})
	<-started
	if err := h.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !ended.Load() {
		t.Error("Stop returned before the reconcile in flight ended")
	}

	stuck := make(chan struct{})
	defer close(stuck)
	started2 := make(chan struct{})
	h2 := newHost(t, fake.NewClientset(configMap("y")), &fn{name: "stuck", reconcile: func(context.Context, string) error {
		close(started2)
		<-stuck
		return nil
	}})
	<-started2
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := h2.Stop(ctx); err == nil || !strings.Contains(err.Error(), "did not end") {
		t.Errorf("Stop with a stuck reconcile: %v", err)
	}
}

// Ready waits for the informers; a Gate adds the controller's own
// readiness and takes its health from the host's.
func TestReadyAndGate(t *testing.T) {
	var notYet atomic.Bool
	notYet.Store(true)
	c := &fn{name: "gated", reconcile: func(context.Context, string) error { return nil }, ready: func() error {
		if notYet.Load() {
			return errors.New("not published")
		}
		return nil
	}}
	h := &Host{Clients: map[Identity]kubernetes.Interface{NodeIdentity: fake.NewClientset()}, Log: logr.Discard()}
	h.Add(c, Options{})
	g := h.Gate("gated")
	if err := h.Ready(context.Background()); err == nil {
		t.Error("ready before Start")
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.Stop(context.Background())
	eventually(t, "host ready", func() bool { return h.Ready(context.Background()) == nil })
	if err := g.(supervisor.Readier).Ready(context.Background()); err == nil || err.Error() != "not published" {
		t.Errorf("gate Ready: %v", err)
	}
	notYet.Store(false)
	if err := g.(supervisor.Readier).Ready(context.Background()); err != nil {
		t.Errorf("gate Ready: %v", err)
	}
	if hs := h.Health(context.Background()); len(hs) != 0 {
		t.Errorf("the host reports a gated controller's health: %+v", hs)
	}
	if hs := g.(supervisor.Healther).Health(context.Background()); len(hs) != 1 || hs[0].Type != "gated/Reconciled" {
		t.Errorf("gate Health: %+v", hs)
	}
}

// An identity without credentials fails Start with its name.
func TestMissingIdentity(t *testing.T) {
	h := &Host{Log: logr.Discard()}
	h.Add(&fn{name: "needs-node"}, Options{})
	err := h.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `no credentials for identity "node"`) || !strings.Contains(err.Error(), "needs-node") {
		t.Errorf("Start: %v", err)
	}
}
