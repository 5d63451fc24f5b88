package supervisor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// Component states reported by Status.
const (
	StatePending  = "pending"  // added, not started (Init may have run)
	StateStarting = "starting" // Start called, not ready yet
	StateReady    = "ready"
	StateStopping = "stopping"
	StateStopped  = "stopped"
	StateFailed   = "failed" // Init, Start, Ready or Stop failed, or it exited; stays failed
	// StateDegraded is a ready component one of whose health conditions
	// fails (see Healther).
	StateDegraded = "degraded"
)

const (
	defaultReadyTimeout = 2 * time.Minute
	defaultStopTimeout  = 10 * time.Second
	firstReadyPoll      = 20 * time.Millisecond
	maxReadyPoll        = 50 * time.Millisecond // probes are cheap; coarse polls add straight to start-up time
	minProbeTime        = time.Second
	// stopShares: the manager waits for one component's Stop at most for
	// this fraction of the stop budget left before it stops the next ones.
	stopShares = 3
)

// Options configure a Manager. Zero values select the defaults.
type Options struct {
	// ReadyTimeout bounds, per component, the time from Start returning to
	// Ready returning nil (a probe running at the deadline may take up to 1s
	// more). Default 2m.
	ReadyTimeout time.Duration
	// StopTimeout bounds the whole stop, all components together. Default
	// 10s. Every component's Stop is called within it, however long an
	// earlier one takes (see Manager.stop).
	StopTimeout time.Duration
	Logger      logr.Logger
	// HealthInterval is how often the Healthers are polled once the node
	// is ready. Default 10s.
	HealthInterval time.Duration
	// Notify reports "READY=1" and "STOPPING=1" to the service manager.
	// Default SdNotify.
	Notify func(state string) error
}

// ComponentStatus is a snapshot of one component, for status output.
type ComponentStatus struct {
	Name  string `json:"name"`
	State string `json:"state"` // one of the State constants
	// ReadyAfter is the time from Start to ready (JSON: nanoseconds); 0
	// until ready.
	ReadyAfter time.Duration `json:"readyAfter"`
	Err        string        `json:"error,omitempty"` // why it failed; empty if it did not
	// Conditions are the last health poll's (see Healther).
	Conditions []Condition `json:"conditions,omitempty"`
}

// Manager starts components in order, watches them and stops them in
// reverse order. It runs once.
type Manager struct {
	opts Options

	mu      sync.Mutex
	entries []*entry
	running bool
}

type entry struct {
	c    Component
	name string
	// step: components of one step start together (see AddTogether).
	step int

	// Used by Run's goroutine only.
	exited <-chan error

	// Guarded by Manager.mu.
	state      string
	readyAfter time.Duration
	err        string
	conditions []Condition
}

// errShutdown tells Run's steps apart from failures when ctx ends.
var errShutdown = errors.New("shutdown requested")

// New returns a Manager with opts' zero fields set to their defaults.
func New(opts Options) *Manager {
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = defaultReadyTimeout
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = defaultStopTimeout
	}
	if opts.HealthInterval <= 0 {
		opts.HealthInterval = defaultHealthInterval
	}
	if opts.Logger.GetSink() == nil {
		opts.Logger = logr.Discard()
	}
	if opts.Notify == nil {
		opts.Notify = SdNotify
	}
	return &Manager{opts: opts}
}

// Add appends c to the start order. It must be called before Run; a
// component added later would silently never run, so Add panics then.
func (m *Manager) Add(c Component) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running {
		panic("supervisor: Add called after Run")
	}
	m.addStep(c)
}

// AddTogether appends components that start together: Start is called on
// each in turn without waiting for the one before to be ready, their
// readiness is polled together, and the next Add starts only once all of
// them are ready. Use it for components that do not need each other. They
// still stop in the reverse of the order given.
func (m *Manager) AddTogether(cs ...Component) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running {
		panic("supervisor: AddTogether called after Run")
	}
	m.addStep(cs...)
}

func (m *Manager) addStep(cs ...Component) {
	step := 0
	if n := len(m.entries); n > 0 {
		step = m.entries[n-1].step + 1
	}
	for _, c := range cs {
		m.entries = append(m.entries, &entry{c: c, name: c.Name(), step: step, state: StatePending})
	}
}

// Status returns a snapshot of every component in start order.
func (m *Manager) Status() []ComponentStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]ComponentStatus, len(m.entries))
	for i, e := range m.entries {
		out[i] = ComponentStatus{Name: e.name, State: e.state, ReadyAfter: e.readyAfter, Err: e.err, Conditions: slices.Clone(e.conditions)}
		if e.state == StateReady && slices.ContainsFunc(e.conditions, func(c Condition) bool { return !c.OK }) {
			out[i].State = StateDegraded
		}
	}
	return out
}

