// Package controllers hosts kubenode's own controllers (the mesh, the
// primary's CSR approver, and those to come) in one supervised component,
// so that each of them is only a reconciler: it names the informers it
// reads and the keys it queues, and handles one key at a time.
//
// The Host owns, per identity (the node's own credentials, the admin's),
// one API client and one shared informer factory, so two controllers that
// read the same kind with the same identity share one watch. Each
// controller gets its own client-go workqueue and a bounded number of
// workers; a panic in Reconcile fails that key (it is retried with
// backoff) and never the process; Stop cancels the reconciles in flight
// and waits for them within its deadline.
package controllers

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Identity names the credentials a controller acts with.
type Identity string

const (
	// NodeIdentity is the node's own (the kubelet's client certificate):
	// Node and RBAC authorization, limited by NodeRestriction.
	NodeIdentity Identity = "node"
	// AdminIdentity is the cluster admin's; the primary only.
	AdminIdentity Identity = "admin"
)

// Controller is one reconciler on the Host.
type Controller interface {
	Name() string
	// Setup is called once, at the Host's Start: it takes clients and
	// informers from s and registers the event handlers that queue keys.
	Setup(s *Setup) error
	// Reconcile brings the world in line for one key. An error queues the
	// key again with backoff (up to Options.MaxRetries).
	Reconcile(ctx context.Context, key string) error
}

// Readier is implemented by controllers with a readiness of their own,
// beyond their informers having synced (see Host.Gate).
type Readier interface {
	Ready() error
}

// Healther is implemented by controllers that report health while they
// run (see supervisor.Healther).
type Healther interface {
	Health() []supervisor.Condition
}

// Options tune how the Host runs one controller. Zero values select the
// defaults.
type Options struct {
	// Workers reconcile different keys in parallel (never the same key
	// twice at once: the workqueue guarantees that). Default 1.
	Workers int
	// RateLimiter decides the backoff of a failed key. Default: client-go's
	// controller rate limiter (5ms doubling to 1000s, 10 qps overall).
	RateLimiter workqueue.TypedRateLimiter[string]
	// MaxRetries drops a key after this many failures in a row (it comes
	// back with the next event or resync). 0 retries forever.
	MaxRetries int
}

// Host is a supervisor component that runs controllers. Set the exported
// fields before Start; Add controllers before Start.
type Host struct {
	// Kubeconfigs name the credentials file of each identity. A client is
	// made at Start, when it is first asked for: a worker's node
	// credentials exist only once its kubelet has bootstrapped them.
	Kubeconfigs map[Identity]string
	// Clients, if set for an identity, are used instead of its kubeconfig
	// (tests use fake clientsets).
	Clients map[Identity]kubernetes.Interface
	Log     logr.Logger
	// Resync is the shared informers' resync period (default 10m).
	Resync time.Duration

	mu           sync.Mutex
	runs         []*run
	runnables    []*runnable
	clients      map[Identity]kubernetes.Interface
	factories    map[Identity]informers.SharedInformerFactory
	broadcasters []record.EventBroadcaster
	cancel       context.CancelFunc
	done         chan struct{}
	started      bool
}

// run is one controller and its queue.
type run struct {
	c      Controller
	opts   Options
	queue  workqueue.TypedRateLimitingInterface[string]
	synced []cache.InformerSynced

	mu      sync.Mutex
	running bool // informers synced, workers started
	gated   bool // its health is reported by its Gate, not the Host
	lastErr error
	errAt   time.Time
}

var (
	_ supervisor.Component = (*Host)(nil)
	_ supervisor.Readier   = (*Host)(nil)
	_ supervisor.Healther  = (*Host)(nil)
)

func (h *Host) Name() string { return "controllers" }

// Add registers c; it must be called before Start.
func (h *Host) Add(c Controller, opts Options) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started {
		panic("controllers: Add after Start")
	}
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	if opts.RateLimiter == nil {
		opts.RateLimiter = workqueue.DefaultTypedControllerRateLimiter[string]()
	}
	h.runs = append(h.runs, &run{c: c, opts: opts})
}

