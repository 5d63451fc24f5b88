package nodemetrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

func counter(r *prometheus.Registry, name, help string, labels map[string]string) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels})
	r.MustRegister(c)
	c.Add(1)
}

func TestMergedLabelsAndClashes(t *testing.T) {
	shared, def, cadv, res := prometheus.NewRegistry(), prometheus.NewRegistry(), prometheus.NewRegistry(), prometheus.NewRegistry()
	counter(shared, "apiserver_request_total", "requests", map[string]string{"component": "apiserver"})
	counter(shared, "workqueue_adds_total", "adds", nil)
	counter(shared, "kubelet_volume_stats_total", "volumes", nil)
	counter(def, "etcd_server_proposals_total", "proposals", nil)
	counter(def, "kubelet_volume_stats_total", "volumes", nil) // the same collector, registered twice
	counter(def, "coredns_kubernetes_rest_client_requests_total", "rest", nil)
	counter(cadv, "container_cpu_usage_seconds_total", "cAdvisor's", map[string]string{"id": "/"})
	counter(res, "container_cpu_usage_seconds_total", "resource's", map[string]string{"pod": "p"})
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "etcd_server_proposals_total", Help: "a gauge"})
	bad := prometheus.NewRegistry()
	bad.MustRegister(g)

	m := Merged{
		{Gatherer: shared, Component: Process, Prefixes: map[string]string{"apiserver_": "apiserver", "kubelet_": "kubelet"}},
		{Gatherer: def, Component: Process, Prefixes: map[string]string{"etcd_": "etcd", "coredns_": "coredns", "coredns_kubernetes_rest_client_": Process}, SkipKnown: true},
		{Gatherer: cadv, Component: "kubelet-cadvisor"},
		{Gatherer: res, Component: "kubelet-resource"},
		{Gatherer: bad, Component: "bad"},
	}
	want := `
# HELP apiserver_request_total requests
# TYPE apiserver_request_total counter
apiserver_request_total{component="apiserver",kubenode_component="apiserver"} 1
# HELP container_cpu_usage_seconds_total cAdvisor's
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{id="/",kubenode_component="kubelet-cadvisor"} 1
container_cpu_usage_seconds_total{kubenode_component="kubelet-resource",pod="p"} 1
# HELP coredns_kubernetes_rest_client_requests_total rest
# TYPE coredns_kubernetes_rest_client_requests_total counter
coredns_kubernetes_rest_client_requests_total{kubenode_component="process"} 1
# HELP etcd_server_proposals_total proposals
# TYPE etcd_server_proposals_total counter
etcd_server_proposals_total{kubenode_component="etcd"} 1
# HELP kubelet_volume_stats_total volumes
# TYPE kubelet_volume_stats_total counter
kubelet_volume_stats_total{kubenode_component="kubelet"} 1
# HELP workqueue_adds_total adds
# TYPE workqueue_adds_total counter
workqueue_adds_total{kubenode_component="process"} 1
`
	if err := testutil.GatherAndCompare(m, strings.NewReader(want)); err == nil || !strings.Contains(err.Error(), "etcd_server_proposals_total is a GAUGE in component bad") {
		t.Fatalf("want the gauge clash reported and everything else merged, got %v", err)
	}
	// Without the clashing source, the rest is exactly as wanted.
	if err := testutil.GatherAndCompare(m[:4], strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}

func TestNodeCollectors(t *testing.T) {
	now := time.Unix(1000, 0)
	r := prometheus.NewRegistry()
	r.MustRegister(WireGuardCollector{Now: func() time.Time { return now }, Peers: func() ([]Peer, error) {
		return []Peer{
			{Index: 2, PublicKey: "k2", LastHandshake: now.Add(-30 * time.Second), ReceiveBytes: 10, TransmitBytes: 20},
			{Index: 3, PublicKey: "k3"},
		}, nil
	}})
	r.MustRegister(SupervisorCollector{Status: func() []supervisor.ComponentStatus {
		return []supervisor.ComponentStatus{{Name: "kubelet", State: supervisor.StateDegraded, ReadyAfter: 2 * time.Second,
			Conditions: []supervisor.Condition{{Type: "Certificates", OK: false}}}}
	}})
	want := `
# HELP kubenode_wireguard_peer_handshake_age_seconds Seconds since the last WireGuard handshake with the peer; absent until the first one.
# TYPE kubenode_wireguard_peer_handshake_age_seconds gauge
kubenode_wireguard_peer_handshake_age_seconds{peer_index="2",public_key="k2"} 30
# HELP kubenode_wireguard_peer_last_handshake_timestamp_seconds Unix time of the last WireGuard handshake with the peer; 0 if none yet.
# TYPE kubenode_wireguard_peer_last_handshake_timestamp_seconds gauge
kubenode_wireguard_peer_last_handshake_timestamp_seconds{peer_index="2",public_key="k2"} 970
kubenode_wireguard_peer_last_handshake_timestamp_seconds{peer_index="3",public_key="k3"} 0
# HELP kubenode_wireguard_peer_receive_bytes_total Bytes received from the WireGuard peer.
# TYPE kubenode_wireguard_peer_receive_bytes_total counter
kubenode_wireguard_peer_receive_bytes_total{peer_index="2",public_key="k2"} 10
kubenode_wireguard_peer_receive_bytes_total{peer_index="3",public_key="k3"} 0
# HELP kubenode_component_state 1 for the state a component of the node is in (the supervisor's, as ` + "`kubenode status`" + ` shows it), 0 for the others.
# TYPE kubenode_component_state gauge
kubenode_component_state{component="kubelet",state="degraded"} 1
kubenode_component_state{component="kubelet",state="failed"} 0
kubenode_component_state{component="kubelet",state="pending"} 0
kubenode_component_state{component="kubelet",state="ready"} 0
kubenode_component_state{component="kubelet",state="starting"} 0
kubenode_component_state{component="kubelet",state="stopped"} 0
kubenode_component_state{component="kubelet",state="stopping"} 0
# HELP kubenode_component_condition 1 if the component's health condition holds, else 0 (last health poll).
# TYPE kubenode_component_condition gauge
kubenode_component_condition{component="kubelet",condition="Certificates"} 0
# HELP kubenode_component_ready_duration_seconds Time from the component's start to ready; absent until ready.
# TYPE kubenode_component_ready_duration_seconds gauge
kubenode_component_ready_duration_seconds{component="kubelet"} 2
`
	if err := testutil.GatherAndCompare(r, strings.NewReader(want),
		"kubenode_wireguard_peer_handshake_age_seconds", "kubenode_wireguard_peer_last_handshake_timestamp_seconds",
		"kubenode_wireguard_peer_receive_bytes_total", "kubenode_component_state", "kubenode_component_condition",
		"kubenode_component_ready_duration_seconds"); err != nil {
		t.Fatal(err)
	}
}

func TestMergedAbsent(t *testing.T) {
	r := prometheus.NewRegistry()
	counter(r, "etcd_server_has_leader", "leader", nil)
	counter(r, "coredns_dns_requests_total", "requests", nil)
	m := Merged{{Gatherer: r, Component: Process, Prefixes: map[string]string{"etcd_": "etcd", "coredns_": "coredns"}, Absent: map[string]bool{"etcd": true}}}
	want := `
# HELP coredns_dns_requests_total requests
# TYPE coredns_dns_requests_total counter
coredns_dns_requests_total{kubenode_component="coredns"} 1
`
	if err := testutil.GatherAndCompare(m, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}
