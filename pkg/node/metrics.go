package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/component-base/metrics/legacyregistry"

	"github.com/kubenode/kubenode/pkg/components/kubelet"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/nodemetrics"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// MetricsPort is where each node serves the metrics of all its components
// (HTTPS, path /metrics), next to the kubelet's 10250, with the kubelet's
// serving certificate and its authentication and authorization: a client
// needs get on nodes/metrics, as for the kubelet's own /metrics.
const MetricsPort = 10251

// nodeMetrics is the endpoint, started once the kubelet runs (it shares
// the kubelet's TLS and auth) and stopped before it.
type nodeMetrics struct {
	addr    string
	kubelet *kubelet.Kubelet
	network *netsetup.Network
	status  func() []supervisor.ComponentStatus
	log     logr.Logger
	// absent: a worker runs no control plane.
	absent map[string]bool

	srv  *http.Server
	done <-chan error
}

var _ supervisor.Exiter = (*nodeMetrics)(nil)

func newNodeMetrics(cfg *config.Config, controlPlane bool, k *kubelet.Kubelet, network *netsetup.Network, status func() []supervisor.ComponentStatus, log logr.Logger) *nodeMetrics {
	m := &nodeMetrics{addr: net.JoinHostPort(bindAddress(cfg), strconv.Itoa(MetricsPort)), kubelet: k, network: network, status: status,
		log: log.WithValues("component", "metrics")}
	if !controlPlane {
		m.absent = map[string]bool{"apiserver": true, "etcd": true, "scheduler": true, "controller-manager": true}
	}
	return m
}

func (m *nodeMetrics) Name() string               { return "metrics" }
func (m *nodeMetrics) Init(context.Context) error { return nil }

func (m *nodeMetrics) Start(ctx context.Context) error {
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := m.kubelet.Serving(wait)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	l, err := net.Listen("tcp", m.addr)
	if err != nil {
		return fmt.Errorf("metrics: port %d is not free (%v): stop what listens there (ss -ltnp 'sport = :%d')", MetricsPort, err, MetricsPort)
	}
	m.srv = &http.Server{
		Handler:           nodemetrics.Handler(m.gatherer(s), s.Auth, m.log),
		TLSConfig:         s.TLSConfig,
		ReadHeaderTimeout: 10 * time.Second,
	}
	srv := m.srv
	m.done = supervisor.Go(func() error {
		if err := srv.ServeTLS(l, "", ""); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("metrics: %w", err)
		}
		return nil
	})
	m.log.Info("node metrics serving", "address", "https://"+m.addr+nodemetrics.Path)
	return nil
}

// gatherer is every registry of the process, in the order their
// families win a name clash (see nodemetrics.Merged).
func (m *nodeMetrics) gatherer(s *kubelet.Serving) nodemetrics.Merged {
	own := prometheus.NewRegistry()
	own.MustRegister(nodemetrics.SupervisorCollector{Status: m.status})
	wg := prometheus.NewRegistry()
	wg.MustRegister(nodemetrics.WireGuardCollector{Peers: m.wireGuardPeers})
	return nodemetrics.Merged{
		{Gatherer: legacyregistry.DefaultGatherer, Component: nodemetrics.Process, Prefixes: nodemetrics.LegacyPrefixes, Absent: m.absent},
		{Gatherer: prometheus.DefaultGatherer, Component: nodemetrics.Process, Prefixes: nodemetrics.DefaultPrefixes, SkipKnown: true, Absent: m.absent},
		{Gatherer: s.CAdvisor, Component: "kubelet-cadvisor"},
		{Gatherer: s.Resource, Component: "kubelet-resource"},
		{Gatherer: wg, Component: "wireguard"},
		{Gatherer: own, Component: "supervisor"},
	}
}

func (m *nodeMetrics) wireGuardPeers() ([]nodemetrics.Peer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	peers, index, err := m.network.WireGuardPeers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]nodemetrics.Peer, 0, len(peers))
	for _, p := range peers {
		out = append(out, nodemetrics.Peer{Index: index[p.PublicKey], PublicKey: p.PublicKey.String(), LastHandshake: p.LastHandshake,
			ReceiveBytes: p.ReceiveBytes, TransmitBytes: p.TransmitBytes})
	}
	return out, nil
}

func (m *nodeMetrics) Exited() <-chan error { return m.done }

func (m *nodeMetrics) Stop(ctx context.Context) error {
	if m.srv == nil {
		return nil
	}
	if err := m.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