// Validator is implemented by controllers that can check their
// configuration before anything starts (the host's Init).
type Validator interface {
	Validate() error
}

// Init checks the controllers' configuration; the credentials files may
// appear later (see Kubeconfigs).
func (h *Host) Init(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := map[string]bool{}
	var errs []error
	for _, r := range h.runs {
		if seen[r.c.Name()] {
			errs = append(errs, fmt.Errorf("controllers: %s added twice", r.c.Name()))
		}
		seen[r.c.Name()] = true
		if v, ok := r.c.(Validator); ok {
			errs = append(errs, v.Validate())
		}
	}
	var preparers []Preparer
	for _, rr := range h.runnables {
		if seen[rr.r.Name()] {
			errs = append(errs, fmt.Errorf("controllers: %s added twice", rr.r.Name()))
		}
		seen[rr.r.Name()] = true
		if v, ok := rr.r.(Validator); ok {
			errs = append(errs, v.Validate())
		}
		if p, ok := rr.r.(Preparer); ok {
			preparers = append(preparers, p)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	h.mu.Unlock()
	defer h.mu.Lock()
	for _, p := range preparers {
		if err := p.Prepare(ctx, h.client); err != nil {
			return err
		}
	}
	return nil
}

// Preparer is implemented by runnables that are built before any
// component of the node runs, in the Init phase: what can fail there (a
// port in use, a bad certificate) stops the node before anything starts,
// and a library that writes process-wide state while it is built does so
// before other goroutines read it. Credentials that do not exist yet (a
// worker's, before its kubelet bootstrapped) are no error: the runnable
// then builds in Run.
type Preparer interface {
	Prepare(ctx context.Context, clients Clients) error
}

// Setup is what a controller gets at the Host's Start.
type Setup struct {
	h *Host
	r *run
}

// Client returns the API client of identity id, shared by all controllers.
func (s *Setup) Client(id Identity) (kubernetes.Interface, error) {
	return s.h.client(id)
}

// Informers returns the shared informer factory of identity id. Every
// informer a controller takes from it must be synced before its workers
// start: pass its HasSynced to WaitFor.
func (s *Setup) Informers(id Identity) (informers.SharedInformerFactory, error) {
	return s.h.factory(id)
}

// WaitFor adds informers that must have synced before the controller's
// workers start.
func (s *Setup) WaitFor(synced ...cache.InformerSynced) {
	s.r.synced = append(s.r.synced, synced...)
}

// Queue is the controller's workqueue, for event handlers to add keys to.
func (s *Setup) Queue() workqueue.TypedRateLimitingInterface[string] { return s.r.queue }

// Recorder returns an event recorder that writes Events with identity id
// as source component; the host shuts its broadcaster down on Stop.
func (s *Setup) Recorder(id Identity) (record.EventRecorder, error) {
	c, err := s.h.client(id)
	if err != nil {
		return nil, err
	}
	b := record.NewBroadcaster()
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.CoreV1().Events("")})
	s.h.mu.Lock()
	s.h.broadcasters = append(s.h.broadcasters, b)
	s.h.mu.Unlock()
	return b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubenode-" + s.r.c.Name()}), nil
}

// Log is the controller's logger.
func (s *Setup) Log() logr.Logger { return s.h.Log.WithValues("controller", s.r.c.Name()) }

func (h *Host) client(id Identity) (kubernetes.Interface, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.clients[id]; ok {
		return c, nil
	}
	if c, ok := h.Clients[id]; ok {
		if h.clients == nil {
			h.clients = map[Identity]kubernetes.Interface{}
		}
		h.clients[id] = c
		return c, nil
	}
	path, ok := h.Kubeconfigs[id]
	if !ok || path == "" {
		return nil, fmt.Errorf("no credentials for identity %q on this node", id)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w", id, err)
	}
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "kubenode-controllers/" + string(id)
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w", id, err)
	}
	if h.clients == nil {
		h.clients = map[Identity]kubernetes.Interface{}
	}
	h.clients[id] = c
	return c, nil
}

