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

	"github.com/kubenode/kubenode/pkg/inotify"
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
	p2 := startWorker(t, h2, m[1])
	t.Logf("join to node ready: %s", time.Since(t0))
	// The kubelet gets its client certificate before it starts: it never
	// asks the API anything without credentials.
	for _, line := range strings.Split(p2.output(), "\n") {
		if strings.Contains(line, "Unauthorized") {
			t.Errorf("the worker was refused by the API before node ready: %s", line)
		}
	}

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
	write(t, manifest, workloads+client1OnPrimary)
	h1.mustKubectl("apply", "-f", manifest)
	web, _ := webPod(t, h1, "")
	waitPodReady(t, h1, "client1")
	if node := h1.mustKubectl("get", "pod", web, "-o", "jsonpath={.spec.nodeName}"); node != "node2.k8s.internal" {
		t.Fatalf("web pod landed on %q, want the worker (the primary is tainted)", node)
	}

	t.Run("the primary carries the control-plane role", func(t *testing.T) {
		eventually(t, 30*time.Second, "ROLES control-plane on node1", func() error {
			out, err := h1.kubectl("get", "nodes", "-l", "node-role.kubernetes.io/control-plane", "-o", "name")
			if err != nil || strings.TrimSpace(out) != "node/node1.k8s.internal" {
				return fmt.Errorf("%v: %q", err, out)
			}
			return nil
		})
	})

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

	// A Node the mesh must leave out (its endpoint is inside the cluster
	// range, as IPv6-only hosts once published) makes the node degraded,
	// and status names it; a route deleted by hand is put back.
	t.Run("status names a node left out of the mesh; a route and a firewall set element deleted by hand come back", func(t *testing.T) {
		status := func() string {
			out, err := h2.run(append([]string{"status"}, h2.nodeArgs()...)...)
			if err != nil {
				t.Fatalf("kubenode status: %v\n%s", err, out)
			}
			return out
		}
		const ghost = "node9.k8s.internal"
		manifest := filepath.Join(h1.root, "ghost-node.yaml")
		write(t, manifest, `apiVersion: v1
kind: Node
metadata:
  name: `+ghost+`
  annotations:
    kubenode.io/node-index: "9"
    kubenode.io/wireguard-public-key: AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=
    kubenode.io/wireguard-endpoint: 10.88.9.1:51820
`)
		h1.mustKubectl("apply", "-f", manifest)
		eventually(t, 60*time.Second, "mesh degraded, naming "+ghost, func() error {
			out := status()
			for _, want := range []string{"mesh                     degraded", "AllNodesPeered", ghost, "10.88.9.1"} {
				if !strings.Contains(out, want) {
					return fmt.Errorf("no %q in:\n%s", want, out)
				}
			}
			return nil
		})
		h1.mustKubectl("delete", "node", ghost)
		eventually(t, 60*time.Second, "mesh ready again", func() error {
			if out := status(); !strings.Contains(out, "mesh                     ready") {
				return fmt.Errorf("mesh not ready:\n%s", out)
			}
			return nil
		})

		route := "10.88.1.0/24"
		if out := h2.mustExec("ip", "route", "show", "dev", "wgkube"); !strings.Contains(out, route) {
			t.Fatalf("no route %s via wgkube:\n%s", route, out)
		}
		// And an element of the firewall's set of the primary's addresses:
		// the keeper adds it back without rebuilding the chains.
		h2.mustExec("nft", "delete", "element", "inet", "kubenode", "primary-v4", "{ 10.88.1.1 }")
		h2.mustExec("ip", "route", "del", route, "dev", "wgkube")
		eventually(t, 20*time.Second, "the deleted route put back", func() error {
			if out := h2.mustExec("ip", "route", "show", "dev", "wgkube"); !strings.Contains(out, route) {
				return fmt.Errorf("no route %s:\n%s", route, out)
			}
			return nil
		})
		eventually(t, 20*time.Second, "the deleted set element put back", func() error {
			if out := h2.mustExec("nft", "list", "set", "inet", "kubenode", "primary-v4"); !strings.Contains(out, "10.88.1.1") {
				return fmt.Errorf("no 10.88.1.1:\n%s", out)
			}
			return nil
		})
		if out := p2.output(); !strings.Contains(out, "the host differs from the plan; putting it back") || !strings.Contains(out, "+ 10.88.1.1 in set primary-v4") {
			t.Errorf("the worker does not say it put the route and the set element back")
		}
		eventually(t, 60*time.Second, "network ready", func() error {
			if out := status(); !strings.Contains(out, "network                  ready") {
				return fmt.Errorf("network not ready:\n%s", out)
			}
			return nil
		})
	})

	// Peers from Node objects are what the running node wants, not
	// changes pending against the config.
	t.Run("network show on a healthy mesh", func(t *testing.T) {
		for _, n := range []struct {
			h    *host
			peer string
		}{{h1, "peer 2 "}, {h2, "peer 1 "}} {
			out, err := n.h.run(append([]string{"network", "show"}, n.h.nodeArgs()...)...)
			if err != nil {
				t.Fatalf("kubenode network show on %s: %v\n%s", n.h.name, err, out)
			}
			if strings.Contains(out, "changes pending") || !strings.Contains(out, "in sync with the running node's peers") {
				t.Errorf("network show on %s is not in sync:\n%s", n.h.name, out)
			}
			if !strings.Contains(out, "\n  "+n.peer) {
				t.Errorf("network show on %s does not list %q:\n%s", n.h.name, n.peer, out)
			}
		}
	})

	// Each inotify instance counts against the user's
	// fs.inotify.max_user_instances (128 by default), which kubenode check
	// compares with these numbers.
	t.Run("inotify instances", func(t *testing.T) {
		for _, n := range []struct {
			name string
			pid  int
			max  int
		}{{"primary", p1.cmd.Process.Pid, inotify.PrimaryIdle}, {"worker", p2.cmd.Process.Pid, inotify.WorkerIdle}} {
			// Idle is the fewest over a few seconds: a container start or
			// a log stream opens one for a moment.
			got := inotify.Count(fmt.Sprintf("/proc/%d/fd", n.pid))
			for range 5 {
				if got <= n.max {
					break
				}
				time.Sleep(time.Second)
				got = min(got, inotify.Count(fmt.Sprintf("/proc/%d/fd", n.pid)))
			}
			t.Logf("%s: %d inotify instances", n.name, got)
			if got == 0 || got > n.max {
				t.Errorf("the %s holds %d inotify instances, want at most %d", n.name, got, n.max)
			}
		}
		// ok or warn depends on what else runs on the machine.
		out, err := h1.run("check")
		if !regexp.MustCompile(`(?m)^(ok|warn) +inotify +\d+ of \d+ instances in use \(fs.inotify.max_user_instances\); a primary takes 19, a worker 12`).MatchString(out) {
			t.Errorf("kubenode check: %v\n%s", err, out)
		}
	})

	t.Run("Service and DNS from the primary's pod", func(t *testing.T) {
		resolves(t, h1, "client1", "web.default.svc.k8s.internal", strings.TrimSpace(h1.mustKubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")))
		out, err := h1.podExec("client1", "wget", "-qO-", "http://web.default.svc.k8s.internal/")
		if err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("Service across nodes: %v: %q", err, out)
		}
	})
}

