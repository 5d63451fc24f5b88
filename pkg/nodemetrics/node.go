package nodemetrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Peer is one WireGuard peer of wgkube as the device reports it.
type Peer struct {
	Index         int // the peer's node index; 0 when not in the peer list
	PublicKey     string
	LastHandshake time.Time // zero: never
	ReceiveBytes  int64
	TransmitBytes int64
}

var (
	handshakeTime = prometheus.NewDesc("kubenode_wireguard_peer_last_handshake_timestamp_seconds",
		"Unix time of the last WireGuard handshake with the peer; 0 if none yet.", []string{"peer_index", "public_key"}, nil)
	handshakeAge = prometheus.NewDesc("kubenode_wireguard_peer_handshake_age_seconds",
		"Seconds since the last WireGuard handshake with the peer; absent until the first one.", []string{"peer_index", "public_key"}, nil)
	receiveBytes = prometheus.NewDesc("kubenode_wireguard_peer_receive_bytes_total",
		"Bytes received from the WireGuard peer.", []string{"peer_index", "public_key"}, nil)
	transmitBytes = prometheus.NewDesc("kubenode_wireguard_peer_transmit_bytes_total",
		"Bytes sent to the WireGuard peer.", []string{"peer_index", "public_key"}, nil)
	peersUp = prometheus.NewDesc("kubenode_wireguard_up",
		"1 if wgkube's peers could be read, else 0.", nil, nil)

	componentState = prometheus.NewDesc("kubenode_component_state",
		"1 for the state a component of the node is in (the supervisor's, as `kubenode status` shows it), 0 for the others.", []string{"component", "state"}, nil)
	componentCondition = prometheus.NewDesc("kubenode_component_condition",
		"1 if the component's health condition holds, else 0 (last health poll).", []string{"component", "condition"}, nil)
	componentReady = prometheus.NewDesc("kubenode_component_ready_duration_seconds",
		"Time from the component's start to ready; absent until ready.", []string{"component"}, nil)
)

// States is every state the supervisor reports.
var States = []string{supervisor.StatePending, supervisor.StateStarting, supervisor.StateReady, supervisor.StateDegraded,
	supervisor.StateStopping, supervisor.StateStopped, supervisor.StateFailed}

// WireGuardCollector reports wgkube's peers. Peers returns nil, nil when
// the device does not exist (yet).
type WireGuardCollector struct {
	Peers func() ([]Peer, error)
	Now   func() time.Time
}

func (c WireGuardCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{handshakeTime, handshakeAge, receiveBytes, transmitBytes, peersUp} {
		ch <- d
	}
}

func (c WireGuardCollector) Collect(ch chan<- prometheus.Metric) {
	peers, err := c.Peers()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(peersUp, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(peersUp, prometheus.GaugeValue, 1)
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	for _, p := range peers {
		l := []string{strconv.Itoa(p.Index), p.PublicKey}
		ts := 0.0
		if !p.LastHandshake.IsZero() {
			ts = float64(p.LastHandshake.UnixNano()) / 1e9
			ch <- prometheus.MustNewConstMetric(handshakeAge, prometheus.GaugeValue, now.Sub(p.LastHandshake).Seconds(), l...)
		}
		ch <- prometheus.MustNewConstMetric(handshakeTime, prometheus.GaugeValue, ts, l...)
		ch <- prometheus.MustNewConstMetric(receiveBytes, prometheus.CounterValue, float64(p.ReceiveBytes), l...)
		ch <- prometheus.MustNewConstMetric(transmitBytes, prometheus.CounterValue, float64(p.TransmitBytes), l...)
	}
}

// SupervisorCollector reports the supervisor's view of each component.
type SupervisorCollector struct {
	Status func() []supervisor.ComponentStatus
}

func (c SupervisorCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- componentState
	ch <- componentCondition
	ch <- componentReady
}

func (c SupervisorCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.Status() {
		for _, st := range States {
			v := 0.0
			if st == s.State {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(componentState, prometheus.GaugeValue, v, s.Name, st)
		}
		for _, cond := range s.Conditions {
			v := 0.0
			if cond.OK {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(componentCondition, prometheus.GaugeValue, v, s.Name, cond.Type)
		}
		if s.ReadyAfter > 0 {
			ch <- prometheus.MustNewConstMetric(componentReady, prometheus.GaugeValue, s.ReadyAfter.Seconds(), s.Name)
		}
	}
}
