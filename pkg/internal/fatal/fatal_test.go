package fatal

import (
	"errors"
	"testing"
)

// An error reported to one instance does not end the next one, and a
// report with no instance watching is refused.
func TestReportReachesOnlyTheCurrentInstance(t *testing.T) {
	var s Sink
	if s.Report(errors.New("before any instance")) {
		t.Error("a report with nobody watching was accepted")
	}
	first, stop := s.Watch()
	if !s.Report(errors.New("first instance's")) || !s.Report(errors.New("second error")) {
		t.Fatal("report refused while an instance watches")
	}
	if err := <-first; err.Error() != "first instance's" {
		t.Errorf("first instance got %v", err)
	}
	s.Report(errors.New("late, for the first instance"))
	stop()

	second, stop2 := s.Watch()
	defer stop2()
	select {
	case err := <-second:
		t.Fatalf("the new instance got an earlier instance's error: %v", err)
	default:
	}
	stop() // the first instance's stop, late: must not end the second's watch
	if !s.Report(errors.New("second instance's")) {
		t.Fatal("the first instance's late stop ended the second's watch")
	}
	if err := <-second; err.Error() != "second instance's" {
		t.Errorf("second instance got %v", err)
	}
}
