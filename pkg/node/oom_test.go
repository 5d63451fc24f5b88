package node

import "testing"

func readOOMScoreAdj(t *testing.T) int32 {
	t.Helper()
	v, err := currentOOMScoreAdj()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Raising the score is always allowed; lowering it below what the process
// started with needs CAP_SYS_RESOURCE. Either way the function reports
// what the process really has, which is what the kubelet and kube-proxy
// are then given.
func TestProcessOOMScoreAdj(t *testing.T) {
	start := readOOMScoreAdj(t)
	if start >= 1000 {
		t.Skipf("oom_score_adj is already %d", start)
	}
	up := start + 1
	got, err := processOOMScoreAdj(up)
	if err != nil {
		t.Fatal(err)
	}
	if got != up || readOOMScoreAdj(t) != up {
		t.Fatalf("raised to %d: got %d, process has %d", up, got, readOOMScoreAdj(t))
	}
	got, err = processOOMScoreAdj(-1000)
	if err != nil {
		t.Fatal(err)
	}
	if has := readOOMScoreAdj(t); got != has {
		t.Fatalf("lowering to -1000 returned %d, but the process has %d", got, has)
	}
	if got != -1000 && got != up {
		t.Fatalf("lowering to -1000 gave %d: neither the new value nor the old (%d)", got, up)
	}
}