// client1OnPrimary is a client pod on the (tainted) primary, to reach
// pods on workers from.
const client1OnPrimary = `---
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
`

// clientDaemonSet is a client pod on every node, the primary included.
const clientDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: client}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
      containers:
      - name: client
        image: localhost/busybox:e2e
        imagePullPolicy: Never
        command: ["/bin/busybox", "sleep", "3600"]
`

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
	unused := createToken(t, h1, "--ttl", "1h")
	expired := createToken(t, h1, "--ttl", "2s")
	// The apiserver caches token logins for ~10s; neither token was used.
	time.Sleep(3 * time.Second)

	garbled := filepath.Join(t.TempDir(), "join")
	if err := os.WriteFile(garbled, []byte("kn1.not-base64!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, token, joinFile, config, want string
	}{
		{name: "missing join file", joinFile: "/nonexistent/kubenode-join", want: "join token file: open /nonexistent/kubenode-join: no such file or directory; write the kn1."},
		{name: "garbled join file", joinFile: garbled, want: "join token file " + garbled + ": the join token is truncated or garbled"},
		{name: "join and join file", token: unused, joinFile: garbled, want: "--join and --join-file both given: use one"},
		{name: "malformed token", token: "kn1.not-base64!", want: "the join token is truncated or garbled"},
		{name: "no token", token: "", want: "has not joined a cluster: pass --join TOKEN"},
		{name: "wrong CA hash", token: wrongCA, want: "but the join token pins sha256:abab"},
		{name: "unreachable API", token: unreachable, want: "cannot reach the primary's API at 192.168.77.99:6443"},
		{name: "deleted token", token: deleted, want: "does not accept bootstrap token " + deletedID},
		{name: "expired token", token: expired, want: "(expired, deleted, already used or mistyped"},
		// Host facts fail before the join: the token stays unused.
		{name: "no such underlay interface", token: unused, config: "network:\n  underlayInterface: eth9\n", want: `network.underlayInterface "eth9": no such interface`},
		{name: "WireGuard port out of range", token: unused, config: "network:\n  wireguardPort: 70000\n", want: "network.wireguardPort 70000: must be between 1 and 65535"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.RemoveAll(h2.dataDir())
			os.RemoveAll(h2.runDir())
			h2.writeConfig(tc.config)
			h2.ensureRuntimeConfig()
			args := append([]string{"worker"}, h2.nodeArgs()...)
			if tc.token != "" {
				args = append(args, "--join", tc.token)
			}
			if tc.joinFile != "" {
				args = append(args, "--join-file", tc.joinFile)
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
	h2.writeConfig("")
	t.Run("the token of a join that failed on the host is unused", func(t *testing.T) {
		out, err := h1.run(append([]string{"token", "list"}, h1.nodeArgs()...)...)
		if err != nil {
			t.Fatalf("token list: %v\n%s", err, out)
		}
		id := tokenField(t, unused, "token")[:6]
		if !strings.Contains(out, id) {
			t.Fatalf("token %s is gone:\n%s", id, out)
		}
		if _, err := h1.kubectl("-n", "kube-node-lease", "get", "lease", "kubenode-token-"+id); err == nil {
			t.Fatalf("token %s was claimed by a join that failed on the host", id)
		}
	})

	t.Run("a used token and a taken index are refused", func(t *testing.T) {
		os.RemoveAll(h2.dataDir())
		os.RemoveAll(h2.runDir())
		p2 := startWorker(t, h2, good)
		// The same token on another host.
		h3.ensureRuntimeConfig()
		out, err := h3.run(append(append([]string{"worker"}, h3.nodeArgs()...), "--join", good)...)
		// Refused by the primary's join record, or, once the worker's Node
		// registered and its token was deleted, by the apiserver.
		if err == nil || !strings.Contains(out, "already used") {
			t.Fatalf("reusing a token: %v\n%s", err, out)
		}
		// A fresh token, read from a file (a NixOS joinTokenFile), but
		// asking for node2's index.
		h3.writeConfig("nodeIndex: 2\n" + h3.runtimeConfig())
		tokenFile := filepath.Join(t.TempDir(), "join")
		if err := os.WriteFile(tokenFile, []byte(createToken(t, h1)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err = h3.run(append(append([]string{"worker"}, h3.nodeArgs()...), "--join-file", tokenFile)...)
		if err == nil || !strings.Contains(out, "node index 2 is already taken") {
			t.Fatalf("taking node 2's index: %v\n%s", err, out)
		}
		if _, err := os.Stat(h3.dataDir()); err == nil {
			t.Fatalf("%s was left behind", h3.dataDir())
		}

		// The primary deleted the token once node2 registered: the joined
		// worker restarts on its own credentials.
		goodID := tokenField(t, good, "token")[:6]
		eventually(t, 30*time.Second, "the used token deleted", func() error {
			out, err := h1.run(append([]string{"token", "list"}, h1.nodeArgs()...)...)
			if err != nil || strings.Contains(out, goodID) {
				return fmt.Errorf("token list: %v\n%s", err, out)
			}
			return nil
		})
		if _, err := p2.stop(20 * time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
		time.Sleep(11 * time.Second) // the apiserver's token cache

		// A joined host refuses a new token instead of ignoring it.
		fresh := createToken(t, h1)
		out, err = h2.run(append(append([]string{"worker"}, h2.nodeArgs()...), "--join", fresh)...)
		if err == nil || !strings.Contains(out, "this host already joined the cluster at https://192.168.77.1:6443 as node2.k8s.internal; the token is not used") ||
			!strings.Contains(out, "run `kubenode reset` first") {
			t.Fatalf("--join on a joined host: %v\n%s", err, out)
		}
		// A token left in the environment (a unit's Environment=) is not
		// a request: the node starts, saying it does not use it.
		t.Setenv("KUBENODE_JOIN_TOKEN", fresh)
		p2 = startWorker(t, h2, "")
		if !strings.Contains(p2.output(), "KUBENODE_JOIN_TOKEN is set, but this host already joined") {
			t.Fatalf("no word about the unused KUBENODE_JOIN_TOKEN:\n%s", p2.tail(40))
		}
		if _, err := h1.kubectl("-n", "kube-node-lease", "get", "lease", "kubenode-token-"+tokenField(t, fresh, "token")[:6]); err == nil {
			t.Fatal("the refused token was claimed")
		}
		// A joined host neither reads nor needs its token file.
		if _, err := p2.stop(20 * time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
		t.Setenv("KUBENODE_JOIN_TOKEN", "")
		h2.ensureRuntimeConfig()
		p2 = h2.start(append(append([]string{"worker"}, h2.nodeArgs()...), "--join-file", "/nonexistent/kubenode-join")...)
		p2.waitLog("node ready", readyTimeout)
		if !strings.Contains(p2.output(), "--join-file /nonexistent/kubenode-join is set, but this host already joined") {
			t.Fatalf("no word about the unused --join-file:\n%s", p2.tail(40))
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

// TestCluster: a primary and two workers joined at the same moment get
// distinct indexes; a Service with endpoints on both workers answers from
// every node and every node's pods; the underlay carries pod traffic only
// inside WireGuard; a restarted worker comes back; a deleted Node leaves
// every peer list.
func TestCluster(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2, h3 := l.addHost(1), l.addHost(2), l.addHost(3)
	for _, h := range []*host{h1, h2, h3} {
		writeBusyboxArchive(t, h)
	}
	startPrimary(t, h1)
	tok2, tok3 := createToken(t, h1), createToken(t, h1)
	// Concurrent joins.
	var p3 *process
	done := make(chan struct{})
	go func() {
		defer close(done)
		h3.ensureRuntimeConfig()
		p3 = h3.start(append(append([]string{"worker"}, h3.nodeArgs()...), "--join", tok3)...)
	}()
	h2.ensureRuntimeConfig()
	p2 := h2.start(append(append([]string{"worker"}, h2.nodeArgs()...), "--join", tok2)...)
	<-done
	p2.waitLog("node ready", readyTimeout)
	p3.waitLog("node ready", readyTimeout)
	idx := map[string]bool{}
	var h3Index string
	for _, p := range []*process{p2, p3} {
		m := regexp.MustCompile(`"joined".*index=(\d+)`).FindStringSubmatch(p.output())
		if m == nil {
			t.Fatalf("no Joined line:\n%s", p.tail(20))
		}
		idx[m[1]] = true
		h3Index = m[1] // p3 is last
	}
	if !idx["2"] || !idx["3"] {
		t.Fatalf("concurrent joins got indexes %v, want 2 and 3", idx)
	}
	h3Node := "node" + h3Index + ".k8s.internal"

	manifest := filepath.Join(h1.root, "cluster.yaml")
	write(t, manifest, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
      containers:
      - name: web
        image: localhost/busybox:e2e
        imagePullPolicy: Never
        command: ["/bin/busybox", "sh", "-c", "mkdir -p /www; hostname > /www/index.html; exec /bin/busybox httpd -f -p 8080 -h /www"]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
`+clientDaemonSet)
	h1.mustKubectl("apply", "-f", manifest)
	h1.mustKubectl("rollout", "status", "deploy/web", "--timeout=120s")
	h1.mustKubectl("rollout", "status", "ds/client", "--timeout=120s")
	out := h1.mustKubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.nodeName}")
	if nodes := strings.Fields(out); len(nodes) != 2 || nodes[0] == nodes[1] || strings.Contains(out, "node1.") {
		t.Fatalf("web pods on %q, want one on each worker", out)
	}
	webPods := strings.Fields(h1.mustKubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}"))
	clients := strings.Fields(h1.mustKubectl("get", "pods", "-l", "app=client", "-o", "jsonpath={.items[*].metadata.name}"))
	if len(clients) != 3 {
		t.Fatalf("client pods %v, want one per node", clients)
	}
	svcIP := strings.TrimSpace(h1.mustKubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"))

	capture := startCapture(t, "/run/netns/"+l.switch_, "br0", "not (tcp port 6443 or tcp port 10250)")
	t.Run("Service from every node's pods, by name, both endpoints", func(t *testing.T) {
		for _, c := range clients {
			resolves(t, h1, c, "web.default.svc.k8s.internal", svcIP)
			seen := map[string]bool{}
			eventually(t, 30*time.Second, c+" reaches both endpoints", func() error {
				out, err := h1.podExec(c, "wget", "-qO-", "http://web.default.svc.k8s.internal/")
				if err != nil {
					return fmt.Errorf("%v: %s", err, out)
				}
				seen[strings.TrimSpace(out)] = true
				if len(seen) < 2 {
					return fmt.Errorf("answers so far: %v", seen)
				}
				return nil
			})
			for _, w := range webPods {
				if !seen[w] {
					t.Fatalf("%s never reached %s: %v", c, w, seen)
				}
			}
		}
	})
	t.Run("node names from a pod", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			resolves(t, h1, clients[0], fmt.Sprintf("node%d.k8s.internal", i), fmt.Sprintf("10.88.%d.1", i))
		}
	})
	t.Run("Service from every node", func(t *testing.T) {
		for _, h := range []*host{h1, h2, h3} {
			if out, err := h.exec("/bin/busybox", "wget", "-qO-", "http://"+svcIP+"/"); err != nil || !strings.HasPrefix(strings.TrimSpace(out), "web-") {
				t.Fatalf("from %s: %v: %q", h.name, err, out)
			}
		}
	})
	underlayOnlyWireGuard(t, capture.stop())

	t.Run("a restarted worker comes back", func(t *testing.T) {
		if _, err := p3.stop(20 * time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
		p3 = startWorker(t, h3, "") // no token: it has joined
		h1.mustKubectl("rollout", "status", "deploy/web", "--timeout=120s")
		h1.mustKubectl("rollout", "status", "ds/client", "--timeout=120s")
	})

	t.Run("a deleted node leaves every peer list", func(t *testing.T) {
		if _, err := p3.stop(20 * time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
		h1.mustKubectl("delete", "node", h3Node)
		for _, h := range []*host{h1, h2} {
			eventually(t, 30*time.Second, h3Node+" gone from "+h.name, func() error {
				out, err := h.run(append([]string{"status"}, h.nodeArgs()...)...)
				if err != nil {
					return fmt.Errorf("%v: %s", err, out)
				}
				if strings.Contains(out, "  "+h3Node) {
					return fmt.Errorf("still a peer:\n%s", out)
				}
				return nil
			})
			if out := h.mustExec("ip", "route", "show", "dev", "wgkube"); strings.Contains(out, "10.88."+h3Index+".") {
				t.Fatalf("%s still routes %s's CIDR:\n%s", h.name, h3Node, out)
			}
		}
	})
}

// TestResetAfterNodes: a primary and a worker ran pods and stopped, keeping
// their pods running (the default). reset refuses
// while a node runs; then it removes what the node runtime left on each
// host: running containers, every mount under the node's dirs, CRI-O's
// state and the CNI leases, the kubelet's pods, the pods' cgroups and log
// links, kube-proxy's nftables tables and the kubelet's iptables chains,
// so that the node's dirs can be removed. A second reset finds nothing.
func TestResetAfterNodes(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	writeBusyboxArchive(t, h1)
	writeBusyboxArchive(t, h2)
	p1 := startPrimary(t, h1)
	p2 := startWorker(t, h2, createToken(t, h1))
	manifest := filepath.Join(h1.root, "ds.yaml")
	write(t, manifest, clientDaemonSet)
	h1.mustKubectl("apply", "-f", manifest)
	h1.mustKubectl("rollout", "status", "ds/client", "--timeout=120s")

	hosts := []*host{h1, h2}
	reset := func(h *host) (string, error) { return h.run(append([]string{"reset"}, h.nodeArgs()...)...) }
	if out, err := reset(h2); err == nil || !strings.Contains(out, "stop it first") {
		t.Fatalf("reset of a running node: %v\n%s", err, out)
	}
	// What the test expects reset to remove is there.
	for _, h := range hosts {
		if out := h.mustExec("nft", "list", "tables"); !strings.Contains(out, "table ip kube-proxy") || !strings.Contains(out, "table ip6 kube-proxy") {
			t.Fatalf("%s: no kube-proxy tables while the node runs:\n%s", h.name, out)
		}
		if out := h.mustExec("iptables-save"); !strings.Contains(out, ":KUBE-FIREWALL") {
			t.Fatalf("%s: no KUBE-FIREWALL chain while the node runs:\n%s", h.name, out)
		}
	}
	for _, p := range []*process{p2, p1} {
		if _, err := p.stop(30 * time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
	}
	if left := processesUnder(h2.root); len(left) == 0 {
		t.Fatal("no container of the worker left running after a stop")
	}

	for _, h := range hosts {
		out, err := reset(h)
		if err != nil {
			t.Fatalf("reset on %s: %v\n%s", h.name, err, out)
		}
		t.Logf("reset on %s:\n%s", h.name, out)
		if out := h.mustExec("nft", "list", "tables"); strings.Contains(out, "kube-proxy") || strings.Contains(out, "kubenode") {
			t.Errorf("%s: tables left after reset:\n%s", h.name, out)
		}
		for _, cmd := range []string{"iptables-save", "ip6tables-save"} {
			if out := h.mustExec(cmd); strings.Contains(out, "KUBE-") {
				t.Errorf("%s: %s shows KUBE- chains after reset:\n%s", h.name, cmd, out)
			}
		}
		if left := processesUnder(h.root); len(left) > 0 {
			t.Errorf("%s: processes left after reset: %v", h.name, left)
		}
		if left := mountsUnder(h.root); len(left) > 0 {
			t.Errorf("%s: mounts left after reset: %v", h.name, left)
		}
		for _, p := range []string{filepath.Join(h.runDir(), "crio"), filepath.Join(h.runDir(), "storage"), filepath.Join(h.runDir(), "cni", "networks"), filepath.Join(h.root, "kubelet")} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("%s: reset left %s", h.name, p)
			}
		}
		if left, _ := filepath.Glob("/sys/fs/cgroup/*/" + h.name + "/kubepods"); len(left) > 0 {
			t.Errorf("%s: cgroups left after reset: %v", h.name, left)
		}
		links, _ := filepath.Glob("/var/log/containers/*.log")
		for _, l := range links {
			if dst, err := os.Readlink(l); err == nil && strings.HasPrefix(dst, h.root+"/") {
				t.Errorf("%s: reset left the log link %s -> %s", h.name, l, dst)
			}
		}
		for _, dir := range []string{h.dataDir(), h.runDir()} {
			if err := os.RemoveAll(dir); err != nil {
				t.Errorf("%s: remove %s after reset: %v", h.name, dir, err)
			}
		}
		if out, err := reset(h); err != nil || !strings.Contains(out, "nothing to remove") {
			t.Errorf("second reset on %s: %v\n%s", h.name, err, out)
		}
	}
}
