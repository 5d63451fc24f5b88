package supervisor

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

// Component is one part of the node run in process.
//
// Its life is New -> Init -> Start -> (Ready) -> Stop:
//
//   - Init does the fallible preparation only (files, directories,
//     validation) and starts nothing, so that all components can be checked
//     before any of them runs.
//   - Start returns once the component runs in the background; the component
//     owns its goroutines. The context it gets is cancelled when the manager
//     begins to stop the node; it is not a deadline for Start.
//   - Stop is safe in any phase (also when Init or Start failed or never
//     ran), may be called twice, and waits for the component to end at most
//     until the deadline of its context.
type Component interface {
	Name() string
	Init(ctx context.Context) error
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Readier is implemented by components with a real health probe. The
// manager polls Ready after Start until it returns nil, and starts the next
// component only then.
type Readier interface {
	Ready(ctx context.Context) error
}

// Exiter is implemented by components whose background work can end on its
// own. The channel yields (or is closed after) the error with which the
// component's main goroutine ended. Any exit before the manager stops the
// component is fatal for the whole node. Exited is called after a successful
// Start.
type Exiter interface {
	Exited() <-chan error
}

// Go runs fn in a goroutine and returns a channel that receives fn's result
// once (it is buffered, so the goroutine never blocks) and is then closed, so
// that a second receiver, such as the component's own Stop after the manager
// has taken the result, gets nil at once instead of waiting forever.
//
// A panic in fn is recovered into an error carrying the panic value and the
// stack: upstream code panics now and then, and an unrecovered panic in one
// goroutine would end the process without stopping the other components.
func Go(fn func() error) <-chan error {
	ch := make(chan error, 1)
	go func() {
		var err error
		returned := false
		defer func() {
			if r := recover(); r != nil {
				if rerr, ok := r.(error); ok {
					err = fmt.Errorf("panic: %w\n\n%s", rerr, debug.Stack())
				} else {
					err = fmt.Errorf("panic: %v\n\n%s", r, debug.Stack())
				}
			} else if !returned {
				// runtime.Goexit, e.g. a klog.Fatal variant or t.FailNow.
				err = errors.New("goroutine exited without returning (runtime.Goexit)")
			}
			ch <- err
			close(ch)
		}()
		err = fn()
		returned = true
	}()
	return ch
}
