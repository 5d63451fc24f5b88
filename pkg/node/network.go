package node

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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

func newNetworkPhase(network *netsetup.Network, keep bool, log logr.Logger) *networkPhase {
	p := &networkPhase{net: network, log: log.WithValues("component", "network")}
	p.keep.Store(keep)
	return p
}

// networkPhase runs the host networking as the first component, so every
// later component starts with brkube, wgkube, routes and firewall in place,
// and it stops last.
type networkPhase struct {
	net *netsetup.Network
	log logr.Logger
	// keep: the pods outlive this process (runtime.keepPodsRunning, unless
	// kubenode shutdown cleared it), so a stop is a restart and wgkube
	// stays for them.
	keep   atomic.Bool
	health peerWatch // see health.go

	cancel  context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	keepErr error // the last re-apply's failure
	// last is the host as the keeper last found it, when that matched the
	// plan: Health reads it instead of reading the host again.
	last   *netsetup.Status
	lastAt time.Time
}

// Keeping the host as planned: a netlink change, or this long without one,
// leads to a plan, and a plan that is not empty is applied.
const (
	replanEvery    = 30 * time.Second
	replanDebounce = time.Second
)

var (
	_ supervisor.Component = (*networkPhase)(nil)
	_ supervisor.Exiter    = (*networkPhase)(nil)
)

func (p *networkPhase) Name() string { return "network" }

func (p *networkPhase) Init(context.Context) error { return nil }

// Start applies only what differs from the plan; a failure halfway is
// undone by netsetup before it returns. A wgkube helper left running by
// the previous start is adopted.
func (p *networkPhase) Start(ctx context.Context) error {
	if err := p.net.Apply(ctx); err != nil {
		return err
	}
	kctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	changes, err := netsetup.HostChanges(kctx)
	if err != nil {
		cancel()
		return fmt.Errorf("network: watch the host's links and routes: %w", err)
	}
	p.cancel, p.done = cancel, make(chan struct{})
	go p.keepAsPlanned(kctx, changes)
	return nil
}

// keepAsPlanned puts back what someone changed under kubenode's feet (a
// route deleted by hand, an address removed), as the mesh's own applies
// only ever change peers.
func (p *networkPhase) keepAsPlanned(ctx context.Context, changes <-chan struct{}) {
	defer close(p.done)
	tick := time.NewTicker(replanEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-changes:
			select { // let a burst (a pod's veth and routes) settle
			case <-ctx.Done():
				return
			case <-time.After(replanDebounce):
			}
		}
		err := p.reapply(ctx)
		p.mu.Lock()
		p.keepErr = err
		p.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			p.log.Error(err, "putting the host back as planned failed; retrying")
		}
	}
}

func (p *networkPhase) reapply(ctx context.Context) error {
	st, err := p.net.Show(ctx)
	p.mu.Lock()
	p.last, p.lastAt = nil, time.Time{}
	if err == nil && st.Plan.Empty() {
		p.last, p.lastAt = st, time.Now()
	}
	p.mu.Unlock()
	if err != nil || st.Plan.Empty() {
		return err
	}
	var what []string
	for _, c := range st.Plan.Changes {
		what = append(what, strings.TrimSpace(c.String()))
	}
	p.log.Info("the host differs from the plan; putting it back", "changes", what)
	_, err = p.net.Sync(ctx)
	return err
}

// Exited reports a wgkube helper that ended on its own: the node then
// stops, and its next start makes wgkube again.
func (p *networkPhase) Exited() <-chan error { return p.net.Exited() }

// Stop releases the network when the pods keep running: wgkube's helper
// (or a kernel device), brkube and the firewall stay, so the pods stay
// reachable and the next start changes nothing. Otherwise the pods are
// stopped too, and so is wgkube's helper.
func (p *networkPhase) Stop(ctx context.Context) error {
	if p.cancel != nil {
		p.cancel()
		select {
		case <-p.done:
		case <-ctx.Done():
		}
	}
	if p.keep.Load() {
		return p.net.Release()
	}
	return p.net.Teardown()
}
