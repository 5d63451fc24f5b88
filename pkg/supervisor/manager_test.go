package supervisor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
)

// run runs m with the fakes added and fails the test if Run hangs.
func run(t *testing.T, ctx context.Context, m *Manager, fakes ...*fake) error {
	t.Helper()
	for _, f := range fakes {
		m.Add(f)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func checkEvents(t *testing.T, rec *recorder, want []string) {
	t.Helper()
	if diff := cmp.Diff(want, rec.get()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func checkStates(t *testing.T, m *Manager, want ...string) {
	t.Helper()
	var got []string
	for _, s := range m.Status() {
		got = append(got, s.Name+" "+s.State)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
}

// cancelOnReady returns a Notify that records and cancels ctx on READY=1.
func cancelOnReady(rec *recorder, cancel context.CancelFunc) func(string) error {
	return rec.notify(func(state string) {
		if state == "READY=1" {
			cancel()
		}
	})
}

func TestRunStartsInOrderStopsInReverse(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b, c := rec.fake("a"), rec.fake("b"), rec.fake("c")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := New(Options{Notify: cancelOnReady(rec, cancel)})

	// Status is read while Run changes it, for the race detector.
	stopPolling := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stopPolling:
				return
			default:
				m.Status()
				time.Sleep(time.Millisecond)
			}
		}
	}()
	err := run(t, ctx, m, a, b, c)
	close(stopPolling)
	<-polled

	if err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
	checkEvents(t, rec, []string{
		"init a", "init b", "init c",
		"start a", "ready a", "start b", "ready b", "start c", "ready c",
		"notify READY=1", "notify STOPPING=1",
		"stop c", "stop b", "stop a",
	})
	checkStates(t, m, "a stopped", "b stopped", "c stopped")
	for _, s := range m.Status() {
		// The first poll comes after 20ms.
		if s.ReadyAfter < firstReadyPoll || s.ReadyAfter%time.Millisecond != 0 || s.Err != "" {
			t.Errorf("status %+v: want ReadyAfter >= 20ms in whole ms and no Err", s)
		}
	}
}

func TestInitFailureStartsNothing(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b, c := rec.fake("a"), rec.fake("b"), rec.fake("c")
	b.InitErr = errBoom
	m := New(Options{Notify: rec.notify(nil)})

	err := run(t, t.Context(), m, a, b, c)

	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "component b init") {
		t.Errorf("Run = %v, want component b init error wrapping %v", err, errBoom)
	}
	checkEvents(t, rec, []string{"init a", "init b", "notify STOPPING=1"})
	checkStates(t, m, "a pending", "b failed", "c pending")
}

func TestStartFailureStopsStartedInReverse(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b, c := rec.fake("a"), rec.fake("b"), rec.fake("c")
	b.StartErr = errBoom
	m := New(Options{Notify: rec.notify(nil)})

	err := run(t, t.Context(), m, a, b, c)

	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "component b start") {
		t.Errorf("Run = %v, want component b start error wrapping %v", err, errBoom)
	}
	// b is stopped too: its Start may have left something running.
	checkEvents(t, rec, []string{
		"init a", "init b", "init c",
		"start a", "ready a", "start b",
		"notify STOPPING=1", "stop b", "stop a",
	})
	checkStates(t, m, "a stopped", "b failed", "c pending")
}

func TestReadyTimeoutNamesComponentAndWrapsLastError(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b, c := rec.fake("a"), rec.fake("b"), rec.fake("c")
	b.ReadyFn = func(_ context.Context, call int) error {
		return &probeError{call: call}
	}
	m := New(Options{ReadyTimeout: 300 * time.Millisecond, Notify: rec.notify(nil)})

	begin := time.Now()
	err := run(t, t.Context(), m, a, b, c)

	if err == nil || !strings.Contains(err.Error(), "component b not ready after 300ms") {
		t.Fatalf("Run = %v, want component b ready timeout", err)
	}
	if !errors.Is(err, errNotReady) {
		t.Errorf("errors.Is(%v, errNotReady) = false", err)
	}
	// Polls at 50, 150 and 300ms (the 350ms one moves to the deadline); a
	// loaded machine may fit only two.
	var pe *probeError
	if !errors.As(err, &pe) || pe.call != b.calls() || pe.call < 2 {
		t.Errorf("Run = %v after %d Ready calls, want the error of the last call", err, b.calls())
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Run took %s, want about 300ms", d)
	}
	checkEvents(t, rec, []string{
		"init a", "init b", "init c",
		"start a", "ready a", "start b",
		"notify STOPPING=1", "stop b", "stop a",
	})
	checkStates(t, m, "a stopped", "b failed", "c pending")
}

