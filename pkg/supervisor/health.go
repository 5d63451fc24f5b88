package supervisor

import (
	"context"
	"time"
)

// Healther is implemented by components that can tell, while they run,
// whether they still work as they should. The manager polls Health every
// HealthInterval once the node is ready; a component with a failing
// condition shows as degraded in Status, and each change is logged.
type Healther interface {
	Health(ctx context.Context) []Condition
}

// Condition is one fact about a running component.
type Condition struct {
	Type    string `json:"type"` // e.g. "PeersApplied"; unique within a component
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"` // what is wrong and, where known, the fix
	// Since is when OK last changed. A component may set it (it knows
	// when a failure began); otherwise the manager fills it in from the
	// polls.
	Since time.Time `json:"since,omitzero"`
}

const (
	defaultHealthInterval = 10 * time.Second
	healthProbeTime       = 5 * time.Second
)

// pollHealth polls the Healthers among entries until ctx ends; the
// returned channel is closed when it has stopped.
func (m *Manager) pollHealth(ctx context.Context, entries []*entry) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(m.opts.HealthInterval)
		defer t.Stop()
		for {
			for _, e := range entries {
				h, ok := e.c.(Healther)
				if !ok {
					continue
				}
				pctx, cancel := context.WithTimeout(ctx, healthProbeTime)
				conds := h.Health(pctx)
				cancel()
				if ctx.Err() != nil {
					return
				}
				m.setHealth(e, conds, time.Now())
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return done
}

// setHealth records conds as e's conditions, keeping the Since of those
// whose OK did not change, and logs each change.
func (m *Manager) setHealth(e *entry, conds []Condition, now time.Time) {
	m.mu.Lock()
	prev := map[string]Condition{}
	for _, c := range e.conditions {
		prev[c.Type] = c
	}
	out := make([]Condition, len(conds))
	type change struct {
		c   Condition
		was bool
	}
	var changes []change
	for i, c := range conds {
		p, seen := prev[c.Type]
		switch {
		case !c.Since.IsZero():
		case seen && p.OK == c.OK:
			c.Since = p.Since
		default:
			c.Since = now
		}
		if (!seen && !c.OK) || (seen && p.OK != c.OK) {
			changes = append(changes, change{c: c, was: seen && p.OK})
		}
		out[i] = c
	}
	e.conditions = out
	m.mu.Unlock()
	for _, ch := range changes {
		if ch.c.OK {
			m.opts.Logger.Info("component healthy again", "component", e.name, "condition", ch.c.Type)
		} else {
			m.opts.Logger.Info("component degraded", "component", e.name, "condition", ch.c.Type, "problem", ch.c.Message)
		}
	}
}
