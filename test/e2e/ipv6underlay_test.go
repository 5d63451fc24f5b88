package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWorkerJoinIPv6Underlay is seed 003's setup: IPv6-only hosts, the
// default dual-stack pod network. Every address other nodes use (the
// WireGuard endpoints, the apiserver's advertise address, the join
// server) is a node IP, never a brkube address, so the mesh forms: pods
// talk across nodes over both families, kubectl exec reaches the worker,
// and node names resolve.
func TestWorkerJoinIPv6Underlay(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHostWith(1, hostOptions{noIPv4: true}), l.addHostWith(2, hostOptions{noIPv4: true})
	writeBusyboxArchive(t, h1)
	writeBusyboxArchive(t, h2)
	startPrimary(t, h1)
	tok := createToken(t, h1)
	if server := tokenField(t, tok, "server"); server != "https://[fd77::1]:6443" {
		t.Fatalf("the join token names %s, want the primary's IPv6 node IP", server)
	}
	startWorker(t, h2, tok)

	t.Run("endpoints and the advertise address are node IPs", func(t *testing.T) {
		eventually(t, 30*time.Second, "WireGuard endpoints", func() error {
			out, err := h1.kubectl("get", "nodes", "-o", `jsonpath={range .items[*]}{.metadata.annotations.kubenode\.io/wireguard-endpoint} {end}`)
			if err != nil || strings.TrimSpace(out) != "[fd77::1]:51820 [fd77::2]:51820" {
				return fmt.Errorf("endpoints %q (%v), want [fd77::1]:51820 [fd77::2]:51820", out, err)
			}
			return nil
		})
		if out := h1.mustKubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=kubernetes", "-o", "jsonpath={.items[*].endpoints[*].addresses[*]}"); strings.TrimSpace(out) != "fd77::1" {
			t.Fatalf("the kubernetes Service's endpoints are %q, want the primary's node IP fd77::1", out)
		}
		if out := h1.mustKubectl("get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"); out != "fd88::1" {
			t.Fatalf("the kubernetes Service is %q, want fd88::1 (the node IPs' family first)", out)
		}
		out, err := h2.run(append([]string{"status"}, h2.nodeArgs()...)...)
		if err != nil || !strings.Contains(out, "node1.k8s.internal") || strings.Contains(out, "handshake never") {
			t.Fatalf("worker status: %v\n%s", err, out)
		}
	})

	manifest := filepath.Join(h1.root, "workloads.yaml")
	write(t, manifest, workloads+client1OnPrimary)
	h1.mustKubectl("apply", "-f", manifest)
	web, _ := webPod(t, h1, "")
	waitPodReady(t, h1, "client1")
	if node := h1.mustKubectl("get", "pod", web, "-o", "jsonpath={.spec.nodeName}"); node != "node2.k8s.internal" {
		t.Fatalf("web pod landed on %q, want the worker", node)
	}

	t.Run("exec on the worker and pod to pod across nodes, v4 and v6", func(t *testing.T) {
		if out, err := h1.podExec(web, "cat", "/www/index.html"); err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("exec on the worker's pod: %v: %q", err, out)
		}
		ips := strings.Fields(h1.mustKubectl("get", "pod", web, "-o", "jsonpath={.status.podIPs[*].ip}"))
		if len(ips) != 2 {
			t.Fatalf("worker pod IPs = %v, want one of each family", ips)
		}
		for _, ip := range ips {
			url := "http://" + ip + ":8080/"
			if strings.Contains(ip, ":") {
				url = "http://[" + ip + "]:8080/"
			}
			eventually(t, 30*time.Second, "client1 to "+url, func() error {
				out, err := h1.podExec("client1", "wget", "-qO-", url)
				if err != nil || strings.TrimSpace(out) != web {
					return fmt.Errorf("%v: %q", err, out)
				}
				return nil
			})
		}
	})

	t.Run("node names and Services from a pod", func(t *testing.T) {
		resolves(t, h1, "client1", "node2.k8s.internal", "10.88.2.1")
		out, err := h1.podExec("client1", "wget", "-qO-", "http://web.default.svc.k8s.internal/")
		if err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("Service across nodes: %v: %q", err, out)
		}
	})
}
