package controllers

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Runnable is a controller that brings its own loop, such as a library's
// controller with informers and queues of its own. The Host gives it its
// clients and runs it for as long as the Host runs; Stop cancels its
// context and waits for Run to return.
type Runnable interface {
	Name() string
	// Run runs until ctx ends and returns only once everything it started
	// has stopped. An error or a panic before ctx ends is reported in the
	// Host's health (condition "<name>/Running"); the Host does not run it
	// again.
	Run(ctx context.Context, clients Clients) error
}

// Clients returns the Host's API client of an identity. Informers made
// from it list and then watch (see listAndWatch).
type Clients func(Identity) (kubernetes.Interface, error)

// runnable is one Runnable and what Health reports of it.
type runnable struct {
	r Runnable

	mu      sync.Mutex
	running bool
	err     error
	errAt   time.Time
}

// AddRunnable registers r; it must be called before Start. A Runnable
// that is also a Validator is validated at Init, a Readier gates the
// Host's readiness, a Healther adds its conditions to the Host's.
func (h *Host) AddRunnable(r Runnable) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started {
		panic("controllers: AddRunnable after Start")
	}
	h.runnables = append(h.runnables, &runnable{r: r})
}

func (h *Host) runnableClient(id Identity) (kubernetes.Interface, error) {
	c, err := h.client(id)
	if err != nil {
		return nil, err
	}
	return listAndWatch{c}, nil
}

// runRunnable runs rr until ctx ends, turning an early return or a panic
// into its health.
func (h *Host) runRunnable(ctx context.Context, rr *runnable) {
	rr.mu.Lock()
	rr.running = true
	rr.mu.Unlock()
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v\n\n%s", p, debug.Stack())
			}
		}()
		return rr.r.Run(ctx, h.runnableClient)
	}()
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.running = false
	if ctx.Err() != nil {
		return // stopped by the Host
	}
	if err == nil {
		err = errors.New("returned before the node stopped it")
	}
	rr.err, rr.errAt = err, time.Now()
	h.Log.Error(err, "controller stopped; it runs again when kubenode restarts", "controller", rr.r.Name())
}

func (rr *runnable) ready() error {
	rr.mu.Lock()
	running, err := rr.running, rr.err
	rr.mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", rr.r.Name(), err)
	case !running:
		return fmt.Errorf("%s: not running", rr.r.Name())
	}
	if rd, ok := rr.r.(Readier); ok {
		if err := rd.Ready(); err != nil {
			return fmt.Errorf("%s: %w", rr.r.Name(), err)
		}
	}
	return nil
}

func (rr *runnable) health() []supervisor.Condition {
	rr.mu.Lock()
	err, at := rr.err, rr.errAt
	rr.mu.Unlock()
	c := supervisor.Condition{Type: rr.r.Name() + "/Running", OK: err == nil}
	if err != nil {
		c.Message, c.Since = err.Error(), at
	}
	out := []supervisor.Condition{c}
	if hc, ok := rr.r.(Healther); ok {
		out = append(out, hc.Health()...)
	}
	return out
}
