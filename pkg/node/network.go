package node

import (
	"context"

	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// networkPhase runs the host networking as the first component, so the
// node process owns a userspace wgkube for as long as it lives, and every
// later component starts with brkube, wgkube, routes and firewall in place.
type networkPhase struct {
	net    *netsetup.Network
	health peerWatch // see health.go
}

var _ supervisor.Component = (*networkPhase)(nil)

func (p *networkPhase) Name() string { return "network" }

func (p *networkPhase) Init(context.Context) error { return nil }

// Start applies only what differs from the plan; a failure halfway is
// undone by netsetup before it returns.
func (p *networkPhase) Start(ctx context.Context) error { return p.net.Apply(ctx) }

// Stop releases a userspace wgkube (its routes go with it); a kernel device,
// brkube and the firewall stay, so a restart finds them and changes nothing.
func (p *networkPhase) Stop(context.Context) error { return p.net.Close() }