type probeError struct{ call int }

func (e *probeError) Error() string { return fmt.Sprintf("probe %d: not ready yet", e.call) }
func (e *probeError) Unwrap() error { return errNotReady }

func TestReadyTimeoutKeepsErrorOfProbeNotCutOff(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a := rec.fake("a")
	// The first probe says why; the second hangs until the deadline cuts it.
	a.ReadyFn = func(ctx context.Context, call int) error {
		if call == 1 {
			return errNotReady
		}
		<-ctx.Done()
		return ctx.Err()
	}
	m := New(Options{ReadyTimeout: 100 * time.Millisecond, Notify: rec.notify(nil)})

	err := run(t, t.Context(), m, a)

	if !errors.Is(err, errNotReady) {
		t.Errorf("Run = %v, want it to wrap %v", err, errNotReady)
	}
}

func TestReadyPollsWithBackoff(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a := rec.fake("a")
	a.ReadyFn = func(_ context.Context, call int) error {
		if call < 3 {
			return errNotReady
		}
		return nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := New(Options{Notify: cancelOnReady(rec, cancel)})

	if err := run(t, ctx, m, a); err != nil {
		t.Fatalf("Run = %v", err)
	}
	// Polls at 20, 20+40 and 60+50ms: the delay doubles up to maxReadyPoll.
	if got := a.calls(); got != 3 {
		t.Errorf("Ready calls = %d, want 3", got)
	}
	if want := firstReadyPoll + 2*firstReadyPoll + min(4*firstReadyPoll, maxReadyPoll); m.Status()[0].ReadyAfter < want {
		t.Errorf("ReadyAfter = %s, want >= %s", m.Status()[0].ReadyAfter, want)
	}
}

func TestComponentExitStopsOthersInReverse(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b, c := rec.fake("a"), rec.fake("b"), rec.fake("c")
	exit := make(chan error, 1)
	b.Exit = exit
	m := New(Options{Notify: rec.notify(func(state string) {
		if state == "READY=1" {
			exit <- errBoom
		}
	})})

	// ctx is never cancelled: the fakes check that Start's context is.
	err := run(t, t.Context(), m, a, b, c)

	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "component b exited: boom") {
		t.Errorf("Run = %v, want component b exited wrapping %v", err, errBoom)
	}
	checkEvents(t, rec, []string{
		"init a", "init b", "init c",
		"start a", "ready a", "start b", "ready b", "start c", "ready c",
		"notify READY=1", "notify STOPPING=1",
		"stop c", "stop b", "stop a",
	})
	checkStates(t, m, "a stopped", "b failed", "c stopped")
	if got := m.Status()[1].Err; !strings.Contains(got, "boom") {
		t.Errorf("status Err of b = %q, want the exit error", got)
	}
}

func TestComponentExitWithoutError(t *testing.T) {
	t.Parallel()
	for name, exit := range map[string]func() <-chan error{
		"nil":    func() <-chan error { return Go(func() error { return nil }) },
		"closed": func() <-chan error { ch := make(chan error); close(ch); return ch },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			a := rec.fake("a")
			a.Exit = exit()
			m := New(Options{Notify: rec.notify(nil)})

			err := run(t, t.Context(), m, a)

			if err == nil || err.Error() != "component a exited unexpectedly" {
				t.Errorf("Run = %v, want component a exited unexpectedly", err)
			}
		})
	}
}

func TestComponentExitWhileWaitingForReady(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b := rec.fake("a"), rec.fake("b")
	exit := make(chan error, 1)
	a.Exit = exit
	b.ReadyFn = func(_ context.Context, call int) error {
		if call == 1 {
			exit <- errBoom
		}
		return errNotReady
	}
	m := New(Options{ReadyTimeout: time.Minute, Notify: rec.notify(nil)})

	begin := time.Now()
	err := run(t, t.Context(), m, a, b)

	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "component a exited") {
		t.Errorf("Run = %v, want component a exited wrapping %v", err, errBoom)
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("Run took %s, want it to notice the exit at the next poll", d)
	}
	checkEvents(t, rec, []string{
		"init a", "init b", "start a", "ready a", "start b",
		"notify STOPPING=1", "stop b", "stop a",
	})
}

