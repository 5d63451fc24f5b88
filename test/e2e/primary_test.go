package e2e

import (
	"context"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/kubenode/kubenode/pkg/images/imagetest"
)

const readyTimeout = 3 * time.Minute

// startPrimary writes manifests, then starts a primary on h and waits until
// it reports ready.
func startPrimary(t *testing.T, h *host, extra ...string) *process {
	t.Helper()
	h.ensureRuntimeConfig()
	p := h.start(append(append([]string{"primary"}, h.nodeArgs()...), extra...)...)
	p.waitLog("node ready", readyTimeout)
	return p
}

// get performs an HTTPS GET inside h's namespace by running this test
// binary's own helper mode there (see TestMain), returning status and body.
func get(t *testing.T, h *host, certName, path string) (int, string) {
	t.Helper()
	return getWith(t, h, path, "E2E_CERT="+certName)
}

// getWith runs the get helper in h's namespace with one more environment
// setting naming the credential (E2E_CERT or E2E_BEARER).
func getWith(t *testing.T, h *host, path, credential string) (int, string) {
	t.Helper()
	cmd := exec.Command("nsenter", "--net="+h.ns, "--", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"E2E_HELPER=get",
		"E2E_URL=https://"+net.JoinHostPort(h.addr4, "6443")+path,
		"E2E_PKI="+filepath.Join(h.dataDir(), "pki"),
		credential)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, out)
	}
	var r struct {
		Status int
		Body   string
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, out)
	}
	return r.Status, r.Body
}

