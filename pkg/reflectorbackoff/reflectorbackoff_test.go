package reflectorbackoff

import (
	"context"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// A reflector whose API refuses connections (a primary restarting) tries
// again within 2 s each time, instead of backing off towards a minute.
func TestReflectorRetriesWithinTwoSeconds(t *testing.T) {
	Set()
	if init, max := Current(); init != 800*time.Millisecond || max != Max {
		t.Fatalf("client-go's reflector backoff starts at %s and stops at %s, want 800ms and %s", init, max, Max)
	}
	var mu sync.Mutex
	var attempts []time.Time
	refused := func() error {
		mu.Lock()
		attempts = append(attempts, time.Now())
		mu.Unlock()
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	lw := &cache.ListWatch{
		ListWithContextFunc: func(context.Context, metav1.ListOptions) (runtime.Object, error) { return nil, refused() },
		WatchFuncWithContext: func(context.Context, metav1.ListOptions) (watch.Interface, error) {
			return nil, refused()
		},
	}
	r := cache.NewReflector(lw, &corev1.Pod{}, cache.NewStore(cache.MetaNamespaceKeyFunc), 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.RunWithContext(ctx)
	// client-go's own default waits at least 3.2 s before the 4th.
	const want = 5
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		n := len(attempts)
		mu.Unlock()
		if n >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	if len(attempts) < want {
		t.Fatalf("%d attempts in 15 s, want %d", len(attempts), want)
	}
	for i := 1; i < want; i++ {
		if gap := attempts[i].Sub(attempts[i-1]); gap > 2*Max+100*time.Millisecond {
			t.Errorf("attempt %d came %s after the one before, want at most %s", i+1, gap, 2*Max)
		}
	}
}