func TestPanicInComponentGoroutineFailsRun(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a := rec.fake("a")
	trigger := make(chan struct{})
	a.Exit = Go(func() error {
		<-trigger
		panic("kaboom")
	})
	m := New(Options{Notify: rec.notify(func(state string) {
		if state == "READY=1" {
			close(trigger)
		}
	})})

	err := run(t, t.Context(), m, a)

	if err == nil || !strings.Contains(err.Error(), "component a exited: panic: kaboom") {
		t.Errorf("Run = %v, want component a exited with the panic", err)
	}
}

func TestCancelBeforeReadyReturnsNil(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b := rec.fake("a"), rec.fake("b")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	b.ReadyFn = func(context.Context, int) error {
		cancel()
		return errNotReady
	}
	m := New(Options{Notify: rec.notify(nil)})

	if err := run(t, ctx, m, a, b); err != nil {
		t.Errorf("Run = %v, want nil for a shutdown during start", err)
	}
	checkEvents(t, rec, []string{
		"init a", "init b", "start a", "ready a", "start b",
		"notify STOPPING=1", "stop b", "stop a",
	})
}

func TestStopErrorsJoined(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b, c := rec.fake("a"), rec.fake("b"), rec.fake("c")
	errA, errC := errors.New("a stuck"), errors.New("c stuck")
	a.StopErr, c.StopErr = errA, errC
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := New(Options{Notify: cancelOnReady(rec, cancel)})

	err := run(t, ctx, m, a, b, c)

	if !errors.Is(err, errA) || !errors.Is(err, errC) {
		t.Errorf("Run = %v, want both stop errors", err)
	}
	for _, want := range []string{"component a stop: a stuck", "component c stop: c stuck"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run = %v, want it to contain %q", err, want)
		}
	}
	checkStates(t, m, "a failed", "b stopped", "c failed")
	checkEvents(t, rec, []string{
		"init a", "init b", "init c",
		"start a", "ready a", "start b", "ready b", "start c", "ready c",
		"notify READY=1", "notify STOPPING=1",
		"stop c", "stop b", "stop a",
	})
}

// A Stop that ignores its context and never returns (the mesh once waited
// on an informer for the whole budget) must not keep the components after it
// in stop order from stopping: each is still stopped, and the whole stop
// ends with the budget, naming only the stuck component.
func TestStuckStopDoesNotKeepOthersFromStopping(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	sink := &captureSink{}
	a, b, c, d := rec.fake("a"), rec.fake("b"), rec.fake("c"), rec.fake("d")
	c.StopHang = make(chan struct{})
	t.Cleanup(func() { close(c.StopHang) })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const budget = time.Second
	m := New(Options{StopTimeout: budget, Logger: logr.New(sink), Notify: cancelOnReady(rec, cancel)})

	begin := time.Now()
	err := run(t, ctx, m, a, b, c, d)
	took := time.Since(begin)

	if err == nil || !strings.Contains(err.Error(), "component c stop: not stopped within the stop budget") {
		t.Errorf("Run = %v, want it to name c as not stopped", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, context.DeadlineExceeded) = false", err)
	}
	for _, other := range []string{"component a", "component b", "component d"} {
		if err != nil && strings.Contains(err.Error(), other) {
			t.Errorf("Run = %v, want no error for %s", err, other)
		}
	}
	checkEvents(t, rec, []string{
		"init a", "init b", "init c", "init d",
		"start a", "ready a", "start b", "ready b", "start c", "ready c", "start d", "ready d",
		"notify READY=1", "notify STOPPING=1",
		"stop d", "stop c", "stop b", "stop a",
	})
	checkStates(t, m, "a stopped", "b stopped", "c failed", "d stopped")
	if took > 5*budget {
		t.Errorf("Run took %s, want the stop to end with its %s budget", took, budget)
	}
	overran := false
	for _, l := range sink.get() {
		if strings.Contains(l.msg, "overran its share") && l.kv["component"] == "c" {
			overran = true
		}
	}
	if !overran {
		t.Errorf("no log line names c as overrunning its share: %+v", sink.get())
	}
}

