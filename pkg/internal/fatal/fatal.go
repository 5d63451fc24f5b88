// Package fatal routes process-wide fatal reports (a library's Fatal
// hook, a recovered panic in a server handler) to the one instance of a
// component that runs now, and to no later one.
package fatal

import "sync"

// Sink is the meeting point of a process-wide hook and the instances of
// one component, which run one after the other.
type Sink struct {
	mu sync.Mutex
	ch chan error
}

// Watch starts a new instance's watch: its channel receives the first
// error reported until stop is called. A report made before Watch, or to
// an earlier instance, is never seen here.
func (s *Sink) Watch() (errs <-chan error, stop func()) {
	ch := make(chan error, 1)
	s.mu.Lock()
	s.ch = ch
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		if s.ch == ch {
			s.ch = nil
		}
		s.mu.Unlock()
	}
}

// Report hands err to the instance that watches now. It never blocks: only
// the first error per instance is kept. It returns false when no instance
// watches, so that the caller can log err instead.
func (s *Sink) Report(err error) bool {
	s.mu.Lock()
	ch := s.ch
	s.mu.Unlock()
	if ch == nil {
		return false
	}
	select {
	case ch <- err:
	default:
	}
	return true
}