// Run inits all components, starts them in Add order waiting for each to be
// ready (for each step of AddTogether: for all of it), reports READY=1, and then runs until ctx ends (a normal shutdown,
// nil) or a component exits (an error naming it). Whatever ends it, including
// a failed Init, Start or ready timeout, it reports STOPPING=1 and stops the
// components whose Start was called in reverse order, within StopTimeout,
// and returns the cause joined with the stop errors. A component whose Start
// failed is stopped too, as it may have started part of its work. If ctx ends
// before the node is ready, Run stops what it started and returns nil (plus
// stop errors), as for any shutdown; errors from Init or Start are still
// returned even if the cancellation caused them.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return errors.New("supervisor: Run called twice")
	}
	m.running = true
	entries := slices.Clone(m.entries)
	m.mu.Unlock()

	log := m.opts.Logger
	begin := time.Now()
	// Start's context outlives Start: components tie their background work to
	// it, so cancelling it is the first stop signal for all of them at once.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	n, cause := m.start(ctx, runCtx, entries)
	if cause == nil {
		log.Info("node ready", "elapsed", time.Since(begin).Round(time.Millisecond))
		if err := m.opts.Notify("READY=1"); err != nil {
			// systemd will time the unit out; the node itself works.
			log.Error(err, "notify ready")
		}
		hctx, stopHealth := context.WithCancel(runCtx)
		healthDone := m.pollHealth(hctx, entries[:n])
		cause = m.watch(ctx, entries[:n], nil, true)
		stopHealth()
		// A probe that ignores its context must not hold the stop up.
		select {
		case <-healthDone:
		case <-time.After(healthProbeTime):
		}
	}
	if cause == errShutdown {
		cause = nil
		log.Info("stopping node", "reason", "shutdown requested")
	} else {
		log.Error(cause, "stopping node")
	}
	cancel()
	return errors.Join(cause, m.stop(ctx, entries[:n]))
}

// start inits all entries and then starts them in order. It returns how many
// Starts it called, and nil once all are ready.
func (m *Manager) start(ctx, runCtx context.Context, entries []*entry) (int, error) {
	for _, e := range entries {
		if err := e.c.Init(runCtx); err != nil {
			err = componentError(e.name, "init", err)
			m.fail(e, err)
			return 0, err
		}
	}
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].step == entries[i].step {
			j++
		}
		begins := make([]time.Time, j-i)
		for k := i; k < j; k++ {
			e := entries[k]
			// Notice a shutdown or an exit before spending time on the next Start.
			if err := m.watch(ctx, entries[:k], nil, false); err != nil {
				return k, err
			}
			m.set(e, StateStarting)
			begins[k-i] = time.Now()
			if err := e.c.Start(runCtx); err != nil {
				err = componentError(e.name, "start", err)
				m.fail(e, err)
				return k + 1, err
			}
			if x, ok := e.c.(Exiter); ok {
				e.exited = x.Exited()
			}
		}
		if err := m.awaitReady(ctx, runCtx, entries[:j], entries[i:j], begins); err != nil {
			return j, err
		}
		i = j
	}
	return len(entries), nil
}

// awaitReady polls the Ready of the components of one step (started
// together at begins) with backoff until each returns nil, the
// ReadyTimeout passes, ctx ends, or one of the started components exits.
// Each one is marked ready as soon as its probe passes.
func (m *Manager) awaitReady(ctx, runCtx context.Context, started, step []*entry, begins []time.Time) error {
	deadline := time.Now().Add(m.opts.ReadyTimeout)
	var pending []int // indexes into step
	for i, e := range step {
		if _, ok := e.c.(Readier); ok {
			pending = append(pending, i)
		} else {
			m.ready(e, begins[i])
		}
	}
	last := make([]error, len(step))
	delay := firstReadyPoll
	for len(pending) > 0 {
		t := time.NewTimer(min(delay, max(0, time.Until(deadline))))
		err := m.watch(ctx, started, t.C, true)
		t.Stop()
		if err != nil {
			return err
		}
		var still []int
		for _, i := range pending {
			e := step[i]
			// A probe may run until the deadline, but gets at least minProbeTime so
			// that the last one, due at the deadline, is not cut off at once.
			pctx, cancel := context.WithTimeout(runCtx, max(time.Until(deadline), minProbeTime))
			err = e.c.(Readier).Ready(pctx)
			cut := pctx.Err() != nil
			cancel()
			if err == nil {
				m.ready(e, begins[i])
				continue
			}
			if ctx.Err() != nil {
				return errShutdown
			}
			// A probe cut off by its context says less than the one before it.
			if last[i] == nil || !cut {
				last[i] = err
			}
			still = append(still, i)
		}
		pending = still
		if len(pending) > 0 && !time.Now().Before(deadline) {
			e := step[pending[0]]
			err := fmt.Errorf("component %s not ready after %s: %w", e.name, m.opts.ReadyTimeout, last[pending[0]])
			m.fail(e, err)
			return err
		}
		delay = min(2*delay, maxReadyPoll)
	}
	return nil
}