// A slow Stop that honours its context keeps the whole budget, not just its
// share: the components after it stop meanwhile, and it still ends cleanly.
func TestSlowStopKeepsWholeBudget(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b := rec.fake("a"), rec.fake("b")
	aStopped := make(chan struct{})
	a.StopFn = func(context.Context) error { close(aStopped); return nil }
	// b finishes only once a has stopped, which the manager does only
	// after b's share (half the budget) has passed.
	b.StopFn = func(ctx context.Context) error {
		select {
		case <-aStopped:
			if ctx.Err() != nil {
				return fmt.Errorf("context ended with b's share: %w", ctx.Err())
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := New(Options{StopTimeout: 2 * time.Second, Notify: cancelOnReady(rec, cancel)})

	if err := run(t, ctx, m, a, b); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	checkStates(t, m, "a stopped", "b stopped")
}

func TestLogsReadiness(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	sink := &captureSink{}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := New(Options{Logger: logr.New(sink), Notify: cancelOnReady(rec, cancel)})

	if err := run(t, ctx, m, rec.fake("a"), rec.fake("b")); err != nil {
		t.Fatalf("Run = %v", err)
	}

	var ready []string
	nodeReady := 0
	for _, l := range sink.get() {
		switch l.msg {
		case "component ready":
			ready = append(ready, l.kv["component"].(string))
			if d, ok := l.kv["elapsed"].(time.Duration); !ok || d%time.Millisecond != 0 {
				t.Errorf("component ready elapsed = %#v, want a duration in whole ms", l.kv["elapsed"])
			}
		case "node ready":
			nodeReady++
			if _, ok := l.kv["elapsed"].(time.Duration); !ok {
				t.Errorf("node ready elapsed = %#v, want a duration", l.kv["elapsed"])
			}
		}
	}
	if diff := cmp.Diff([]string{"a", "b"}, ready); diff != "" {
		t.Errorf("component ready lines (-want +got):\n%s", diff)
	}
	if nodeReady != 1 {
		t.Errorf("node ready lines = %d, want 1", nodeReady)
	}
}

func TestRunOnce(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	m := New(Options{Notify: rec.notify(nil)})
	if err := run(t, ctx, m, rec.fake("a")); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if err := m.Run(ctx); err == nil {
		t.Error("second Run = nil, want an error")
	}
	defer func() {
		if recover() == nil {
			t.Error("Add after Run did not panic")
		}
	}()
	m.Add(rec.fake("late"))
}

func TestComponentErrorSaysTheNameOnce(t *testing.T) {
	inner := errors.New("port 10250 is taken")
	err := componentError("kubelet", "start", fmt.Errorf("kubelet: %w", inner))
	if got, want := err.Error(), "component kubelet start: port 10250 is taken"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, inner) {
		t.Errorf("errors.Is does not see the component's error")
	}
	if got, want := componentError("crio", "stop", inner).Error(), "component crio stop: port 10250 is taken"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestAddTogetherStartsWithoutWaiting: b is ready only once c has started,
// which only works if the manager starts c without waiting for b.
func TestAddTogetherStartsWithoutWaiting(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b, c, d := rec.fake("a"), rec.fake("b"), rec.fake("c"), rec.fake("d")
	b.ReadyFn = func(context.Context, int) error {
		for _, ev := range rec.get() {
			if ev == "start c" {
				return nil
			}
		}
		return errNotReady
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	m := New(Options{Notify: cancelOnReady(rec, cancel), ReadyTimeout: 5 * time.Second})
	m.Add(a)
	m.AddTogether(b, c)

	if err := run(t, ctx, m, d); err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
	checkEvents(t, rec, []string{
		"init a", "init b", "init c", "init d",
		"start a", "ready a", "start b", "start c", "ready b", "ready c", "start d", "ready d",
		"notify READY=1", "notify STOPPING=1",
		"stop d", "stop c", "stop b", "stop a",
	})
	checkStates(t, m, "a stopped", "b stopped", "c stopped", "d stopped")
}

// TestAddTogetherStartFailureStopsTheStep: a failed Start in a step
// stops what of the step had started, and starts no more of it.
func TestAddTogetherStartFailureStopsTheStep(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	a, b, c := rec.fake("a"), rec.fake("b"), rec.fake("c")
	b.StartErr = errBoom
	m := New(Options{Notify: rec.notify(nil)})
	m.AddTogether(a, b, c)

	err := run(t, t.Context(), m)

	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "component b start") {
		t.Errorf("Run = %v, want component b start error wrapping %v", err, errBoom)
	}
	checkEvents(t, rec, []string{
		"init a", "init b", "init c", "start a", "start b",
		"notify STOPPING=1", "stop b", "stop a",
	})
}
