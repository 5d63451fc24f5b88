package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metricsPort is pkg/node.MetricsPort.
const metricsPort = "10251"

// scrapeMetrics GETs https://target:10251/metrics from inside h's
// namespace, trusting the kubelet-serving CA of the primary p1, with
// credential (E2E_BEARER=... or nothing).
func scrapeMetrics(t *testing.T, h, target, p1 *host, credential string) (int, string, time.Duration) {
	t.Helper()
	cmd := exec.Command("nsenter", "--net="+h.ns, "--", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"E2E_HELPER=get",
		"E2E_URL=https://"+net.JoinHostPort(target.addr4, metricsPort)+"/metrics",
		"E2E_PKI="+filepath.Join(p1.dataDir(), "pki", "kubelet-serving"),
		credential)
	t0 := time.Now()
	out, err := cmd.Output()
	took := time.Since(t0)
	if err != nil {
		t.Fatalf("scrape %s: %v\n%s", target.name, err, out)
	}
	var r struct {
		Status int
		Body   string
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("scrape %s: %v", target.name, err)
	}
	return r.Status, r.Body, took
}

// series says, per family, which kubenode_component values it has.
func series(t *testing.T, body string) map[string]map[string]bool {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the scrape does not parse as Prometheus text: %v", err)
	}
	out := map[string]map[string]bool{}
	seen := map[string]bool{}
	for name, f := range fams {
		out[name] = map[string]bool{}
		for _, m := range f.Metric {
			out[name][component(m)] = true
			key := name
			for _, l := range m.Label {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			if seen[key] {
				t.Errorf("series served twice: %s", key)
			}
			seen[key] = true
		}
	}
	return out
}

func component(m *dto.Metric) string {
	for _, l := range m.Label {
		if l.GetName() == "kubenode_component" {
			return l.GetValue()
		}
	}
	return ""
}

