package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serial is the serial number of the PEM certificate in file.
func serial(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command("openssl", "x509", "-in", file, "-noout", "-serial").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl x509 %s: %v\n%s", file, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestCertificates: certs check lists the primary's PKI and each node's
// kubelet certificates with days left; certs rotate renews every leaf of a
// running primary, and after a restart the apiserver serves its new
// certificate and the cluster, the worker included, works on the new ones.
func TestCertificates(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	p1 := startPrimary(t, h1)
	startWorker(t, h2, createToken(t, h1))

	check := func(h *host, want ...string) {
		t.Helper()
		out, err := h.run(append([]string{"certs", "check"}, h.nodeArgs()...)...)
		if err != nil {
			t.Fatalf("certs check on %s: %v\n%s", h.name, err, out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Fatalf("certs check on %s lacks %q:\n%s", h.name, w, out)
			}
		}
		t.Logf("certs check on %s:\n%s", h.name, out)
	}
	check(h1, "pki/apiserver.crt", "CN=kube-apiserver", "pki/ca.crt", "front-proxy/front-proxy-client.crt", "kubelet-serving/kubelet-serving-node1.k8s.internal.crt", "pki/kubelet-client-node1.k8s.internal.crt", " 364", "DAYS LEFT")
	check(h2, "kubelet-client-current.pem", "CN=system:node:node2.k8s.internal", "kubelet-server-current.pem")

	if out, err := h2.run(append([]string{"certs", "rotate"}, h2.nodeArgs()...)...); err == nil || !strings.Contains(out, "renew their own") && !strings.Contains(out, "renews its own") {
		t.Fatalf("certs rotate on a worker: %v\n%s", err, out)
	}

	apiCert := filepath.Join(h1.dataDir(), "pki", "apiserver.crt")
	before := serial(t, apiCert)
	out, err := h1.run(append([]string{"certs", "rotate"}, h1.nodeArgs()...)...)
	if err != nil || !strings.Contains(out, "apiserver: renewed (rotate)") || !strings.Contains(out, "admin: renewed (rotate)") {
		t.Fatalf("certs rotate: %v\n%s", err, out)
	}
	after := serial(t, apiCert)
	if after == before {
		t.Fatalf("apiserver.crt not renewed: %s", after)
	}
	if _, err := p1.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	startPrimary(t, h1)
	if out, err := h1.exec("sh", "-c", "openssl s_client -connect 192.168.77.1:6443 </dev/null 2>/dev/null | openssl x509 -noout -serial"); err != nil || strings.TrimSpace(out) != after {
		t.Fatalf("after a restart the apiserver serves %q (%v), want %s", strings.TrimSpace(out), err, after)
	}
	h1.mustKubectl("get", "nodes")
	waitNodeReady(t, h1, "node2.k8s.internal", 90*time.Second) // the worker Ready on the rotated primary
}
