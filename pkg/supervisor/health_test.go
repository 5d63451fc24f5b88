package supervisor

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
)

// healthy is a fake with a Health whose conditions the test sets.
type healthy struct {
	*fake
	mu    sync.Mutex
	conds []Condition
	polls int
}

func (h *healthy) Health(context.Context) []Condition {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.polls++
	return append([]Condition(nil), h.conds...)
}

func (h *healthy) set(c ...Condition) {
	h.mu.Lock()
	h.conds = c
	h.mu.Unlock()
}

func (h *healthy) pollCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.polls
}

// Once ready, Healthers are polled: a failing condition shows the
// component as degraded with the message, Since stays at the change, each
// change is logged once, and a healthy poll makes it ready again.
func TestHealthPolledAfterReady(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	var logMu sync.Mutex
	var logs []string
	log := funcr.New(func(prefix, args string) {
		logMu.Lock()
		logs = append(logs, args)
		logMu.Unlock()
	}, funcr.Options{})
	h := &healthy{fake: rec.fake("mesh")}
	h.set(Condition{Type: "PeersApplied", OK: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := New(Options{Logger: log, Notify: rec.notify(nil), HealthInterval: 10 * time.Millisecond})
	m.Add(h)
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; status %+v", what, m.Status())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("a poll", func() bool { return h.pollCount() > 0 })
	checkStates(t, m, "mesh ready")

	h.set(Condition{Type: "PeersApplied", OK: false, Message: "wgkube is gone"})
	waitFor("degraded", func() bool { return m.Status()[0].State == StateDegraded })
	first := m.Status()[0].Conditions[0]
	if first.Message != "wgkube is gone" || first.Since.IsZero() {
		t.Errorf("condition: %+v", first)
	}
	n := h.pollCount()
	waitFor("more polls", func() bool { return h.pollCount() > n+2 })
	if again := m.Status()[0].Conditions[0]; !again.Since.Equal(first.Since) {
		t.Errorf("Since moved while the condition did not change: %s, then %s", first.Since, again.Since)
	}

	h.set(Condition{Type: "PeersApplied", OK: true})
	waitFor("ready again", func() bool { return m.Status()[0].State == StateReady })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	logMu.Lock()
	defer logMu.Unlock()
	all := strings.Join(logs, "\n")
	if c := strings.Count(all, `"msg"="component degraded" "component"="mesh" "condition"="PeersApplied" "problem"="wgkube is gone"`); c != 1 {
		t.Errorf("degradation logged %d times, want once:\n%s", c, all)
	}
	if c := strings.Count(all, `"msg"="component healthy again" "component"="mesh" "condition"="PeersApplied"`); c != 1 {
		t.Errorf("recovery logged %d times, want once:\n%s", c, all)
	}
}
