package main

import (
	"fmt"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/node"
)

func newResetCmd() *cobra.Command {
	var keepKey bool
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Remove what a stopped node made on this host, and a worker's join state",
		Long: `Remove what kubenode made: the nftables table inet kubenode, the links
wgkube and brkube with their addresses and routes, the sysctls it changed
(set back to their previous values), and its state files (the WireGuard
private key too, unless --keep-key). What the node runtime left: containers
still running (a node stopped without kubenode shutdown leaves its pods
running), every mount under the node's dirs
(pod volumes, the image store's overlays, pinned namespaces), CRI-O's
runtime state and the CNI address leases, the kubelet's pods and state, the
pods' cgroups and their links in /var/log/containers, kube-proxy's nftables
tables (ip and ip6 kube-proxy) and the kubelet's iptables chains (KUBE-*).
Other tables, chains, links and routes are never touched; images, pod logs
and a primary's cluster state (etcd, pki) stay. On a worker, also its join
state and credentials (join.json, kubeconfigs, ca.crt, the kubelet's
certificates), so the host can join again; before that it deletes the
worker's Node, so the primary frees its node index (or prints the kubectl
line to do it there). A userspace wgkube's helper process, which a node
that keeps its pods leaves running when it stops, is stopped.
Refuses while the node runs, or while another kubenode process (network
apply) still holds a userspace wgkube: stop it first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReset(cmd, keepKey)
		},
	}
	cmd.Flags().BoolVar(&keepKey, "keep-key", false, "keep the WireGuard private key, so that peers need no new public key")
	return cmd
}

func resetDirs(cmd *cobra.Command) *config.Config {
	c := &config.Config{DataDir: config.DefaultDataDir, RunDir: config.DefaultRunDir, Runtime: config.Runtime{}.WithDefaults()}
	if f, err := config.ReadFile(flags.configFile, !cmd.Flags().Changed("config")); err == nil {
		if f.DataDir != "" {
			c.DataDir = f.DataDir
		}
		if f.RunDir != "" {
			c.RunDir = f.RunDir
		}
		// Where the kubelet and pods kept their state: never guess the
		// defaults for a node that moved them.
		c.Runtime = f.Runtime.WithDefaults()
	}
	if flags.dataDir != "" {
		c.DataDir = flags.dataDir
	}
	if flags.runDir != "" {
		c.RunDir = flags.runDir
	}
	return c
}

// runReset is `kubenode reset`; uninstall runs it too.
func runReset(cmd *cobra.Command, keepKey bool) error {
	ctx, stop := signal.NotifyContext(contextOf(cmd), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg, err := loadConfig(cmd)
	if err != nil {
		// Reset needs only the directories; it must work when the
		// config no longer resolves (no default route any more,
		// a broken peer list).
		cfg = resetDirs(cmd)
		klog.Background().Info("config does not resolve; resetting with its directories only", "dataDir", cfg.DataDir, "runDir", cfg.RunDir, "err", err)
	}
	lock, err := lockNode(cmd, cfg)
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := node.CheckStopped(cfg); err != nil {
		return err
	}
	done, err := netsetup.Reset(ctx, cfg, klog.Background(), netsetup.ResetOptions{KeepKey: keepKey})
	if err == nil {
		var joined []string
		joined, err = node.ResetJoin(ctx, cfg)
		done = append(done, joined...)
	}
	if err == nil {
		var rt []string
		rt, err = node.ResetRuntime(ctx, cfg)
		done = append(done, rt...)
	}
	out := cmd.OutOrStdout()
	for _, d := range done {
		fmt.Fprintln(out, d)
	}
	if err == nil && len(done) == 0 {
		fmt.Fprintln(out, "nothing to remove")
	}
	return err
}
