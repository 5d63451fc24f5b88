package node

import (
	"context"

	"github.com/go-logr/logr"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// newNetwork is the node's network phase: a userspace wgkube runs in a
// helper process, and the peers it has from before a restart stay until
// the mesh lists the nodes, so a restart does not cut the node's pods off
// the mesh.
func newNetwork(cfg *config.Config, log logr.Logger) (*netsetup.Network, error) {
	return netsetup.New(cfg, netsetup.PeersFromConfig(cfg), log.WithValues("component", "network"),
		netsetup.WithHelper(), netsetup.KeepLivePeers())
}

// networkPhase runs the host networking as the first component, so every
// later component starts with brkube, wgkube, routes and firewall in place,
// and it stops last.
type networkPhase struct {
	net *netsetup.Network
	// keep: the pods outlive this process (runtime.keepPodsRunning), so a
	// stop is a restart and wgkube stays for them.
	keep   bool
	health peerWatch // see health.go
}

var (
	_ supervisor.Component = (*networkPhase)(nil)
	_ supervisor.Exiter    = (*networkPhase)(nil)
)

func (p *networkPhase) Name() string { return "network" }

func (p *networkPhase) Init(context.Context) error { return nil }

// Start applies only what differs from the plan; a failure halfway is
// undone by netsetup before it returns. A wgkube helper left running by
// the previous start is adopted.
func (p *networkPhase) Start(ctx context.Context) error { return p.net.Apply(ctx) }

// Exited reports a wgkube helper that ended on its own: the node then
// stops, and its next start makes wgkube again.
func (p *networkPhase) Exited() <-chan error { return p.net.Exited() }

// Stop releases the network when the pods keep running: wgkube's helper
// (or a kernel device), brkube and the firewall stay, so the pods stay
// reachable and the next start changes nothing. Otherwise the pods are
// stopped too, and so is wgkube's helper.
func (p *networkPhase) Stop(context.Context) error {
	if p.keep {
		return p.net.Release()
	}
	return p.net.Teardown()
}
