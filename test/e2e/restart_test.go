package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// pinnedPod is a busybox pod bound to node by nodeName (no scheduler).
func pinnedPod(name, node string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s}
spec:
  nodeName: %s
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: localhost/busybox:e2e
    imagePullPolicy: Never
    command: ["/bin/busybox", "sleep", "3600"]
`, name, node)
}

// podStartTime creates a pod bound to node and returns how long it took
// from the create to phase Running, as the API reports it; limit when it
// never got there.
func podStartTime(t *testing.T, h *host, name, node string, limit time.Duration) time.Duration {
	t.Helper()
	manifest := filepath.Join(h.root, name+".yaml")
	write(t, manifest, pinnedPod(name, node))
	t0 := time.Now()
	h.mustKubectl("apply", "-f", manifest)
	for time.Since(t0) < limit {
		if out, _ := h.kubectl("get", "pod", name, "-o", "jsonpath={.status.phase}"); out == "Running" {
			return time.Since(t0)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return limit
}

// TestWorkerPodStartAfterPrimaryRestart: a pod bound to a worker starts as
// fast after a restart of the primary as before. While the primary is down
// the worker's watches get "connection refused", and client-go's default
// backoff (up to 30 s, doubled by jitter) had the kubelet see the pod up
// to a minute after the primary was back.
func TestWorkerPodStartAfterPrimaryRestart(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	writeBusyboxArchive(t, h2)
	p1 := startPrimary(t, h1)
	startWorker(t, h2, createToken(t, h1))
	const node2 = "node2.k8s.internal"
	t.Logf("pod start on the worker before the restart: %s", podStartTime(t, h1, "before", node2, time.Minute).Round(time.Millisecond))
	// Down for about 45 s (a reboot, an upgrade): long enough for
	// client-go's default backoff to reach [25.6 s, 51.2 s) between two
	// tries, and its tries to miss the primary's return.
	t0 := time.Now()
	if _, err := p1.stop(20 * time.Second); err != nil {
		t.Fatalf("stop the primary: %v", err)
	}
	time.Sleep(40*time.Second - time.Since(t0))
	startPrimary(t, h1)
	t.Logf("the primary was back after %s", time.Since(t0).Round(time.Millisecond))
	// The kubelet sees the pod once its watch is back, and starts it in
	// about a second: 10 s leaves room for a loaded machine.
	d := podStartTime(t, h1, "after", node2, 2*time.Minute)
	t.Logf("pod start on the worker after the restart: %s", d.Round(time.Millisecond))
	if d > 10*time.Second {
		t.Fatalf("a pod bound to the worker took %s to run after the primary's restart, want under 10s", d.Round(time.Millisecond))
	}
}
