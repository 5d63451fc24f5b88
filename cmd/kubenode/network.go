package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/node"
)

func newNetworkCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Plan, apply and show this node's network: brkube, wgkube, routes, sysctls, nftables",
		Long: `The network phase that runs before the node's components start.

kubenode network plan     prints what apply would change, changing nothing
kubenode network apply    changes only what differs; a second apply changes nothing
kubenode network show     prints the live state: peers, handshakes, routes, MTU, tables
kubenode network pubkey   prints this node's WireGuard public key (for peers' configs)

Peers come from network.peers in the config file; while a node runs, show
compares with the peers that node uses (the config's and the mesh's).

Without a WireGuard kernel module, wgkube is wireguard-go, and it exists
only while the process that runs it does. A node (kubenode primary or
worker) runs it in a helper process, kubenode wg-helper, that outlives a
restart of the node when its pods keep running (the default; not after
kubenode shutdown, or with runtime.keepPodsRunning: false).
If "network apply" has to create it, apply runs it itself and stays in the
foreground holding it until SIGINT or SIGTERM, and says so on stderr. When
a node or its helper already holds it, apply configures that device and
exits.`,
	}
	cmd.AddCommand(newNetworkPlanCmd(), newNetworkApplyCmd(), newNetworkShowCmd(), newNetworkPubkeyCmd())
	return cmd
}

// newNetwork builds the network phase from the node's config and static
// peers.
func newNetwork(cmd *cobra.Command) (*netsetup.Network, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	return netsetup.New(cfg, netsetup.PeersFromConfig(cfg), klog.Background())
}

// printNetwork is a one-shot read of the network phase: it opens it, prints
// what get returns and releases it.
func printNetwork(cmd *cobra.Command, get func(context.Context, *netsetup.Network) (fmt.Stringer, error)) error {
	n, err := newNetwork(cmd)
	if err != nil {
		return err
	}
	defer n.Release()
	v, err := get(contextOf(cmd), n)
	if err != nil {
		return err
	}
	out := v.String()
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	_, err = fmt.Fprint(cmd.OutOrStdout(), out)
	return err
}

func newNetworkPlanCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "plan",
		Short: "Print what network apply would change, changing nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printNetwork(cmd, func(ctx context.Context, n *netsetup.Network) (fmt.Stringer, error) { return n.Plan(ctx) })
		},
	}
}

func newNetworkApplyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "apply",
		Short: "Bring the host's network to the plan; with a userspace wgkube, stay in the foreground holding it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(contextOf(cmd), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			n, err := newNetwork(cmd)
			if err != nil {
				return err
			}
			defer n.Release()
			p, err := n.Sync(ctx)
			if err != nil {
				return err
			}
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			fmt.Fprint(out, p.String())
			if !p.Empty() {
				fmt.Fprintln(out, "applied")
			}
			if !n.Holding() {
				return nil
			}
			fmt.Fprintf(errOut, "kubenode: %s is a userspace WireGuard device (wireguard-go inside this process; the kernel has no WireGuard), so it exists only while this process runs.\n", netsetup.WireGuardName)
			fmt.Fprintf(errOut, "kubenode: holding %s in the foreground; stop with Ctrl-C or SIGTERM, and %s and the routes through it go away. In normal operation the node process (kubenode primary or worker) runs it in a helper process.\n", netsetup.WireGuardName, netsetup.WireGuardName)
			<-ctx.Done()
			if err := n.Release(); err != nil {
				return err
			}
			fmt.Fprintf(errOut, "kubenode: released %s\n", netsetup.WireGuardName)
			return nil
		},
	}
}

func newNetworkShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Print the live network state: WireGuard peers with last handshake and transfer, routes, MTU, nftables",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			// A running node's peers are the config's plus those the mesh
			// learnt from Node objects: compare with those, else every
			// mesh peer would count as a pending change.
			peers, against := netsetup.PeersFromConfig(cfg), ""
			if _, err := os.Stat(node.StatusSocket(cfg)); err == nil {
				st, err := node.ReadStatus(contextOf(cmd), cfg)
				switch {
				case err != nil:
					fmt.Fprintf(cmd.ErrOrStderr(), "kubenode: comparing with the config only: %v\n", err)
				case st.NetworkPeers != nil:
					peers, against = st.NetworkPeers, "the running node's peers (config and mesh)"
					if st.Index != 0 && st.Index != cfg.NodeIndex {
						cfg = cfg.WithIndex(st.Index) // a worker learns its index when it joins
					}
				}
			}
			n, err := netsetup.New(cfg, peers, klog.Background())
			if err != nil {
				return err
			}
			defer n.Release()
			s, err := n.Show(contextOf(cmd))
			if err != nil {
				return err
			}
			s.Against = against
			_, err = fmt.Fprint(cmd.OutOrStdout(), s.String())
			return err
		},
	}
}

func newNetworkPubkeyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "pubkey",
		Short: "Print this node's WireGuard public key, generating the private key at first use",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printNetwork(cmd, func(_ context.Context, n *netsetup.Network) (fmt.Stringer, error) { return n.PublicKey() })
		},
	}
}

func contextOf(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
