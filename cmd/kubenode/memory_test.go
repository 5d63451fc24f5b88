package main

import (
	"runtime/debug"
	"testing"
)

func TestNodeGCPercent(t *testing.T) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(debug.SetGCPercent(idleGCPercent))
	var states []string
	notify := withNodeMemory(func(s string) error { states = append(states, s); return nil }, primaryIdleGCPercent)
	if got := debug.SetGCPercent(startGCPercent); got != startGCPercent {
		t.Fatalf("GC percent before READY: %d, want %d", got, startGCPercent)
	}
	for _, s := range []string{"STATUS=x", "READY=1"} {
		if err := notify(s); err != nil {
			t.Fatal(err)
		}
	}
	if got := debug.SetGCPercent(idleGCPercent); got != primaryIdleGCPercent {
		t.Fatalf("GC percent after READY: %d, want %d", got, primaryIdleGCPercent)
	}
	if len(states) != 2 || states[1] != "READY=1" {
		t.Fatalf("notified %q, want both states passed on", states)
	}

	t.Setenv("GOGC", "80")
	debug.SetGCPercent(80)
	withNodeMemory(func(string) error { return nil }, primaryIdleGCPercent)
	if got := debug.SetGCPercent(80); got != 80 {
		t.Fatalf("GC percent with GOGC=80 set: %d, want 80 kept", got)
	}
}
