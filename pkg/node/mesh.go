package node

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/fsutil"
	"github.com/kubenode/kubenode/pkg/join"
	"github.com/kubenode/kubenode/pkg/mesh"
	"github.com/kubenode/kubenode/pkg/netsetup"
)

func clientFor(kubeconfig string) (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// meshController keeps wgkube's peers in line with the Node list, on the
// controller host. On the primary, taint is runtime.primaryTaint: when the
// primary carries the NoSchedule ControlPlaneTaint.
func (r *runtime) meshController(cfg *config.Config, network *netsetup.Network, taint mesh.TaintPolicy) (*mesh.Controller, error) {
	key, err := network.PublicKey()
	if err != nil {
		return nil, err
	}
	c := &mesh.Controller{
		Self: mesh.Self{
			NodeName:  cfg.NodeName,
			Index:     cfg.NodeIndex,
			PublicKey: key.String(),
			Endpoint:  netip.AddrPortFrom(primaryAddress(cfg), uint16(cfg.Network.WireGuardPort)).String(),
		},
		Peers: network,
		OnMembers: func(members []mesh.Member) {
			if err := writeNodesHosts(cfg, members); err != nil {
				r.log.Error(err, "writing the other nodes' names for CoreDNS")
			}
		},
		Static:  netsetup.PeersFromConfig(cfg),
		Cluster: cfg,
		Log:     r.log.WithValues("component", "mesh"),
	}
	if taint != mesh.TaintUnmanaged {
		c.TaintPolicy, c.Taint = taint, ControlPlaneTaint
		c.Labels = map[string]string{ControlPlaneTaint.Key: ""}
	}
	return c, c.Validate()
}

// joinHint prints a ready-to-paste `kubenode worker --join` line at the
// primary's first start (a 24h token), once.
type joinHint struct {
	cfg        *config.Config
	kubeconfig string
	log        logr.Logger
}

func (j *joinHint) Name() string               { return "join-hint" }
func (j *joinHint) Init(context.Context) error { return nil }
func (j *joinHint) Stop(context.Context) error { return nil }

func (j *joinHint) Start(ctx context.Context) error {
	marker := filepath.Join(j.cfg.DataDir, "join-hint-printed")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	// A hint is not worth a failed start: say how to get a token instead,
	// and try again at the next start.
	client, err := clientFor(j.kubeconfig)
	if err == nil {
		var tok join.Token
		var expires time.Time
		if tok, expires, err = join.IssueJoinToken(ctx, client, j.cfg, "", 24*time.Hour, "printed by kubenode primary at first start"); err == nil {
			join.PrintJoinHint(os.Stdout, tok, expires)
			if err := os.WriteFile(marker, nil, 0o600); err != nil {
				j.log.Error(err, "remembering that the join hint was printed")
			}
			return nil
		}
	}
	j.log.Error(err, "no join hint printed: make a join token with `kubenode token create` to add workers")
	return nil
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
