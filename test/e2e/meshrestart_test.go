package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// streamPods: a server on the worker that prints every line it receives,
// and a client on the primary that sends a numbered line every 100 ms over
// one TCP connection. Either end exits if the connection breaks, and
// restartPolicy Never keeps it that way: a broken stream cannot heal.
const streamServer = `apiVersion: v1
kind: Pod
metadata: {name: stream-server}
spec:
  nodeName: node2.k8s.internal
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: server
    image: localhost/busybox:e2e
    imagePullPolicy: Never
    # nc ends at EOF on its stdin: give it one that never ends.
    command: ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 100000 | /bin/busybox nc -l -p 5000"]
`

const streamClient = `apiVersion: v1
kind: Pod
metadata: {name: stream-client}
spec:
  nodeName: node1.k8s.internal
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  tolerations: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
  containers:
  - name: client
    image: localhost/busybox:e2e
    imagePullPolicy: Never
    command: ["/bin/busybox", "sh", "-c", "i=0; while :; do echo $i; i=$((i+1)); /bin/busybox usleep 100000; done | /bin/busybox nc %s 5000"]
`

// streamLine is one line the server received, with the time conmon logged it.
type streamLine struct {
	at  time.Time
	seq int
}

// readStream parses the server container's log (the CRI format: time,
// stream, tag, line), straight from the worker's disk, so it works while
// either node is down.
func readStream(t *testing.T, h *host) []streamLine {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(h.root, "pods", "default_stream-server_*", "server", "*.log"))
	if len(files) != 1 {
		t.Fatalf("server log files: %v, want one", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var out []streamLine
	if os.Getenv("E2E_DEBUG_STREAM") != "" {
		t.Logf("server log:\n%s", data)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(l)
		if len(f) != 4 {
			continue
		}
		at, err1 := time.Parse(time.RFC3339Nano, f[0])
		seq, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			t.Fatalf("server log line %q: %v %v", l, err1, err2)
		}
		out = append(out, streamLine{at, seq})
	}
	return out
}