// TestNodeMetrics: one scrape of a node's metrics endpoint with a
// ServiceAccount token bound to kubenode:metrics returns the families of
// every component in the node's process, each labelled with its
// component; anonymous and unauthorized scrapes are refused.
func TestNodeMetrics(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	p1 := startPrimary(t, h1)
	m := joinLine.FindStringSubmatch(p1.output())
	if m == nil {
		t.Fatalf("the primary printed no join line:\n%s", p1.tail(40))
	}
	p2 := startWorker(t, h2, m[1])

	h1.mustKubectl("create", "serviceaccount", "scraper", "-n", "default")
	h1.mustKubectl("create", "serviceaccount", "nobody", "-n", "default")
	h1.mustKubectl("create", "clusterrolebinding", "scraper-metrics", "--clusterrole=kubenode:metrics", "--serviceaccount=default:scraper")
	token := "E2E_BEARER=" + strings.TrimSpace(h1.mustKubectl("create", "token", "scraper", "-n", "default"))
	nobody := "E2E_BEARER=" + strings.TrimSpace(h1.mustKubectl("create", "token", "nobody", "-n", "default"))
	// The kubelets cache a denied review for 30 s and a failed token
	// review for 2 minutes: the first scrape must come after the
	// apiserver accepts both, or a fast machine scrapes into the caches.
	review := filepath.Join(h1.root, "tokenreview.json")
	write(t, review, fmt.Sprintf(`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":%q}}`, strings.TrimPrefix(token, "E2E_BEARER=")))
	eventually(t, time.Minute, "the scraper's token and binding accepted by the apiserver", func() error {
		if out, err := h1.kubectl("create", "-f", review, "-o", "jsonpath={.status.authenticated}"); err != nil || out != "true" {
			return fmt.Errorf("token review: %v: %q", err, out)
		}
		if out, err := h1.kubectl("auth", "can-i", "get", "nodes/metrics", "--as=system:serviceaccount:default:scraper"); err != nil || strings.TrimSpace(out) != "yes" {
			return fmt.Errorf("can-i get nodes/metrics: %v: %q", err, out)
		}
		return nil
	})

	// A known family per component, and the component it must be
	// labelled with.
	node := map[string]string{
		"kubelet_running_pods":                        "kubelet",
		"container_cpu_usage_seconds_total":           "kubelet-cadvisor",
		"node_cpu_usage_seconds_total":                "kubelet-resource",
		"kubeproxy_sync_proxy_rules_duration_seconds": "kube-proxy",
		"coredns_dns_requests_total":                  "coredns",
		"container_runtime_crio_operations_total":     "crio",
		"kubenode_wireguard_peer_receive_bytes_total": "wireguard",
		"kubenode_component_state":                    "supervisor",
		"go_goroutines":                               "process",
	}
	primary := map[string]string{
		"apiserver_request_total":        "apiserver",
		"etcd_server_has_leader":         "etcd",
		"scheduler_pending_pods":         "scheduler",
		"node_collector_evictions_total": "controller-manager",
		"workqueue_adds_total":           "process",
	}
	for k, v := range node {
		primary[k] = v
	}
	// Series at rest measured here: 22-23.5k on the primary (two thirds
	// the apiserver's histograms), 1.6-2.8k on the worker. Far more is a
	// cardinality blowup.
	maxSeries := map[*host]int{h1: 50000, h2: 10000}
	check := func(t *testing.T, target *host, want map[string]string, notWant []string) {
		var fams map[string]map[string]bool
		eventually(t, time.Minute, "every component's families", func() error {
			code, body, took := scrapeMetrics(t, h1, target, h1, token)
			if code != 200 {
				return fmt.Errorf("status %d: %.300s", code, body)
			}
			fams = series(t, body)
			// E2E_METRICS_DUMP=DIR keeps the last scrape of each node
			// (h1.prom, h2.prom) for a look at the families.
			if dir := os.Getenv("E2E_METRICS_DUMP"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, target.name[len(target.name)-2:]+".prom"), []byte(body), 0o644)
			}
			var missing []string
			for f, comp := range want {
				if !fams[f][comp] {
					missing = append(missing, fmt.Sprintf("%s{kubenode_component=%q} (has %v)", f, comp, fams[f]))
				}
			}
			if len(missing) > 0 {
				sort.Strings(missing)
				return fmt.Errorf("missing:\n%s", strings.Join(missing, "\n"))
			}
			perComp := map[string]int{}
			for _, comps := range fams {
				for c := range comps {
					perComp[c]++
				}
			}
			n := strings.Count(body, "\n") - 2*len(fams) // less HELP and TYPE lines
			if n > maxSeries[target] {
				t.Errorf("%s serves %d series, more than %d: a cardinality blowup?", target.name, n, maxSeries[target])
			}
			t.Logf("%s: %d bytes, %d families, %d series in %s; families per component: %v", target.name, len(body), len(fams), n, took.Round(time.Millisecond), perComp)
			return nil
		})
		for _, f := range notWant {
			if fams[f] != nil {
				t.Errorf("family %s is served by %s, which does not run that component", f, target.name)
			}
		}
	}
	t.Run("primary", func(t *testing.T) {
		check(t, h1, primary, nil)
		// For the record: size and time of a scrape of the idle primary
		// (the time includes starting the helper process).
		best := time.Hour
		var size int
		for range 3 {
			_, body, took := scrapeMetrics(t, h1, h1, h1, token)
			best, size = min(best, took), len(body)
		}
		t.Logf("idle primary: %d bytes, best of 3 scrapes %s", size, best.Round(time.Millisecond))
	})
	t.Run("worker", func(t *testing.T) {
		check(t, h2, node, []string{"apiserver_request_total", "etcd_server_has_leader", "scheduler_pending_pods", "node_collector_evictions_total"})
	})
	t.Run("every source gathered without error", func(t *testing.T) {
		out := p1.output() + p2.output()
		if i := strings.Index(out, "metrics gathering failed"); i >= 0 {
			t.Errorf("a source failed to gather:\n%s", out[max(0, i-200):min(len(out), i+800)])
		}
	})
	t.Run("refused without the role", func(t *testing.T) {
		for _, target := range []*host{h1, h2} {
			if code, body, _ := scrapeMetrics(t, h1, target, h1, ""); code != 401 {
				t.Errorf("anonymous scrape of %s: %d %.200s, want 401", target.name, code, body)
			}
			if code, body, _ := scrapeMetrics(t, h1, target, h1, nobody); code != 403 || !strings.Contains(body, "subresource=metrics") {
				t.Errorf("scrape of %s with an unbound token: %d %.200s, want 403 naming nodes/metrics", target.name, code, body)
			}
		}
	})
}
