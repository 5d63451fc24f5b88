package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubenode/kubenode/pkg/images/imagetest"
)

// workloads: a web Deployment (busybox httpd, RuntimeDefault seccomp)
// behind a ClusterIP and a NodePort Service, and a client pod to look from.
const workloads = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: localhost/busybox:e2e
        imagePullPolicy: Never
        command: ["/bin/busybox", "sh", "-c", "echo hello from web; mkdir -p /www; hostname > /www/index.html; exec /bin/busybox httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080, hostPort: 30081}]
        securityContext:
          seccompProfile: {type: RuntimeDefault}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: client
    image: localhost/busybox:e2e
    imagePullPolicy: Never
    command: ["/bin/busybox", "sleep", "3600"]
`

// writeBusyboxArchive puts the busybox image where a node imports it at
// start.
func writeBusyboxArchive(t *testing.T, h *host) {
	t.Helper()
	dir := filepath.Join(h.dataDir(), "images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteOCIArchive(filepath.Join(dir, "busybox.tar"), busyboxImage(t), "localhost/busybox:e2e"); err != nil {
		t.Fatal(err)
	}
}

// eventually retries fn until it succeeds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// podExec runs a busybox applet in a pod through the apiserver (kubelet
// serving certificate, CRI-O streaming).
func (h *host) podExec(pod string, args ...string) (string, error) {
	return h.kubectl(append([]string{"exec", pod, "--", "/bin/busybox"}, args...)...)
}

// waitNodeReady waits until node's Ready condition is True, as h's
// admin sees it.
func waitNodeReady(t *testing.T, h *host, node string, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, node+" Ready", func() error {
		out, err := h.kubectl("get", "node", node, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)
		if err != nil || strings.TrimSpace(out) != "True" {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
}

func waitPodReady(t *testing.T, h *host, pod string) {
	t.Helper()
	eventually(t, time.Minute, pod+" pod Ready", func() error {
		out, err := h.kubectl("get", "pod", pod, "-o", `jsonpath={.status.containerStatuses[0].ready}`)
		if err != nil || out != "true" {
			return fmt.Errorf("%v %q", err, out)
		}
		return nil
	})
}

// webPod returns the name and container ID of the web Deployment's pod
// once it is Ready.
func webPod(t *testing.T, h *host, notID string) (name, id string) {
	t.Helper()
	eventually(t, 2*time.Minute, "web pod Ready", func() error {
		out, err := h.kubectl("get", "pods", "-l", "app=web", "-o",
			`jsonpath={range .items[*]}{.metadata.name} {.status.containerStatuses[0].containerID} {.status.containerStatuses[0].ready}{"\n"}{end}`)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) == 3 && f[2] == "true" && f[1] != notID {
				name, id = f[0], f[1]
				return nil
			}
		}
		return fmt.Errorf("pods: %q", out)
	})
	return name, id
}

// TestNodeRuntime runs pods on a lone primary: the whole node runtime from
// image import to Services, DNS, masquerade and a restart.
func TestNodeRuntime(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h := l.addHost(1)
	outside := l.addHost(9) // a machine on the LAN that runs no kubenode
	writeBusyboxArchive(t, h)
	// A broken archive among the images is named in the log and does not
	// keep the node (or the good image) from starting.
	write(t, filepath.Join(h.dataDir(), "images", "broken.tar"), "not a tar archive")
	h.writeConfig("runtime:\n" +
		"  kubeletRootDir: " + filepath.Join(h.root, "kubelet") + "\n" +
		"  podLogsDir: " + filepath.Join(h.root, "pods") + "\n" +
		"  cgroupRoot: /" + h.name + "\n" +
		"  dnsUpstreams: [192.168.77.9]\n")
	p := startPrimary(t, h)
	if out := p.output(); !strings.Contains(out, "broken.tar") {
		t.Fatalf("the broken archive is not named in the log")
	}

	if out := h.mustKubectl("get", "node", "node1.k8s.internal", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status} {.spec.taints}`); strings.TrimSpace(out) != "True" {
		t.Fatalf("node Ready/taints = %q, want Ready True and no taints on a lone primary", out)
	}
	manifest := filepath.Join(h.root, "workloads.yaml")
	write(t, manifest, workloads)
	h.mustKubectl("apply", "-f", manifest)
	web, webID := webPod(t, h, "")
	waitPodReady(t, h, "client")

	t.Run("logs and exec through the apiserver", func(t *testing.T) {
		if out := h.mustKubectl("logs", web); !strings.Contains(out, "hello from web") {
			t.Fatalf("kubectl logs = %q", out)
		}
		out, err := h.podExec(web, "cat", "/proc/1/status")
		if err != nil {
			t.Fatalf("kubectl exec: %v\n%s", err, out)
		}
		if !strings.Contains(out, "Seccomp:\t2") {
			t.Fatalf("RuntimeDefault pod does not run under a seccomp filter:\n%s", out)
		}
	})

	svcIP := strings.TrimSpace(h.mustKubectl("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"))
	t.Run("DNS from a pod", func(t *testing.T) {
		for name, want := range map[string]string{
			"kubernetes.default.svc.k8s.internal": "10.88.0.1",
			"web.default.svc.k8s.internal":        svcIP,
			"node1.k8s.internal":                  "10.88.1.1",
			"api.k8s.internal":                    "10.88.1.1",
		} {
			resolves(t, h, "client", name, want)
		}
		// The search path from the kubelet's resolv.conf for the pod.
		if out, err := h.podExec("client", "cat", "/etc/resolv.conf"); err != nil || !strings.Contains(out, "nameserver 10.88.1.1") || !strings.Contains(out, "default.svc.k8s.internal") {
			t.Fatalf("pod resolv.conf: %v\n%s", err, out)
		}
	})

	t.Run("Services", func(t *testing.T) {
		// ClusterIP by name, from another pod.
		out, err := h.podExec("client", "wget", "-qO-", "http://web.default.svc.k8s.internal/")
		if err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("ClusterIP by name: %v: %q, want %q", err, out, web)
		}
		// Pod to pod over IPv6 (pods are dual-stack).
		ip6 := strings.TrimSpace(h.mustKubectl("get", "pod", web, "-o", `jsonpath={.status.podIPs[1].ip}`))
		if !strings.HasPrefix(ip6, "fd88:1::") {
			t.Fatalf("web pod's second IP = %q, want one from fd88:1::/32", ip6)
		}
		out, err = h.podExec("client", "wget", "-qO-", "http://["+ip6+"]:8080/")
		if err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("pod to pod over IPv6: %v: %q, want %q", err, out, web)
		}
		// NodePort on the node IP, from a machine outside the cluster.
		out, err = outside.exec("/bin/busybox", "wget", "-qO-", "http://192.168.77.1:30080/")
		if err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("NodePort from outside: %v: %q, want %q", err, out, web)
		}
		// hostPort (CNI portmap), from outside.
		out, err = outside.exec("/bin/busybox", "wget", "-qO-", "http://192.168.77.1:30081/")
		if err != nil || strings.TrimSpace(out) != web {
			t.Fatalf("hostPort from outside: %v: %q, want %q", err, out, web)
		}
	})

	t.Run("pod traffic leaving the cluster is masqueraded", func(t *testing.T) {
		startTCPServer(t, outside.ns, "192.168.77.9:9000")
		out, err := h.podExec("client", "nc", "192.168.77.9", "9000")
		if err != nil {
			t.Fatalf("pod to outside: %v\n%s", err, out)
		}
		if strings.TrimSpace(out) != "192.168.77.1" {
			t.Fatalf("outside saw the pod as %q, want the node IP 192.168.77.1", out)
		}
	})

	// A plain stop keeps the pods (TestRestartKeepsPods); shutdown stops
	// them, and the next start runs them again.
	t.Run("shutdown and start", func(t *testing.T) {
		t0 := time.Now()
		if out, err := p.shutdown(time.Minute); err != nil {
			t.Fatalf("shutdown: %v\n%s", err, out)
		}
		t.Logf("shut down in %s", time.Since(t0).Round(time.Millisecond))
		if left := processesUnder(h.root); len(left) > 0 {
			t.Fatalf("processes left after shutdown: %v", left)
		}
		p = startPrimary(t, h)
		web2, _ := webPod(t, h, webID)
		out, err := h.podExec("client", "wget", "-qO-", "http://web.default.svc.k8s.internal/")
		if err != nil || strings.TrimSpace(out) != web2 {
			t.Fatalf("after restart: %v: %q, want %q", err, out, web2)
		}
		if n := strings.Count(p.output(), "certificate created"); n != 0 {
			t.Fatalf("restart created %d certificates", n)
		}
	})
}