// checkStream fails unless the lines are 0, 1, 2, ... without a hole (one
// TCP connection, nothing lost) and returns the longest gap between two
// lines received after from.
func checkStream(t *testing.T, lines []streamLine, from time.Time) time.Duration {
	t.Helper()
	var longest time.Duration
	for i, l := range lines {
		if l.seq != i {
			t.Fatalf("stream line %d carries %d: the stream broke and started again", i, l.seq)
		}
		if i > 0 && l.at.After(from) {
			longest = max(longest, l.at.Sub(lines[i-1].at))
		}
	}
	return longest
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func helperPIDOf(t *testing.T, h *host) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(h.runDir(), "network", "wgkube-helper.pid"))
	if err != nil {
		t.Fatalf("%s: no wgkube helper: %v", h.name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || !running(pid) {
		t.Fatalf("%s: wgkube helper pid %q not running", h.name, data)
	}
	return pid
}

// running: pid is a live process (not gone, not a zombie).
func running(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndex(s, ") ")
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

type podState struct{ id, ip, restarts, phase string }

func streamPodState(t *testing.T, h *host, pod string) podState {
	t.Helper()
	out := h.mustKubectl("get", "pod", pod, "-o",
		`jsonpath={.status.containerStatuses[0].containerID} {.status.podIP} {.status.containerStatuses[0].restartCount} {.status.phase}`)
	f := strings.Fields(out)
	if len(f) != 4 {
		t.Fatalf("pod %s: %q", pod, out)
	}
	return podState{f[0], f[1], f[2], f[3]}
}

// TestMeshSurvivesRestart: with pods kept running (the default), a TCP stream
// between pods on a primary and a worker survives a restart of either
// node's kubenode with a gap of at most 2 s. The userspace wgkube (this
// machine has no WireGuard module) runs in a helper process that outlives
// kubenode and that the next start adopts, keeping its peers and routes;
// no container is killed or replaced, even when a port with a lower MAC
// joined brkube meanwhile. A helper that dies on its own stops the node.
// Reset stops the helpers.
func TestMeshSurvivesRestart(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	for _, h := range []*host{h1, h2} {
		writeBusyboxArchive(t, h)
		h.writeConfig(h.runtimeConfig())
	}
	p1 := startPrimary(t, h1)
	p2 := startWorker(t, h2, createToken(t, h1))
	helpers := map[*host]int{h1: helperPIDOf(t, h1), h2: helperPIDOf(t, h2)}

	write(t, filepath.Join(h1.root, "server.yaml"), streamServer)
	h1.mustKubectl("apply", "-f", filepath.Join(h1.root, "server.yaml"))
	waitPodReady(t, h1, "stream-server")
	server := streamPodState(t, h1, "stream-server")
	write(t, filepath.Join(h1.root, "client.yaml"), fmt.Sprintf(streamClient, server.ip))
	h1.mustKubectl("apply", "-f", filepath.Join(h1.root, "client.yaml"))
	waitPodReady(t, h1, "stream-client")
	client := streamPodState(t, h1, "stream-client")
	eventually(t, 30*time.Second, "the stream flows", func() error {
		if n := len(readStream(t, h2)); n < 20 {
			pods, _ := h1.kubectl("get", "pods", "-o", "wide")
			logs, _ := h1.kubectl("logs", "stream-client")
			return fmt.Errorf("%d lines; pods:\n%s\nclient log:\n%s", n, pods, logs)
		}
		return nil
	})

	// A pod that joins later, with a lower MAC than the bridge's: the
	// kernel would move brkube's MAC to it, and at the next start CRI-O's
	// CNI CHECK of the running pods failed on the changed MAC, so the
	// kubelet killed them (exit 137) and made them again with new IPs.
	for _, h := range []*host{h1, h2} {
		h.mustExec("ip", "link", "add", "lowmac0", "address", "00:00:5e:00:53:01", "type", "veth", "peer", "name", "lowmac1")
		h.mustExec("ip", "link", "set", "lowmac0", "master", "brkube", "up")
	}

	restart := func(name string, h *host, p *process, start func() *process) (*process, time.Duration) {
		t.Helper()
		from := time.Now()
		if _, err := p.stop(20 * time.Second); err != nil {
			t.Fatalf("stop %s: %v", name, err)
		}
		if !running(helpers[h]) {
			t.Fatalf("%s: the wgkube helper %d ended with kubenode", name, helpers[h])
		}
		h.mustExec("ip", "link", "show", "wgkube")
		stopped := time.Since(from)
		p = start()
		ready := time.Since(from)
		// Long enough for the restarted kubelet's first pod syncs (a pod
		// was once killed 2.5 s after a restart).
		time.Sleep(10 * time.Second)
		if pid := helperPIDOf(t, h); pid != helpers[h] {
			t.Fatalf("%s: wgkube helper %d replaced by %d, want it adopted", name, helpers[h], pid)
		}
		lines := readStream(t, h2)
		gap := checkStream(t, lines, from)
		if last := lines[len(lines)-1].at; time.Since(last) > 2*time.Second {
			pods, _ := h1.kubectl("get", "pods", "-o", "wide")
			t.Fatalf("%s restart: the stream stopped at %s (line %d); pods:\n%s\nCRI-O restore warnings:\n%s", name, last.Format(time.TimeOnly), len(lines)-1, pods, grepLines(p.output(), "restore"))
		}
		t.Logf("%s restart: stopped in %s, ready after %s; longest stream gap %s", name, stopped.Round(time.Millisecond), ready.Round(time.Millisecond), gap.Round(time.Millisecond))
		return p, gap
	}
	p2, workerGap := restart("worker", h2, p2, func() *process { return startWorker(t, h2, "") })
	p1, primaryGap := restart("primary", h1, p1, func() *process { return startPrimary(t, h1) })

	for pod, before := range map[string]podState{"stream-server": server, "stream-client": client} {
		if after := streamPodState(t, h1, pod); after != before {
			t.Errorf("pod %s after the restarts: %+v, want it unchanged: %+v", pod, after, before)
		}
	}
	for name, gap := range map[string]time.Duration{"worker": workerGap, "primary": primaryGap} {
		if gap > 2*time.Second {
			t.Errorf("a %s restart interrupted the stream for %s, want at most 2s", name, gap)
		}
	}

	// A helper that dies on its own takes wgkube along: the node exits,
	// saying so, and its next start makes a new helper.
	syscall.Kill(helpers[h2], syscall.SIGKILL)
	select {
	case <-p2.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the worker still runs 30s after its wgkube helper was killed:\n%s", p2.tail(20))
	}
	if p2.err == nil || !strings.Contains(p2.output(), fmt.Sprintf("WireGuard helper %d ended on its own", helpers[h2])) {
		t.Fatalf("worker after its helper was killed: exit %v, want an error naming the helper:\n%s", p2.err, p2.tail(20))
	}
	p2 = startWorker(t, h2, "")
	if pid := helperPIDOf(t, h2); pid == helpers[h2] {
		t.Fatalf("no new helper after the old one was killed")
	} else {
		helpers[h2] = pid
	}

	// Stopped keeping their pods, the helpers stay; reset stops them.
	for _, p := range []*process{p1, p2} {
		if _, err := p.stop(20 * time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
	}
	for _, h := range []*host{h1, h2} {
		pid := helpers[h]
		if !running(pid) {
			t.Fatalf("%s: wgkube helper %d ended with kubenode", h.name, pid)
		}
		out, err := h.run(append([]string{"reset"}, h.nodeArgs()...)...)
		if err != nil {
			t.Fatalf("%s: reset: %v\n%s", h.name, err, out)
		}
		if !strings.Contains(out, fmt.Sprintf("stopped the WireGuard helper (pid %d)", pid)) {
			t.Errorf("%s: reset did not say it stopped the helper:\n%s", h.name, out)
		}
		if running(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("%s: wgkube helper %d still runs after reset", h.name, pid)
		}
		if out, err := h.exec("ip", "link", "show", "wgkube"); err == nil {
			t.Errorf("%s: wgkube left after reset:\n%s", h.name, out)
		}
		if left := processesUnder(h.root); len(left) > 0 {
			t.Errorf("%s: processes left after reset: %v", h.name, left)
		}
	}
}
