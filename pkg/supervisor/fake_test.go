package supervisor

import (
	"context"
	"errors"
	"sync"

	"github.com/go-logr/logr"
)

var (
	errBoom     = errors.New("boom")
	errNotReady = errors.New("not ready yet")
)

// recorder keeps the calls of all fakes and notifications in one sequence,
// so tests can check the order across components.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(ev string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// notify records states and calls on (if set) with each, after recording.
func (r *recorder) notify(on func(state string)) func(string) error {
	return func(state string) error {
		r.add("notify " + state)
		if on != nil {
			on(state)
		}
		return nil
	}
}

func (r *recorder) fake(name string) *fake { return &fake{name: name, rec: r} }

// fake is a Component, Readier and Exiter whose failures are set by fields.
type fake struct {
	name string
	rec  *recorder

	InitErr  error
	StartErr error
	ReadyErr error                                     // returned by every Ready call
	ReadyFn  func(ctx context.Context, call int) error // overrides ReadyErr; call counts from 1
	StopErr  error
	StopHang chan struct{} // Stop ignores its ctx and waits for this
	// StopFn, if set, runs after the stop is recorded and its result is
	// what Stop returns.
	StopFn func(ctx context.Context) error
	Exit   <-chan error // what Exited returns

	mu         sync.Mutex
	readyCalls int
	startCtx   context.Context
}

var (
	_ Component = (*fake)(nil)
	_ Readier   = (*fake)(nil)
	_ Exiter    = (*fake)(nil)
)

func (f *fake) Name() string { return f.name }

func (f *fake) Init(context.Context) error {
	f.rec.add("init " + f.name)
	return f.InitErr
}

func (f *fake) Start(ctx context.Context) error {
	f.rec.add("start " + f.name)
	f.mu.Lock()
	f.startCtx = ctx
	f.mu.Unlock()
	return f.StartErr
}

func (f *fake) Ready(ctx context.Context) error {
	f.mu.Lock()
	f.readyCalls++
	call := f.readyCalls
	f.mu.Unlock()
	err := f.ReadyErr
	if f.ReadyFn != nil {
		err = f.ReadyFn(ctx, call)
	}
	if err == nil {
		f.rec.add("ready " + f.name)
	}
	return err
}

func (f *fake) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.readyCalls
}

func (f *fake) Exited() <-chan error { return f.Exit }

func (f *fake) Stop(ctx context.Context) error {
	f.mu.Lock()
	startCtx := f.startCtx
	f.mu.Unlock()
	// The manager promises to cancel Start's context before stopping.
	if startCtx != nil && startCtx.Err() == nil {
		f.rec.add("stop " + f.name + " with start context still live")
	} else {
		f.rec.add("stop " + f.name)
	}
	if f.StopHang != nil {
		<-f.StopHang
	}
	if f.StopFn != nil {
		return f.StopFn(ctx)
	}
	return f.StopErr
}

// logLine is one captured log call.
type logLine struct {
	msg string
	err error
	kv  map[string]any
}

// captureSink records Info and Error calls with their raw values, so tests
// can check value types (a formatting sink would turn them into text).
type captureSink struct {
	mu    sync.Mutex
	lines []logLine
}

func (s *captureSink) Init(logr.RuntimeInfo)                  {}
func (s *captureSink) Enabled(int) bool                       { return true }
func (s *captureSink) WithValues(...any) logr.LogSink         { return s }
func (s *captureSink) WithName(string) logr.LogSink           { return s }
func (s *captureSink) Info(_ int, msg string, kv ...any)      { s.add(msg, nil, kv) }
func (s *captureSink) Error(err error, msg string, kv ...any) { s.add(msg, err, kv) }

func (s *captureSink) add(msg string, err error, kv []any) {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, logLine{msg: msg, err: err, kv: m})
}

func (s *captureSink) get() []logLine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]logLine(nil), s.lines...)
}