// resolves looks name up from inside pod (busybox nslookup, through the
// pod's resolv.conf) until the answer section holds want.
func resolves(t *testing.T, h *host, pod, name, want string) {
	t.Helper()
	eventually(t, 30*time.Second, "resolve "+name, func() error {
		out, err := h.podExec(pod, "nslookup", name)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		// The first block names the server; answers follow a blank line.
		_, answers, _ := strings.Cut(out, "\n\n")
		for _, line := range strings.Split(answers, "\n") {
			if a, ok := strings.CutPrefix(line, "Address:"); ok && strings.TrimSpace(a) == want {
				return nil
			}
		}
		return fmt.Errorf("no answer %s in:\n%s", want, out)
	})
}

// processesUnder lists processes whose command line mentions dir (conmon
// and containers of a node rooted there).
func processesUnder(dir string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		cmd := strings.ReplaceAll(string(b), "\x00", " ")
		if strings.Contains(cmd, dir) {
			out = append(out, filepath.Base(filepath.Dir(p))+": "+cmd)
		}
	}
	return out
}

// TestNodeRuntimeIPv6Only runs pods, Services and DNS on a primary whose
// host and cluster have no IPv4 at all (seed 003).
func TestNodeRuntimeIPv6Only(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h := l.addHostWith(1, hostOptions{noIPv4: true})
	writeBusyboxArchive(t, h)
	h.writeConfig("ipFamily: ipv6\n" + h.runtimeConfig())
	startPrimary(t, h)
	manifest := filepath.Join(h.root, "workloads.yaml")
	write(t, manifest, workloads)
	h.mustKubectl("apply", "-f", manifest)
	web, _ := webPod(t, h, "")
	waitPodReady(t, h, "client")
	if out := h.mustKubectl("get", "pod", web, "-o", "jsonpath={.status.podIPs[*].ip}"); !strings.HasPrefix(out, "fd88:1::") || strings.Contains(out, " ") {
		t.Fatalf("pod IPs = %q, want one address from fd88:1::/32", out)
	}
	resolves(t, h, "client", "kubernetes.default.svc.k8s.internal", "fd88::1")
	resolves(t, h, "client", "node1.k8s.internal", "fd88:1::1")
	out, err := h.podExec("client", "wget", "-qO-", "http://web.default.svc.k8s.internal/")
	if err != nil || strings.TrimSpace(out) != web {
		t.Fatalf("ClusterIP by name over IPv6: %v: %q, want %q", err, out, web)
	}
	if out, err := h.exec("/bin/busybox", "wget", "-qO-", "http://[fd77::1]:30080/"); err != nil || strings.TrimSpace(out) != web {
		t.Fatalf("NodePort on the IPv6 node IP: %v: %q, want %q", err, out, web)
	}
}

