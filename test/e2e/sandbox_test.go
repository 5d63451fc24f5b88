package e2e

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSandbox is `make sandbox`: a primary in a fresh network namespace,
// built by the same harness as the tests, so a person can try kubenode on a
// machine whose own network must not change. It runs until interrupted,
// then removes everything it made. Skipped unless KUBENODE_SANDBOX=1.
func TestSandbox(t *testing.T) {
	if os.Getenv("KUBENODE_SANDBOX") != "1" {
		t.Skip("set KUBENODE_SANDBOX=1 (make sandbox) to start a sandbox node")
	}
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	writeBusyboxArchive(t, h)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(stop)
	p := startPrimary(t, h)

	kubectl := filepath.Join(os.TempDir(), "kubenode-sandbox-kubectl")
	script := fmt.Sprintf("#!/bin/sh\nexec nsenter --net=%s -- %s kubectl --data-dir %s \"$@\"\n", h.ns, kubenodeBin(t), h.dataDir())
	if err := os.WriteFile(kubectl, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(kubectl)
	fmt.Printf(`
kubenode sandbox is ready: node1.k8s.internal in network namespace %s
  node IP 192.168.77.1, data dir %s
  kubectl:   %s get nodes -o wide
  an image:  localhost/busybox:e2e (busybox-static), e.g.
             %s run demo --image=localhost/busybox:e2e --image-pull-policy=Never -- /bin/busybox sleep 3600
  a shell in the node's network: nsenter --net=%s bash
Press Ctrl-C to stop the node and remove the sandbox.
`, h.name, h.dataDir(), kubectl, kubectl, h.ns)
	select {
	case <-stop:
	case <-p.done:
		t.Fatalf("kubenode exited: %v\n%s", p.err, p.tail(40))
	}
	fmt.Println("stopping the sandbox node...")
	if f := os.Getenv("KUBENODE_SANDBOX_LOG"); f != "" {
		_ = os.WriteFile(f, []byte(p.output()), 0o600)
	}
}