// ready marks e ready, begun at begin, and logs it.
func (m *Manager) ready(e *entry, begin time.Time) {
	elapsed := time.Since(begin).Round(time.Millisecond)
	m.mu.Lock()
	e.readyAfter = elapsed
	m.mu.Unlock()
	m.set(e, StateReady)
	m.opts.Logger.Info("component ready", "component", e.name, "elapsed", elapsed)
}

// watch waits until timer fires (nil), ctx ends (errShutdown) or one of the
// started components exits (an error naming it). Without block it only
// checks and returns nil if nothing happened.
func (m *Manager) watch(ctx context.Context, started []*entry, timer <-chan time.Time, block bool) error {
	// reflect.Select because the number of components is only known at run time.
	cases := []reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(timer)},
	}
	for _, e := range started {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(e.exited)})
	}
	if !block {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectDefault})
	}
	i, v, ok := reflect.Select(cases)
	switch {
	case i == 0:
		return errShutdown
	case i == 1 || i == len(started)+2: // timer or default
		return nil
	}
	e := started[i-2]
	var exitErr error
	if ok { // not closed
		exitErr, _ = v.Interface().(error)
	}
	err := fmt.Errorf("component %s exited unexpectedly", e.name)
	if exitErr != nil {
		err = fmt.Errorf("component %s exited: %w", e.name, exitErr)
	}
	m.fail(e, err)
	return err
}

// stop stops started in reverse order within StopTimeout, and calls every
// component's Stop even when one of them overruns: each Stop may run until
// the end of the whole budget, but the manager waits for it only for its
// share of the time left (a third, or what remains divided by the
// components still to stop if fewer) before it stops the next ones
// meanwhile. So one stuck component cannot keep the others (the pod
// stopper, CRI-O, the network) from stopping, every Stop is called before
// the budget ends, and components that take a while but less than their
// share (the apiserver takes about 2s) still stop strictly one after the
// other. A component whose Stop outlives the budget is left behind: the
// process is about to exit anyway, and waiting longer would only delay the
// restart.
func (m *Manager) stop(ctx context.Context, started []*entry) error {
	log := m.opts.Logger
	if err := m.opts.Notify("STOPPING=1"); err != nil {
		log.Error(err, "notify stopping")
	}
	begin := time.Now()
	deadline := begin.Add(m.opts.StopTimeout)
	// ctx has usually ended already; stopping must still get its time.
	sctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()

	type result struct {
		e    *entry
		err  error
		took time.Duration
	}
	results := make(chan result, len(started))
	pending := 0
	var errs []error
	finish := func(r result) {
		pending--
		if r.err != nil {
			err := componentError(r.e.name, "stop", r.err)
			m.fail(r.e, err)
			errs = append(errs, err)
			log.Error(err, "component stop failed", "component", r.e.name, "elapsed", r.took.Round(time.Millisecond))
			return
		}
		m.set(r.e, StateStopped)
		log.Info("component stopped", "component", r.e.name, "elapsed", r.took.Round(time.Millisecond))
	}
	for i := len(started) - 1; i >= 0; i-- {
		e := started[i]
		m.set(e, StateStopping)
		pending++
		go func() {
			t0 := time.Now()
			err := stopWithin(sctx, e.c)
			results <- result{e: e, err: err, took: time.Since(t0)}
		}()
		share := time.Until(deadline) / time.Duration(min(i+1, stopShares))
		timer := time.NewTimer(share)
	wait:
		for {
			select {
			case r := <-results:
				finish(r)
				if r.e == e {
					break wait
				}
			case <-timer.C:
				log.Info("component stop overran its share of the stop budget; stopping the next components meanwhile",
					"component", e.name, "share", share.Round(time.Millisecond), "budget", m.opts.StopTimeout)
				break wait
			}
		}
		timer.Stop()
	}
	// Stragglers: stopWithin returns by the deadline at the latest.
	for pending > 0 {
		finish(<-results)
	}
	log.Info("node stopped", "elapsed", time.Since(begin).Round(time.Millisecond))
	return errors.Join(errs...)
}

// stopWithin calls c.Stop and gives up when ctx ends, so that a Stop that
// ignores its context cannot hold the process up.
func stopWithin(ctx context.Context, c Component) error {
	done := make(chan error, 1)
	go func() { done <- c.Stop(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done: // it returned right at the deadline
			return err
		default:
			return fmt.Errorf("not stopped within the stop budget: %w", ctx.Err())
		}
	}
}

// set moves e to state unless it failed: failed is final, so that Status
// keeps showing the component that brought the node down.
func (m *Manager) set(e *entry, state string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.state != StateFailed {
		e.state = state
	}
}

func (m *Manager) fail(e *entry, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.state = StateFailed
	if e.err == "" {
		e.err = err.Error()
	}
}

// componentError names the component and the phase that failed. The
// components prefix their own errors with their name ("kubelet: ..."):
// that prefix is not said twice. errors.Is and As still see err.
func componentError(name, phase string, err error) error {
	msg := strings.TrimPrefix(err.Error(), name+": ")
	return &wrapped{msg: fmt.Sprintf("component %s %s: %s", name, phase, msg), err: err}
}

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }
