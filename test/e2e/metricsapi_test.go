package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// burnWorkload: a Deployment whose pod spins (capped at its request by
// its CPU limit, so the load stays small on a shared machine) and an HPA
// that keeps it at half its request, scaling down without waiting.
const burnWorkload = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: burn}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn}}
    spec:
      terminationGracePeriodSeconds: 1
      tolerations: [{operator: Exists}]
      containers:
      - name: burn
        image: localhost/busybox:e2e
        imagePullPolicy: Never
        command: ["/bin/busybox", "sh", "-c", "while :; do :; done"]
        resources:
          requests: {cpu: 50m}
          limits: {cpu: 50m}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: burn}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 50}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 0
      policies: [{type: Percent, value: 100, periodSeconds: 15}]
`

// figures matches a line of kubectl top: a CPU figure in millicores and
// a memory figure in MiB.
var figures = regexp.MustCompile(`\s\d+m\s.*\s\d+Mi\s`)

// TestMetricsAPI: on a primary with a worker, kubectl top nodes and
// kubectl top pods -A give figures, served by the primary's process
// (the APIService trusts a CA, never skips TLS verification); a
// HorizontalPodAutoscaler on CPU scales a Deployment up under load and
// back down once the load is gone.
func TestMetricsAPI(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	writeBusyboxArchive(t, h1)
	writeBusyboxArchive(t, h2)
	p1 := startPrimary(t, h1)
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range strings.Split(p1.output(), "\n") {
				if strings.Contains(l, `component="metrics-api"`) || strings.Contains(l, "metrics.k8s.io") || strings.Contains(l, "panic") {
					t.Log("primary: " + l)
				}
			}
		}
	})
	startWorker(t, h2, createToken(t, h1))

	out := h1.mustKubectl("get", "apiservice", "v1beta1.metrics.k8s.io", "-o",
		`jsonpath={.spec.insecureSkipTLSVerify} {.spec.service.namespace}/{.spec.service.name} {.spec.caBundle}`)
	if f := strings.Fields(out); len(f) != 2 || f[0] != "kube-system/kubenode-metrics" || len(f[1]) < 100 {
		t.Fatalf("APIService: want the kubenode-metrics Service and a CA bundle, no insecureSkipTLSVerify; got %q", out)
	}

	eventually(t, 2*time.Minute, "kubectl top nodes with figures for both nodes", func() error {
		out, err := h1.kubectl("top", "nodes", "--no-headers")
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		for _, n := range []string{"node1.k8s.internal", "node2.k8s.internal"} {
			if !hasLine(out, n, figures) {
				return fmt.Errorf("no figures for %s:\n%s", n, out)
			}
		}
		return nil
	})

	manifest := filepath.Join(h1.root, "burn.yaml")
	write(t, manifest, burnWorkload)
	h1.mustKubectl("apply", "-f", manifest)
	// A pod has figures after two of its kubelet's housekeeping rounds and
	// two scrapes; on a loaded machine (make test beside a conformance run)
	// that once took longer than 2 minutes.
	eventually(t, 4*time.Minute, "kubectl top pods -A with the burn pod's figures", func() error {
		out, err := h1.kubectl("top", "pods", "-A", "--no-headers")
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		if !hasLine(out, "burn-", figures) {
			return fmt.Errorf("no figures for a burn pod:\n%s", out)
		}
		return nil
	})

	replicas := func() (int, string) {
		out, _ := h1.kubectl("get", "hpa", "burn", "-o",
			`jsonpath={.status.desiredReplicas} {.status.currentMetrics[0].resource.current.averageUtilization}%`)
		n, _ := strconv.Atoi(strings.Fields(out + " x")[0])
		return n, out
	}
	eventually(t, 3*time.Minute, "the HPA scaling the Deployment up", func() error {
		if n, out := replicas(); n < 2 {
			return fmt.Errorf("HPA desired replicas, utilization: %q", out)
		}
		out := h1.mustKubectl("get", "deployment", "burn", "-o", "jsonpath={.spec.replicas}")
		if n, _ := strconv.Atoi(out); n < 2 {
			return fmt.Errorf("deployment replicas %q", out)
		}
		return nil
	})

	// The load ends: the pods are replaced by idle ones.
	h1.mustKubectl("patch", "deployment", "burn", "--type=json", "-p",
		`[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["/bin/busybox","sleep","3600"]}]`)
	eventually(t, 3*time.Minute, "the HPA scaling the Deployment back down", func() error {
		out := h1.mustKubectl("get", "deployment", "burn", "-o", "jsonpath={.spec.replicas}")
		if out != "1" {
			_, hpa := replicas()
			return fmt.Errorf("deployment replicas %q (HPA: %q)", out, hpa)
		}
		return nil
	})
}

// hasLine reports whether a line of out starts with prefix (after a
// namespace column, if any) and matches re.
func hasLine(out, prefix string, re *regexp.Regexp) bool {
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && (strings.HasPrefix(f[0], prefix) || len(f) > 1 && strings.HasPrefix(f[1], prefix)) && re.MatchString(l+" ") {
			return true
		}
	}
	return false
}