// TestPodNetworkOutlivesOtherNodes: two nodes on one machine (two primaries
// in their own namespaces and dirs). Starting and restarting node B must not
// touch node A's pods: CRI-O garbage-collects, at its start, every cached
// CNI attachment of its network that is not one of its pods, and every
// node's network has the same name, so a cache shared across the machine
// (libcni's default /var/lib/cni) tore down A's pod network and left its
// pods Running with only lo.
func TestPodNetworkOutlivesOtherNodes(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	a, b := l.addHost(1), l.addHost(2)
	writeBusyboxArchive(t, a)
	startPrimary(t, a)
	manifest := filepath.Join(a.root, "web.yaml")
	write(t, manifest, `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: localhost/busybox:e2e
    imagePullPolicy: Never
    command: ["/bin/busybox", "sh", "-c", "mkdir -p /www; hostname > /www/index.html; exec /bin/busybox httpd -f -p 8080 -h /www"]
`)
	a.mustKubectl("apply", "-f", manifest)
	waitPodReady(t, a, "web")
	ip := strings.TrimSpace(a.mustKubectl("get", "pod", "web", "-o", "jsonpath={.status.podIP}"))
	if !strings.HasPrefix(ip, "10.88.1.") {
		t.Fatalf("web pod IP = %q, want one from 10.88.1.0/24", ip)
	}
	podNetworkWorks := func(when string) {
		t.Helper()
		if out, err := a.podExec("web", "ip", "-4", "addr", "show", "dev", "eth0"); err != nil || !strings.Contains(out, "inet "+ip+"/") {
			t.Fatalf("%s: the pod's eth0 lacks %s: %v\n%s", when, ip, err, out)
		}
		if out, err := a.exec("/bin/busybox", "wget", "-qO-", "http://"+ip+":8080/"); err != nil || strings.TrimSpace(out) != "web" {
			t.Fatalf("%s: TCP from node A's host to its pod at %s: %v: %q", when, ip, err, out)
		}
	}
	podNetworkWorks("before node B started")

	pb := startPrimary(t, b)
	podNetworkWorks("after node B started")
	if _, err := pb.stop(20 * time.Second); err != nil {
		t.Fatalf("stop node B: %v", err)
	}
	startPrimary(t, b)
	podNetworkWorks("after node B restarted")
}
