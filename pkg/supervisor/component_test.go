package supervisor

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func receive(t *testing.T, ch <-chan error) (error, bool) {
	t.Helper()
	select {
	case err, ok := <-ch:
		return err, ok
	case <-time.After(10 * time.Second):
		t.Fatal("no result from Go")
		return nil, false
	}
}

func TestGoReturnsResultOnceThenCloses(t *testing.T) {
	t.Parallel()
	ch := Go(func() error { return errBoom })
	if err, ok := receive(t, ch); !ok || err != errBoom {
		t.Errorf("first receive = %v, %v; want %v, true", err, ok, errBoom)
	}
	// A second receiver (a component's Stop) must not block.
	if err, ok := receive(t, ch); ok || err != nil {
		t.Errorf("second receive = %v, %v; want nil, false", err, ok)
	}
}

func TestGoRecoversPanicWithStack(t *testing.T) {
	t.Parallel()
	err, _ := receive(t, Go(func() error { return panicHere("kaboom") }))
	if err == nil {
		t.Fatal("Go after panic = nil, want an error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "panic: kaboom") {
		t.Errorf("error = %q, want it to start with the panic value", msg)
	}
	// The stack must point at where it panicked, not only at the recover.
	if !strings.Contains(msg, "supervisor.panicHere") || !strings.Contains(msg, "goroutine ") {
		t.Errorf("error = %q, want the stack with panicHere", msg)
	}
}

//go:noinline
func panicHere(v any) error { panic(v) }

func TestGoPanicWithErrorWraps(t *testing.T) {
	t.Parallel()
	err, _ := receive(t, Go(func() error { panic(fmt.Errorf("wrapped: %w", errBoom)) }))
	if !errors.Is(err, errBoom) {
		t.Errorf("errors.Is(%v, errBoom) = false", err)
	}
}

func TestGoGoexit(t *testing.T) {
	t.Parallel()
	err, ok := receive(t, Go(func() error { runtime.Goexit(); return nil }))
	if !ok || err == nil || !strings.Contains(err.Error(), "Goexit") {
		t.Errorf("Go after Goexit = %v, %v; want an error naming Goexit", err, ok)
	}
}
