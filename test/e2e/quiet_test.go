package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// warningOrWorse matches a log line at warning level or above: klog's
// W/E/F prefix (every library logger goes through klog, pkg/logging), a Go
// panic, and logrus' and zap's own formats, should a logger bypass klog.
var warningOrWorse = regexp.MustCompile(`^([WEF]\d{4} |time="[^"]*" level=(warning|error|fatal|panic) |\{"level":"(warn|error|dpanic|panic|fatal)"|panic: )`)

// quietAllowed are the warning-and-worse lines a node at rest may log,
// each with the reason it is not kubenode's to fix.
var quietAllowed = []struct{ re, why string }{}

// loudLines returns the warning-and-worse lines of log that quietAllowed
// does not explain.
func loudLines(log string) []string {
	var out []string
lines:
	for _, l := range strings.Split(log, "\n") {
		if !warningOrWorse.MatchString(l) {
			continue
		}
		for _, a := range quietAllowed {
			if regexp.MustCompile(a.re).MatchString(l) {
				continue lines
			}
		}
		out = append(out, l)
	}
	return out
}

const quietWorkload = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: idle}
spec:
  selector: {matchLabels: {app: idle}}
  template:
    metadata: {labels: {app: idle}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
      containers:
      - name: idle
        image: localhost/busybox:e2e
        imagePullPolicy: Never
        command: ["/bin/busybox", "sh", "-c", "mkdir -p /www; hostname > /www/index.html; exec /bin/busybox httpd -f -p 8080 -h /www"]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 5
        volumeMounts:
        - {name: scratch, mountPath: /scratch}
        - {name: memory, mountPath: /memory}
      volumes:
      - {name: scratch, emptyDir: {}}
      - {name: memory, emptyDir: {medium: Memory, sizeLimit: 1Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: idle}
spec:
  selector: {app: idle}
  ports: [{port: 80, targetPort: 8080}]
`

const tmpfsPod = `apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  nodeName: NODE
  terminationGracePeriodSeconds: 1
  tolerations: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
  containers:
  - name: sleep
    image: localhost/busybox:e2e
    imagePullPolicy: Never
    command: ["/bin/busybox", "sleep", "3600"]
    volumeMounts: [{name: m1, mountPath: /m1}, {name: m2, mountPath: /m2}, {name: m3, mountPath: /m3}, {name: m4, mountPath: /m4}, {name: m5, mountPath: /m5}, {name: m6, mountPath: /m6}]
  volumes:
  - {name: m1, emptyDir: {medium: Memory}}
  - {name: m2, emptyDir: {medium: Memory}}
  - {name: m3, emptyDir: {medium: Memory}}
  - {name: m4, emptyDir: {medium: Memory}}
  - {name: m5, emptyDir: {medium: Memory}}
  - {name: m6, emptyDir: {medium: Memory}}
`

const threeContainers = `apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  nodeName: NODE
  terminationGracePeriodSeconds: 1
  automountServiceAccountToken: false
  containers:
  - {name: a, image: localhost/busybox:e2e, imagePullPolicy: Never, command: ["/bin/busybox", "sleep", "3600"]}
  - {name: b, image: localhost/busybox:e2e, imagePullPolicy: Never, command: ["/bin/busybox", "sleep", "3600"]}
  - {name: c, image: localhost/busybox:e2e, imagePullPolicy: Never, command: ["/bin/busybox", "sleep", "3600"]}
`

// TestQuietAtRest: a primary and a worker with pods log nothing at warning
// level or above over 60 idle seconds, except the lines quietAllowed
// explains (none so far), even after another node's pod volumes came and
// went under the worker's kubelet; and a primary restart is not refused to
// the worker. It takes about 3 minutes: make test-quiet runs it, make test
// does not.
func TestQuietAtRest(t *testing.T) {
	kubenodeBin(t)
	if os.Getenv("KUBENODE_E2E_QUIET") == "" {
		t.Skip("slow (3 min): run with make test-quiet (KUBENODE_E2E_QUIET=1)")
	}
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	writeBusyboxArchive(t, h1)
	writeBusyboxArchive(t, h2)
	p1 := startPrimary(t, h1)
	manifest := filepath.Join(h1.root, "idle.yaml")
	write(t, manifest, quietWorkload)
	h1.mustKubectl("apply", "-f", manifest)
	ready := func(n int) func() error {
		return func() error {
			out, err := h1.kubectl("get", "pods", "-l", "app=idle", "-o", `jsonpath={range .items[*]}{.spec.nodeName} {.status.containerStatuses[0].ready}{"\n"}{end}`)
			if err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			if strings.Count(out, " true") != n {
				return fmt.Errorf("pods:\n%s", out)
			}
			return nil
		}
	}
	// The worker starts while pods on the primary have tmpfs volumes
	// mounted: nodes share the machine's mount table, so the worker's
	// kubelet (cAdvisor) records them. They go away, and their device
	// numbers come back as the worker's containers' overlays.
	apply := func(name, tmpl, node string) {
		m := filepath.Join(h1.root, name+".yaml")
		write(t, m, strings.NewReplacer("NAME", name, "NODE", node).Replace(tmpl))
		h1.mustKubectl("apply", "-f", m)
	}
	for i := range 3 {
		apply(fmt.Sprintf("tmpfs%d", i), tmpfsPod, "node1.k8s.internal")
	}
	for i := range 3 {
		waitPodReady(t, h1, fmt.Sprintf("tmpfs%d", i))
	}
	eventually(t, 2*time.Minute, "a Ready pod on the primary", ready(1))
	p2 := startWorker(t, h2, createToken(t, h1))
	eventually(t, 2*time.Minute, "a Ready pod on each node", ready(2))
	h1.mustKubectl("delete", "pod", "tmpfs0", "tmpfs1", "tmpfs2", "--wait=true")
	for i := range 4 {
		apply(fmt.Sprintf("three%d", i), threeContainers, "node2.k8s.internal")
	}
	for i := range 4 {
		waitPodReady(t, h1, fmt.Sprintf("three%d", i))
	}
	// A pod goes and comes back on each node: its mounts with it.
	h1.mustKubectl("delete", "pods", "-l", "app=idle", "--wait=true")
	eventually(t, time.Minute, "the pods back", ready(2))
	time.Sleep(10 * time.Second)

	from1, from2 := len(p1.output()), len(p2.output())
	time.Sleep(60 * time.Second)
	for _, n := range []struct {
		name string
		log  string
	}{{"primary", p1.output()[from1:]}, {"worker", p2.output()[from2:]}} {
		if loud := loudLines(n.log); len(loud) > 0 {
			t.Errorf("the %s logged %d warning-or-worse lines at rest:\n%s", n.name, len(loud), strings.Join(loud, "\n"))
		}
	}

	// The workers' watches reconnect the moment a restarted primary
	// listens; none may be refused.
	from2 = len(p2.output())
	if _, err := p1.stop(time.Minute); err != nil {
		t.Fatalf("primary stop: %v", err)
	}
	startPrimary(t, h1)
	eventually(t, time.Minute, "the pods Ready after the restart", ready(2))
	time.Sleep(15 * time.Second)
	var refused []string
	for _, l := range strings.Split(p2.output()[from2:], "\n") {
		if strings.Contains(l, "forbidden") || strings.Contains(l, "Unauthorized") {
			refused = append(refused, l)
		}
	}
	if len(refused) > 0 {
		t.Errorf("the worker was refused during the primary's restart:\n%s", strings.Join(refused, "\n"))
	}
}