func (h *Host) factory(id Identity) (informers.SharedInformerFactory, error) {
	c, err := h.client(id)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.factories[id]; ok {
		return f, nil
	}
	f := informers.NewSharedInformerFactoryWithOptions(listAndWatch{c}, orDefault(h.Resync, 10*time.Minute),
		informers.WithTransform(dropManagedFields))
	if h.factories == nil {
		h.factories = map[Identity]informers.SharedInformerFactory{}
	}
	h.factories[id] = f
	return f, nil
}

// listAndWatch makes the informers list and then watch, instead of
// streaming their initial list in a watch (client-go's WatchListClient, on
// by default): when that watch fails with a retriable error, such as
// connection refused while the primary restarts, client-go sleeps its
// backoff (up to 30s) without looking at the stop channel
// (Reflector.watchList), which once held a worker's stop for the whole stop
// budget. The list-then-watch path stops at once. kubenode's controllers
// read few objects; they need no streaming list.
type listAndWatch struct{ kubernetes.Interface }

func (listAndWatch) IsWatchListSemanticsUnSupported() bool { return true }

// dropManagedFields: no controller here reads them, and they are often the
// larger half of a cached object.
func dropManagedFields(obj any) (any, error) {
	if m, err := meta.Accessor(obj); err == nil {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// Start sets up every controller, starts the informers and, per
// controller, its workers once its informers have synced.
func (h *Host) Start(ctx context.Context) error {
	h.mu.Lock()
	if h.started {
		h.mu.Unlock()
		return errors.New("controllers: started twice")
	}
	h.started = true
	runs, runnables := slices.Clone(h.runs), slices.Clone(h.runnables)
	h.mu.Unlock()

	// Stop, not the manager's context, ends the workers, so that a
	// reconcile is cancelled only when the node stops this component.
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	for _, r := range runs {
		r.queue = workqueue.NewTypedRateLimitingQueueWithConfig(r.opts.RateLimiter,
			workqueue.TypedRateLimitingQueueConfig[string]{Name: r.c.Name()})
		if err := r.c.Setup(&Setup{h: h, r: r}); err != nil {
			cancel()
			for _, r := range runs {
				if r.queue != nil {
					r.queue.ShutDown()
				}
			}
			return fmt.Errorf("controller %s: %w", r.c.Name(), err)
		}
	}
	h.mu.Lock()
	factories := make([]informers.SharedInformerFactory, 0, len(h.factories))
	for _, f := range h.factories {
		factories = append(factories, f)
	}
	h.cancel = cancel
	h.done = make(chan struct{})
	h.mu.Unlock()
	for _, f := range factories {
		f.Start(ctx.Done())
	}

	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() { h.runController(ctx, r) })
	}
	for _, rr := range runnables {
		wg.Go(func() { h.runRunnable(ctx, rr) })
	}
	go func() {
		<-ctx.Done()
		for _, r := range runs {
			r.queue.ShutDown()
		}
	}()
	go func() {
		wg.Wait()
		h.mu.Lock()
		bs := h.broadcasters
		h.mu.Unlock()
		for _, b := range bs {
			b.Shutdown()
		}
		close(h.done)
		// The informers' goroutines end with ctx, but an API call of
		// theirs may not: Stop does not wait for them, as nothing reads
		// their caches once the workers have returned.
		for _, f := range factories {
			f.Shutdown()
		}
	}()
	h.Log.Info("controllers started", "controllers", h.names())
	return nil
}

func (h *Host) names() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.runs {
		out = append(out, r.c.Name())
	}
	for _, rr := range h.runnables {
		out = append(out, rr.r.Name())
	}
	return out
}