const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.e2e.kubenode.io
spec:
  group: e2e.kubenode.io
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
`

func TestPrimary(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	manifests := filepath.Join(h.dataDir(), "manifests")
	if err := os.MkdirAll(manifests, 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(manifests, "10-good.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-manifest\n  namespace: default\ndata:\n  k: v\n")
	write(t, filepath.Join(manifests, "20-broken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n")
	write(t, filepath.Join(manifests, "30-good.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: from-manifest\n")

	var notify *notifySocket
	outer := t // owns resources that outlive one subtest
	started := time.Now()
	p := startPrimary(t, h)
	t.Logf("cold start to ready: %s", time.Since(started).Round(time.Millisecond))

	t.Run("readyz with admin kubeconfig", func(t *testing.T) {
		out := h.mustKubectl("get", "--raw", "/readyz")
		if strings.TrimSpace(out) != "ok" {
			t.Fatalf("/readyz = %q, want ok", out)
		}
	})

	t.Run("network phase ran first and the node holds wgkube", func(t *testing.T) {
		if out := sh(t, "ip", "-n", h.name, "addr", "show", "dev", "brkube"); !strings.Contains(out, "10.88.1.1/24") || !strings.Contains(out, "fd88:1::1/32") {
			t.Fatalf("brkube lacks the host IPs:\n%s", out)
		}
		sh(t, "ip", "-n", h.name, "link", "show", "dev", "wgkube")
		if out := sh(t, "nsenter", "--net="+h.ns, "nft", "list", "table", "inet", "kubenode"); !strings.Contains(out, "masquerade") {
			t.Fatalf("kubenode table incomplete:\n%s", out)
		}
		if !strings.Contains(p.output(), `"component ready" component="network"`) {
			t.Fatalf("no readiness line for the network phase:\n%s", p.tail(20))
		}
	})

	t.Run("anonymous is rejected", func(t *testing.T) {
		if code, body := get(t, h, "", "/readyz"); code != http.StatusUnauthorized {
			t.Fatalf("anonymous /readyz: %d %s, want 401", code, body)
		}
	})

	t.Run("node credentials are limited by the Node authorizer", func(t *testing.T) {
		cert := "kubelet-client-node1.k8s.internal"
		// Its own Node (registered by its kubelet) is readable; other
		// Nodes are readable too (the mesh builds peers from them:
		// kubenode:mesh grants get/list/watch) but not writable.
		if code, body := get(t, h, cert, "/api/v1/nodes/node1.k8s.internal"); code != http.StatusOK || !strings.Contains(body, `"kubeletVersion":"v1.36.3"`) {
			t.Fatalf("node reading its own Node: %d %s, want 200 with its kubelet's status", code, body)
		}
		if code, body := get(t, h, cert, "/api/v1/nodes/node2.k8s.internal"); code != http.StatusNotFound {
			t.Fatalf("node reading another Node: %d %s, want 404 (allowed, not there)", code, body)
		}
		code, body := get(t, h, cert, "/api/v1/namespaces/kube-system/secrets")
		if code != http.StatusForbidden || !strings.Contains(body, "system:node:node1.k8s.internal") {
			t.Fatalf("node listing secrets: %d %s, want 403 naming the node", code, body)
		}
		if code, body := get(t, h, cert, "/api/v1/namespaces/default/configmaps/from-manifest"); code != http.StatusForbidden {
			t.Fatalf("node reading an unrelated configmap: %d %s, want 403", code, body)
		}
	})

	t.Run("secrets are encrypted at rest", func(t *testing.T) {
		const plain = "e2e-plaintext-must-not-appear"
		h.mustKubectl("create", "secret", "generic", "enc-test", "--from-literal=v="+plain)
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"unix://" + filepath.Join(h.runDir(), "etcd.sock")}, DialTimeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := cli.Get(ctx, "/registry/secrets/default/enc-test")
		if err != nil || len(resp.Kvs) != 1 {
			t.Fatalf("read secret from etcd: %v (%d keys)", err, len(resp.Kvs))
		}
		v := resp.Kvs[0].Value
		if !strings.HasPrefix(string(v), "k8s:enc:secretbox:v1:") {
			t.Fatalf("stored secret starts with %q, want k8s:enc:secretbox:v1:", v[:min(len(v), 30)])
		}
		if strings.Contains(string(v), plain) {
			t.Fatal("stored secret contains the plain text")
		}
	})

	t.Run("manifests dir is applied and a broken file is named", func(t *testing.T) {
		h.mustKubectl("get", "configmap", "from-manifest")
		h.mustKubectl("get", "namespace", "from-manifest")
		if !strings.Contains(p.output(), "20-broken.yaml") {
			t.Fatalf("log does not name the broken manifest:\n%s", p.tail(30))
		}
		h.mustKubectl("get", "clusterrolebinding", "kubenode:apiserver-kubelet-client")
	})

	// The apiserver keeps no OpenAPI spec of its built-in groups: v3 builds
	// a group's for each request (and lists the hash of the first), v2 on
	// its first request (vendor patch 0009).
	t.Run("OpenAPI v3 groups match their listed hash and v2 is served", func(t *testing.T) {
		var discovery struct {
			Paths map[string]struct{ ServerRelativeURL string }
		}
		if err := json.Unmarshal([]byte(h.mustKubectl("get", "--raw", "/openapi/v3")), &discovery); err != nil {
			t.Fatal(err)
		}
		for _, gv := range []string{"api/v1", "apis/apps/v1", "apis/apiextensions.k8s.io/v1", "apis/apiregistration.k8s.io/v1"} {
			if _, ok := discovery.Paths[gv]; !ok {
				t.Fatalf("/openapi/v3 does not list %s", gv)
			}
		}
		// Every group version, each twice: the builders share the type
		// definitions, and a build that left its mark there would change
		// later ones. ("apis" and "version", served by each server of the
		// chain, answer for another server than the listed hash, upstream
		// too.)
		for gv, p := range discovery.Paths {
			if parts := strings.Split(gv, "/"); gv != "api/v1" && (len(parts) != 3 || parts[0] != "apis") {
				continue
			}
			u, err := url.Parse(p.ServerRelativeURL)
			if err != nil || u.Query().Get("hash") == "" {
				t.Fatalf("/openapi/v3 lists %s as %q (%v)", gv, p.ServerRelativeURL, err)
			}
			for range 2 {
				body := h.mustKubectl("get", "--raw", u.String())
				if got := fmt.Sprintf("%X", sha512.Sum512([]byte(body))); got != u.Query().Get("hash") {
					t.Fatalf("%s: body hashes to %s, listed %s", gv, got, u.Query().Get("hash"))
				}
			}
		}
		if out := h.mustKubectl("explain", "deployment.spec.strategy"); !strings.Contains(out, "rollingUpdate") {
			t.Fatalf("kubectl explain deployment.spec.strategy:\n%s", out)
		}
		// A CRD's schema joins both: v2 merges it with the lazily built
		// spec of the built-in groups.
		crd := filepath.Join(h.root, "crd.yaml")
		write(t, crd, widgetCRD)
		h.mustKubectl("apply", "-f", crd)
		h.mustKubectl("wait", "--for=condition=Established", "crd/widgets.e2e.kubenode.io", "--timeout=60s")
		eventually(t, 30*time.Second, "the CRD and the built-in types in /openapi/v2", func() error {
			out, err := h.kubectl("get", "--raw", "/openapi/v2")
			for _, def := range []string{`"io.k8s.api.core.v1.Pod"`, `"io.k8s.api.apps.v1.Deployment"`, `"io.kubenode.e2e.v1.Widget"`} {
				if err != nil || !strings.Contains(out, def) {
					return fmt.Errorf("%v: no %s in %d bytes", err, def, len(out))
				}
			}
			return nil
		})
		eventually(t, 30*time.Second, "kubectl explain of the CRD (v3)", func() error {
			if out, err := h.kubectl("explain", "widgets.spec.size"); err != nil || !strings.Contains(out, "integer") {
				return fmt.Errorf("%v: %s", err, out)
			}
			return nil
		})
	})

	t.Run("restart keeps objects and SIGTERM exits cleanly", func(t *testing.T) {
		h.mustKubectl("create", "configmap", "survivor", "--from-literal=k=v")
		pid := p.cmd.Process.Pid
		took, err := p.stop(15 * time.Second)
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.tail(30))
		}
		if took > 10*time.Second {
			t.Fatalf("SIGTERM took %s, want under 10s", took)
		}
		if left := processesInGroup(pid); len(left) > 0 {
			t.Fatalf("processes left behind: %v", left)
		}
		t.Logf("stop after SIGTERM: %s", took.Round(time.Millisecond))
		for _, l := range strings.Split(p.output(), "\n") {
			if strings.Contains(l, "component stopped") {
				t.Log(l)
			}
		}

		// This start also plays systemd: kubenode must say READY=1 once
		// ready and STOPPING=1 when it stops.
		notify = listenNotify(outer)
		started := time.Now()
		p = startPrimary(t, h)
		t.Logf("warm restart to ready: %s", time.Since(started).Round(time.Millisecond))
		if got := notify.next(t); got != "READY=1" {
			t.Fatalf("first sd_notify message %q, want READY=1", got)
		}

		if out := h.mustKubectl("get", "configmap", "survivor", "-o", "jsonpath={.data.k}"); out != "v" {
			t.Fatalf("configmap after restart: %q", out)
		}
		if strings.Contains(p.output(), "certificate created") {
			t.Fatal("restart created certificates again instead of reusing them")
		}
	})

	t.Run("corrupt and mismatched certificates are refused", func(t *testing.T) {
		if _, err := p.stop(15 * time.Second); err != nil {
			t.Fatal(err)
		}
		if got := notify.next(t); got != "STOPPING=1" {
			t.Errorf("sd_notify message at stop %q, want STOPPING=1", got)
		}
		crt := filepath.Join(h.dataDir(), "pki", "apiserver.crt")
		key := filepath.Join(h.dataDir(), "pki", "apiserver.key")
		good, _ := os.ReadFile(crt)
		goodKey, _ := os.ReadFile(key)
		defer os.WriteFile(crt, good, 0o644)
		defer os.WriteFile(key, goodKey, 0o600)

		write(t, crt, "not a certificate\n")
		out, err := h.run(append([]string{"primary"}, h.nodeArgs()...)...)
		if err == nil || !strings.Contains(out, "apiserver.crt") {
			t.Fatalf("corrupt cert: err=%v, output does not name apiserver.crt:\n%s", err, out)
		}
		if b, _ := os.ReadFile(crt); string(b) != "not a certificate\n" {
			t.Fatal("corrupt certificate was overwritten")
		}

		os.WriteFile(crt, good, 0o644)
		other, _ := os.ReadFile(filepath.Join(h.dataDir(), "pki", "admin.key"))
		os.WriteFile(key, other, 0o600)
		out, err = h.run(append([]string{"primary"}, h.nodeArgs()...)...)
		if err == nil || !strings.Contains(out, "apiserver.key") || !strings.Contains(out, "match") {
			t.Fatalf("mismatched key: err=%v, output:\n%s", err, out)
		}
	})
}

// TestPrimaryBadInput checks that each bad input gives one clear error, a
// non-zero exit and no state on disk.
func TestPrimaryBadInput(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	cases := []struct {
		name   string
		config string
		args   []string
		setup  func(t *testing.T)
		want   string
	}{
		{name: "unknown flag", args: []string{"--bogus"}, want: "unknown flag: --bogus"},
		{name: "malformed config", config: "nodeIndex: [1\n", want: "config.yaml"},
		{name: "unknown config field", config: "nodeIdx: 1\n", want: `unknown field "nodeIdx"`},
		{name: "invalid node IP", args: []string{"--node-ip", "300.1.2.3"}, want: `"300.1.2.3": not an IP address`},
		{name: "node IP not on host", args: []string{"--node-ip", "192.0.2.55"}, want: "192.0.2.55 is not an address of this host"},
		{name: "bad CIDR", config: "clusterCIDRv4: 10.88.0.0/33\n", want: "clusterCIDRv4"},
		{name: "bad peer key", config: "network:\n  peers:\n  - {index: 2, publicKey: notakey, endpoint: \"192.168.77.2:51820\"}\n", want: `"notakey" is not a WireGuard key`},
		{name: "bad peer endpoint", config: "network:\n  peers:\n  - {index: 2, publicKey: h+37YOdMBIBLGz6LCmr3y6MB51GOccuZeJBN2cFXEWg=, endpoint: \"nowhere\"}\n", want: `endpoint "nowhere": not IP:PORT`},
		{name: "data dir not writable", args: []string{"--data-dir", "/proc/kubenode-e2e/data"}, want: "is not writable"},
		{name: "api port taken", setup: func(t *testing.T) { listenInNS(t, h, 6443) }, want: "api port 6443 is not free"},
		{name: "kubelet port taken", setup: func(t *testing.T) { listenInNS(t, h, 10250) }, want: "port 10250 (kubelet API) is not free"},
		{name: "conmon missing", config: "runtime:\n  conmonPath: /nonexistent/conmon\n", want: "/nonexistent/conmon is missing or not executable"},
		{name: "CNI plugins missing", config: "runtime:\n  cniPluginDir: /nonexistent/cni\n", want: `CNI plugin "bridge" not found in [/nonexistent/cni]: install it with ` + "`apt-get install containernetworking-plugins`"},
		{name: "bad primary taint", config: "runtime:\n  primaryTaint: sometimes\n", want: `runtime.primaryTaint "sometimes": must be one of auto, always, never`},
		{name: "WireGuard port out of range", config: "network:\n  wireguardPort: 70000\n", want: "network.wireguardPort 70000: must be between 1 and 65535"},
		{name: "WireGuard port taken", setup: func(t *testing.T) { listenNetInNS(t, h, "udp", 51820) }, want: "WireGuard port 51820/udp is in use by another program"},
		{name: "no such underlay interface", config: "network:\n  underlayInterface: eth9\n", want: `network.underlayInterface "eth9": no such interface`},
		{name: "MTU too large for the underlay", config: "network:\n  mtu: 1500\n", want: "network.mtu 1500 does not fit the underlay: eth0 has mtu 1500"},
		{name: "pod subnet overlaps a host network", setup: func(t *testing.T) {
			sh(t, "ip", "-n", h.name, "addr", "add", "10.88.1.7/24", "dev", "eth0")
			t.Cleanup(func() { exec.Command("ip", "-n", h.name, "addr", "del", "10.88.1.7/24", "dev", "eth0").Run() })
		}, want: "this node's subnet 10.88.1.0/24 overlaps 10.88.1.0/24 on eth0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.RemoveAll(h.dataDir())
			os.RemoveAll(h.runDir())
			os.Remove(filepath.Join(h.root, "config.yaml"))
			if tc.config != "" {
				write(t, filepath.Join(h.root, "config.yaml"), tc.config)
			}
			if tc.setup != nil {
				tc.setup(t)
			}
			out, err := h.run(append(append([]string{"primary"}, h.nodeArgs()...), tc.args...)...)
			if err == nil {
				t.Fatalf("kubenode primary succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(out, tc.want) {
				t.Fatalf("error output does not contain %q:\n%s", tc.want, out)
			}
			for _, dir := range []string{h.dataDir(), h.runDir()} {
				if _, err := os.Stat(dir); err == nil {
					t.Fatalf("%s was created despite the error", dir)
				}
			}
		})
	}
}

// listenInNS holds a TCP port on every address inside h's namespace until
// the test ends.
func listenInNS(t *testing.T, h *host, port int) { listenNetInNS(t, h, "tcp", port) }

// listenNetInNS holds a TCP or UDP port on every address inside h's
// namespace until the test ends.
func listenNetInNS(t *testing.T, h *host, network string, port int) {
	t.Helper()
	cmd := exec.Command("nsenter", "--net="+h.ns, "--", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "E2E_HELPER=listen", "E2E_NET="+network, fmt.Sprintf("E2E_ADDR=:%d", port))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make([]byte, 10)
	if _, err := io.ReadFull(out, line); err != nil || string(line) != "listening\n" {
		t.Fatalf("listener in namespace did not start: %v %q", err, line)
	}
}

// notifySocket is a fake systemd notification socket.
type notifySocket struct{ conn *net.UnixConn }

// listenNotify makes a socket and points NOTIFY_SOCKET of the processes
// the test starts from now on at it.
func listenNotify(t *testing.T) *notifySocket {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return &notifySocket{conn}
}

func (n *notifySocket) next(t *testing.T) string {
	t.Helper()
	buf := make([]byte, 4096)
	n.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	k, err := n.conn.Read(buf)
	if err != nil {
		t.Fatalf("read sd_notify socket: %v", err)
	}
	return strings.TrimSpace(string(buf[:k]))
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// processesInGroup lists live processes whose process group is pgid.
func processesInGroup(pgid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err == nil && g == pgid {
			out = append(out, pid)
		}
	}
	return out
}

// TestSecondInstance: a second kubenode on a running node's data dir (or
// run dir), from another network namespace, fails at once naming the
// running node's PID, and changes nothing of it: certificates and
// kubeconfigs stay byte for byte, its status socket stays, its API answers.
func TestSecondInstance(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	p1 := startPrimary(t, h1)
	pid := p1.cmd.Process.Pid
	before := nodeFiles(t, h1)
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	if err := imagetest.WriteOCIArchive(archive, busyboxImage(t), "localhost/busybox:e2e"); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(h1.root, "config.yaml")
	inUse := func(what, dir string) string {
		return fmt.Sprintf("%s %s is in use by kubenode PID %d (kubenode primary, since ", what, dir, pid)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"primary on its data dir", []string{"primary", "--config", config, "--data-dir", h1.dataDir(), "--run-dir", h2.runDir()}, inUse("data dir", h1.dataDir())},
		{"primary on its run dir", []string{"primary", "--config", config, "--data-dir", h2.dataDir(), "--run-dir", h1.runDir()}, inUse("run dir", h1.runDir())},
		{"worker on its data dir", []string{"worker", "--config", config, "--data-dir", h1.dataDir(), "--run-dir", h2.runDir()}, inUse("data dir", h1.dataDir())},
		{"reset", []string{"reset", "--config", config, "--data-dir", h1.dataDir(), "--run-dir", h2.runDir()}, inUse("data dir", h1.dataDir())},
		{"images import", []string{"images", "import", archive, "--config", config, "--data-dir", h1.dataDir(), "--run-dir", h2.runDir()}, inUse("data dir", h1.dataDir())},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Now()
			out, err := h2.run(tc.args...)
			t.Logf("refused after %s: %s", time.Since(t0).Round(time.Millisecond), strings.TrimSpace(out))
			if err == nil || !strings.Contains(out, tc.want) || !strings.Contains(out, "stop it first") {
				t.Fatalf("%v, want an error containing %q:\n%s", err, tc.want, out)
			}
			for _, dir := range []string{h2.dataDir(), h2.runDir()} {
				if _, err := os.Stat(dir); err == nil {
					t.Fatalf("the refused command created %s", dir)
				}
			}
		})
	}
	if d := cmp.Diff(before, nodeFiles(t, h1)); d != "" {
		t.Fatalf("the running node's files changed (-before +after):\n%s", d)
	}
	if _, err := os.Stat(filepath.Join(h1.runDir(), "status.sock")); err != nil {
		t.Fatalf("status socket: %v", err)
	}
	if out, err := h1.run(append([]string{"status"}, h1.nodeArgs()...)...); err != nil || !strings.Contains(out, "role:  primary") {
		t.Fatalf("kubenode status: %v\n%s", err, out)
	}
	if out := h1.mustKubectl("get", "nodes", "-o", "name"); strings.TrimSpace(out) != "node/node1.k8s.internal" {
		t.Fatalf("kubectl get nodes: %q", out)
	}
}

// nodeFiles reads the node's credentials: everything under pki, the
// kubeconfigs and the WireGuard key.
func nodeFiles(t *testing.T, h *host) map[string]string {
	t.Helper()
	files := map[string]string{}
	add := func(p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimPrefix(p, h.dataDir()+"/")] = string(b)
	}
	filepath.WalkDir(filepath.Join(h.dataDir(), "pki"), func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			add(p)
		}
		return nil
	})
	kcs, _ := filepath.Glob(filepath.Join(h.dataDir(), "*.kubeconfig"))
	for _, p := range append(kcs, filepath.Join(h.dataDir(), "wireguard", "private.key")) {
		add(p)
	}
	if len(kcs) == 0 || files["pki/apiserver.crt"] == "" {
		t.Fatalf("no kubeconfigs or apiserver.crt in %s", h.dataDir())
	}
	return files
}

// TestFailedStartUnmounts: a start that fails after CRI-O opened the image
// store, or after the kubelet ran, unmounts what it mounted under the
// node's dirs (the store's overlay home, the kubelet's root), so the dirs
// can be removed. The nodes run in the machine's mount namespace.
func TestFailedStartUnmounts(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	cases := []struct {
		name  string
		setup func(t *testing.T)
		want  []string // in the output, to show where the start failed
	}{
		{
			name: "a component's Init fails after CRI-O's",
			// The kubelet cannot write <data-dir>/kubelet/config.yaml.
			setup: func(t *testing.T) {
				if err := os.MkdirAll(h.dataDir(), 0o700); err != nil {
					t.Fatal(err)
				}
				write(t, filepath.Join(h.dataDir(), "kubelet"), "in the way")
			},
			want: []string{"component kubelet init"},
		},
		{
			name:  "CoreDNS fails after CRI-O and the kubelet ran",
			setup: func(t *testing.T) { listenInNS(t, h, 53) },
			want:  []string{`"component ready" component="crio"`, `"component ready" component="kubelet"`, "component coredns"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, dir := range []string{h.dataDir(), h.runDir(), filepath.Join(h.root, "kubelet")} {
				os.RemoveAll(dir)
			}
			h.ensureRuntimeConfig()
			tc.setup(t)
			out, err := h.run(append([]string{"primary"}, h.nodeArgs()...)...)
			if err == nil {
				t.Fatalf("kubenode primary succeeded:\n%s", lastLines(out, 30))
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Fatalf("the start did not fail where the test wants it to (no %q):\n%s", want, lastLines(out, 30))
				}
			}
			if left := mountsUnder(h.root); len(left) > 0 {
				t.Errorf("mounts left under the node's dirs after a failed start: %v\n%s", left, lastLines(out, 30))
			}
			for _, dir := range []string{h.dataDir(), h.runDir(), filepath.Join(h.root, "kubelet")} {
				if err := os.RemoveAll(dir); err != nil {
					t.Errorf("remove %s after a failed start: %v", dir, err)
				}
			}
		})
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
