package node

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/internal/fsutil"
	"github.com/kubenode/kubenode/pkg/join"
	"github.com/kubenode/kubenode/pkg/mesh"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

func clientFor(kubeconfig string) (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// meshPhase builds the mesh controller at Start: a worker's node
// credentials exist only once its kubelet has bootstrapped them.
type meshPhase struct {
	build func() (*mesh.Controller, error)

	mu sync.Mutex
	c  *mesh.Controller
}

var (
	_ supervisor.Component = (*meshPhase)(nil)
	_ supervisor.Readier   = (*meshPhase)(nil)
	_ supervisor.Exiter    = (*meshPhase)(nil)
)

func (p *meshPhase) Name() string               { return "mesh" }
func (p *meshPhase) Init(context.Context) error { return nil }

func (p *meshPhase) Start(ctx context.Context) error {
	c, err := p.build()
	if err != nil {
		return fmt.Errorf("mesh: %w", err)
	}
	if err := c.Init(ctx); err != nil {
		return err
	}
	if err := c.Start(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	p.c = c
	p.mu.Unlock()
	return nil
}

func (p *meshPhase) controller() *mesh.Controller {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.c
}

// Members are the other nodes the mesh has applied as peers.
func (p *meshPhase) Members() []mesh.Member {
	if c := p.controller(); c != nil {
		return c.Members()
	}
	return nil
}

func (p *meshPhase) Ready(ctx context.Context) error {
	if c := p.controller(); c != nil {
		return c.Ready(ctx)
	}
	return errors.New("mesh: not started")
}

func (p *meshPhase) Exited() <-chan error {
	if c := p.controller(); c != nil {
		return c.Exited()
	}
	return nil
}

func (p *meshPhase) Stop(ctx context.Context) error {
	if c := p.controller(); c != nil {
		return c.Stop(ctx)
	}
	return nil
}

// meshComponents keep wgkube's peers in line with the Node list. On the
// primary, taintKubeconfig (admin) lets it taint the primary NoSchedule
// while workers exist (runtime.primaryTaint auto).
func (r *runtime) meshComponent(cfg *config.Config, network *netsetup.Network, nodeKubeconfig, taintKubeconfig string) *meshPhase {
	return &meshPhase{build: func() (*mesh.Controller, error) {
		client, err := clientFor(nodeKubeconfig)
		if err != nil {
			return nil, err
		}
		key, err := network.PublicKey()
		if err != nil {
			return nil, err
		}
		c := &mesh.Controller{
			Client: client,
			Self: mesh.Self{
				NodeName:  cfg.NodeName,
				Index:     cfg.NodeIndex,
				PublicKey: key.String(),
				Endpoint:  netip.AddrPortFrom(primaryAddress(cfg), uint16(cfg.Network.WireGuardPort)).String(),
			},
			Peers: network,
			OnMembers: func(members []mesh.Member) {
				if err := writeNodesHosts(cfg, members); err != nil {
					r.log.Error(err, "Writing the other nodes' names for CoreDNS")
				}
			},
			Static:  netsetup.PeersFromConfig(cfg),
			Cluster: cfg,
			Log:     r.log.WithValues("component", "mesh"),
		}
		if taintKubeconfig != "" {
			admin, err := clientFor(taintKubeconfig)
			if err != nil {
				return nil, err
			}
			c.TaintWhenWorkers, c.TaintClient, c.Taint = true, admin, ControlPlaneTaint
		}
		return c, nil
	}}
}

// joinHint prints a ready-to-paste `kubenode worker --join` line at the
// primary's first start (a 24h token), once.
type joinHint struct {
	cfg        *config.Config
	kubeconfig string
}

func (j *joinHint) Name() string               { return "join-hint" }
func (j *joinHint) Init(context.Context) error { return nil }
func (j *joinHint) Stop(context.Context) error { return nil }

func (j *joinHint) Start(ctx context.Context) error {
	marker := filepath.Join(j.cfg.DataDir, "join-hint-printed")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	client, err := clientFor(j.kubeconfig)
	if err != nil {
		return fmt.Errorf("join-hint: %w", err)
	}
	tok, expires, err := join.IssueJoinToken(ctx, client, j.cfg, 24*time.Hour, "printed by kubenode primary at first start")
	if err != nil {
		return fmt.Errorf("join-hint: %w", err)
	}
	join.PrintJoinHint(os.Stdout, tok, expires)
	return os.WriteFile(marker, nil, 0o600)
}

// nodesHostsFile holds the other nodes' names (nodeN.k8s.internal → their
// brkube addresses) for CoreDNS, written from the mesh's member list.
func nodesHostsFile(cfg *config.Config) string {
	return filepath.Join(cfg.DataDir, "coredns", "nodes.hosts")
}

func writeNodesHosts(cfg *config.Config, members []mesh.Member) error {
	var b strings.Builder
	b.WriteString("# Other nodes of the mesh, written by kubenode from the Node list.\n")
	for _, m := range members {
		for _, ip := range cfg.HostIPsOf(m.Index) {
			fmt.Fprintf(&b, "%s %s\n", ip, m.NodeName)
		}
	}
	return fsutil.WriteFileAtomic(nodesHostsFile(cfg), []byte(b.String()), 0o644, 0o755)
}