func (h *Host) runController(ctx context.Context, r *run) {
	if !cache.WaitForCacheSync(ctx.Done(), r.synced...) {
		return
	}
	r.mu.Lock()
	r.running = true
	r.mu.Unlock()
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Go(func() {
			for h.next(ctx, r) {
			}
		})
	}
	wg.Wait()
}

// next handles one key; false once the queue is shut down.
func (h *Host) next(ctx context.Context, r *run) bool {
	key, quit := r.queue.Get()
	if quit {
		return false
	}
	defer r.queue.Done(key)
	err := reconcile(ctx, r.c, key)
	r.mu.Lock()
	if err != nil {
		r.lastErr, r.errAt = fmt.Errorf("%s: %w", key, err), time.Now()
	} else if r.lastErr != nil && r.queue.NumRequeues(key) > 0 {
		// The key that failed last has now succeeded.
		r.lastErr = nil
	}
	r.mu.Unlock()
	log := h.Log.WithValues("controller", r.c.Name(), "key", key)
	switch {
	case err == nil:
		r.queue.Forget(key)
	case ctx.Err() != nil:
		// Stopping: the reconcile was cancelled, not failed.
	case r.opts.MaxRetries == 0 || r.queue.NumRequeues(key) < r.opts.MaxRetries:
		log.Error(err, "reconcile failed; retrying", "failures", r.queue.NumRequeues(key)+1)
		r.queue.AddRateLimited(key)
	default:
		log.Error(err, "reconcile failed; giving up on this key until its next event", "failures", r.queue.NumRequeues(key)+1)
		r.queue.Forget(key)
	}
	return true
}

// reconcile runs one Reconcile, turning a panic into an error.
func reconcile(ctx context.Context, c Controller, key string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n\n%s", p, debug.Stack())
		}
	}()
	return c.Reconcile(ctx, key)
}

// Ready reports whether every controller's informers have synced and its
// workers run, and every Runnable runs (and is Ready, if a Readier).
func (h *Host) Ready(context.Context) error {
	h.mu.Lock()
	runs, runnables, started := slices.Clone(h.runs), slices.Clone(h.runnables), h.started
	h.mu.Unlock()
	if !started {
		return errors.New("controllers: not started")
	}
	var waiting []string
	for _, r := range runs {
		r.mu.Lock()
		if !r.running {
			waiting = append(waiting, r.c.Name())
		}
		r.mu.Unlock()
	}
	if len(waiting) > 0 {
		return fmt.Errorf("controllers: waiting for the informers of %v to sync", waiting)
	}
	var errs []error
	for _, rr := range runnables {
		errs = append(errs, rr.ready())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("controllers: %w", err)
	}
	return nil
}

// Health reports, per controller that has no Gate of its own, whether its
// last reconcile failed, plus the controller's own conditions.
func (h *Host) Health(context.Context) []supervisor.Condition {
	h.mu.Lock()
	runs, runnables := slices.Clone(h.runs), slices.Clone(h.runnables)
	h.mu.Unlock()
	var out []supervisor.Condition
	for _, r := range runs {
		r.mu.Lock()
		gated := r.gated
		r.mu.Unlock()
		if !gated {
			out = append(out, r.health()...)
		}
	}
	for _, rr := range runnables {
		out = append(out, rr.health()...)
	}
	return out
}

func (r *run) health() []supervisor.Condition {
	r.mu.Lock()
	lastErr, errAt := r.lastErr, r.errAt
	r.mu.Unlock()
	c := supervisor.Condition{Type: r.c.Name() + "/Reconciled", OK: lastErr == nil}
	if lastErr != nil {
		c.Message, c.Since = lastErr.Error(), errAt
	}
	out := []supervisor.Condition{c}
	if hc, ok := r.c.(Healther); ok {
		out = append(out, hc.Health()...)
	}
	return out
}

// Stop cancels the reconciles in flight and waits for the workers to
// return, within ctx.
func (h *Host) Stop(ctx context.Context) error {
	h.mu.Lock()
	cancel, done := h.cancel, h.done
	h.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("controllers: a reconcile did not end: %w", ctx.Err())
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
