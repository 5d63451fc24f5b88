package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var joinLine = regexp.MustCompile(`kubenode worker --join (kn1\.[A-Za-z0-9_-]+)`)

// startWorker joins h with token and waits until it reports ready.
func startWorker(t *testing.T, h *host, token string) *process {
	t.Helper()
	h.ensureRuntimeConfig()
	args := append([]string{"worker"}, h.nodeArgs()...)
	if token != "" {
		args = append(args, "--join", token)
	}
	p := h.start(args...)
	p.waitLog("node ready", readyTimeout)
	return p
}

// TestWorkerJoin: a primary and a worker joined by the token the primary
// prints at first start; pods on both reach each other over wgkube.
func TestWorkerJoin(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	writeBusyboxArchive(t, h1)
	writeBusyboxArchive(t, h2)
	p1 := startPrimary(t, h1)
	m := joinLine.FindStringSubmatch(p1.output())
	if m == nil {
		t.Fatalf("the primary printed no join line:\n%s", p1.tail(40))
	}
	t0 := time.Now()
	startWorker(t, h2, m[1])
	t.Logf("join to node ready: %s", time.Since(t0))

	eventually(t, time.Minute, "both nodes Ready, primary tainted", func() error {
		out, err := h1.kubectl("get", "nodes", "-o", `jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.spec.taints[*].key}{"\n"}{end}`)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		want := "node1.k8s.internal True node-role.kubernetes.io/control-plane\nnode2.k8s.internal True"
		if strings.TrimSpace(out) != want {
			return fmt.Errorf("nodes:\n%s\nwant:\n%s", out, want)
		}
		return nil
	})

	manifest := filepath.Join(h1.root, "workloads.yaml")
	write(t, manifest, workloads+`---
apiVersion: v1
kind: Pod
metadata: {name: client1}
spec:
  nodeName: node1.k8s.internal
  terminationGracePeriodSeconds: 1
  tolerations: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
  containers:
  - name: client
    image: localhost/busybox:e2e
    imagePullPolicy: Never
    command: ["/bin/busybox", "sleep", "3600"]
`)
	h1.mustKubectl("apply", "-f", manifest)
	web, _ := webPod(t, h1, "")
	waitPodReady(t, h1, "client1")
	if node := h1.mustKubectl("get", "pod", web, "-o", "jsonpath={.spec.nodeName}"); node != "node2.k8s.internal" {
		t.Fatalf("web pod landed on %q, want the worker (the primary is tainted)", node)
	}

	t.Run("logs and exec on the worker from the primary", func(t *testing.T) {
		eventually(t, 30*time.Second, "kubectl logs", func() error {
			out, err := h1.kubectl("logs", web)
			if err != nil || !strings.Contains(out, "hello from web") {
				return fmt.Errorf("%v: %s", err, out)
			}
			return nil
		})
		if out, err := h1.podExec(web, "cat", "/www/index.html"); err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("exec: %v: %q", err, out)
		}
	})

	t.Run("pod to pod across nodes, v4 and v6", func(t *testing.T) {
		ips := strings.Fields(h1.mustKubectl("get", "pod", web, "-o", "jsonpath={.status.podIPs[*].ip}"))
		if len(ips) != 2 || !strings.HasPrefix(ips[0], "10.88.2.") || !strings.HasPrefix(ips[1], "fd88:2::") {
			t.Fatalf("worker pod IPs = %v, want 10.88.2.x and fd88:2::x", ips)
		}
		for _, url := range []string{"http://" + ips[0] + ":8080/", "http://[" + ips[1] + "]:8080/"} {
			eventually(t, 30*time.Second, "client1 to "+url, func() error {
				out, err := h1.podExec("client1", "wget", "-qO-", url)
				if err != nil || strings.TrimSpace(out) != web {
					return fmt.Errorf("%v: %q", err, out)
				}
				return nil
			})
		}
	})

	t.Run("status", func(t *testing.T) {
		out, err := h2.run(append([]string{"status"}, h2.nodeArgs()...)...)
		if err != nil {
			t.Fatalf("kubenode status: %v\n%s", err, out)
		}
		for _, want := range []string{"role:  worker", "node:  node2.k8s.internal (index 2)", "api:   https://192.168.77.1:6443: ok", "node1.k8s.internal", "kubelet                  ready"} {
			if !strings.Contains(out, want) {
				t.Fatalf("kubenode status lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "handshake never") || strings.Contains(out, "not configured") {
			t.Fatalf("the peer has no handshake:\n%s", out)
		}
		t.Logf("worker status:\n%s", out)
	})

	t.Run("Service and DNS from the primary's pod", func(t *testing.T) {
		resolves(t, h1, "client1", "web.default.svc.k8s.internal", strings.TrimSpace(h1.mustKubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")))
		out, err := h1.podExec("client1", "wget", "-qO-", "http://web.default.svc.k8s.internal/")
		if err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("Service across nodes: %v: %q", err, out)
		}
	})
}

// createToken runs `kubenode token create` on the primary and returns the
// join token it prints.
func createToken(t *testing.T, h *host, args ...string) string {
	t.Helper()
	out, err := h.run(append(append([]string{"token", "create"}, h.nodeArgs()...), args...)...)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	m := joinLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("token create printed no join line:\n%s", out)
	}
	return m[1]
}

// TestJoinBadInput: each bad join fails with an error naming the cause and
// leaves nothing behind on the worker.
func TestJoinBadInput(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2, h3 := l.addHost(1), l.addHost(2), l.addHost(3)
	startPrimary(t, h1)
	good := createToken(t, h1, "--ttl", "1h")
	wrongCA := editToken(t, good, "caHash", "sha256:"+strings.Repeat("ab", 32))
	unreachable := editToken(t, good, "server", "https://192.168.77.99:6443")
	deleted := createToken(t, h1, "--ttl", "1h")
	deletedID := tokenField(t, deleted, "token")[:6]
	if out, err := h1.run(append([]string{"token", "delete", deletedID}, h1.nodeArgs()...)...); err != nil {
		t.Fatalf("token delete: %v\n%s", err, out)
	}
	expired := createToken(t, h1, "--ttl", "2s")
	// The apiserver caches token logins for ~10s; neither token was used.
	time.Sleep(3 * time.Second)

	cases := []struct {
		name, token, config, want string
	}{
		{name: "malformed token", token: "kn1.not-base64!", want: "the join token is truncated or garbled"},
		{name: "no token", token: "", want: "has not joined a cluster: pass --join TOKEN"},
		{name: "wrong CA hash", token: wrongCA, want: "but the join token pins sha256:abab"},
		{name: "unreachable API", token: unreachable, want: "cannot reach the primary's API at 192.168.77.99:6443"},
		{name: "deleted token", token: deleted, want: "does not accept bootstrap token " + deletedID},
		{name: "expired token", token: expired, want: "(expired, deleted or mistyped)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.RemoveAll(h2.dataDir())
			os.RemoveAll(h2.runDir())
			h2.ensureRuntimeConfig()
			args := append([]string{"worker"}, h2.nodeArgs()...)
			if tc.token != "" {
				args = append(args, "--join", tc.token)
			}
			out, err := h2.run(args...)
			if err == nil {
				t.Fatalf("worker joined, want an error containing %q:\n%s", tc.want, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Fatalf("error does not contain %q:\n%s", tc.want, out)
			}
			for _, dir := range []string{h2.dataDir(), h2.runDir()} {
				if _, err := os.Stat(dir); err == nil {
					t.Fatalf("%s was left behind", dir)
				}
			}
		})
	}

	t.Run("a used token and a taken index are refused", func(t *testing.T) {
		os.RemoveAll(h2.dataDir())
		os.RemoveAll(h2.runDir())
		startWorker(t, h2, good)
		// The same token on another host.
		h3.ensureRuntimeConfig()
		out, err := h3.run(append(append([]string{"worker"}, h3.nodeArgs()...), "--join", good)...)
		if err == nil || !strings.Contains(out, "was already used to join another host") {
			t.Fatalf("reusing a token: %v\n%s", err, out)
		}
		// A fresh token, but asking for node2's index.
		h3.writeConfig("nodeIndex: 2\n" + h3.runtimeConfig())
		out, err = h3.run(append(append([]string{"worker"}, h3.nodeArgs()...), "--join", createToken(t, h1))...)
		if err == nil || !strings.Contains(out, "node index 2 is already taken") {
			t.Fatalf("taking node 2's index: %v\n%s", err, out)
		}
		if _, err := os.Stat(h3.dataDir()); err == nil {
			t.Fatalf("%s was left behind", h3.dataDir())
		}
	})
}

// tokenField reads one field of a kn1. join token (base64url JSON).
func tokenField(t *testing.T, tok, field string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, "kn1."))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m[field]
}

// editToken returns tok with one field replaced, as a tampered or wrong
// token would be.
func editToken(t *testing.T, tok, field, value string) string {
	t.Helper()
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, "kn1."))
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m[field] = value
	b, _ := json.Marshal(m)
	return "kn1." + base64.RawURLEncoding.EncodeToString(b)
}
