package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/node"
)

func newWorkerCmd() *cobra.Command {
	var token string
	cmd := &cobra.Command{
		Use:   "worker --join TOKEN",
		Short: "Join this host to a cluster as a worker (first start) and run it",
		Long: "Join this host to the cluster a join token names (`kubenode token create` on the primary prints one) and run\n" +
			"its node runtime: network phase, CRI-O, kubelet, kube-proxy, CoreDNS and the WireGuard mesh. Once joined, the host\n" +
			"keeps its identity, index and keys: later starts need no token.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			lock, err := lockNode(cmd, cfg)
			if err != nil {
				return err
			}
			defer lock.Release()
			if token == "" {
				// The environment outlives the first start (a unit's
				// Environment=): once joined, its token is not a request
				// to join again, unlike --join.
				if token = os.Getenv("KUBENODE_JOIN_TOKEN"); token != "" {
					name, err := node.JoinedAs(cfg)
					if err != nil {
						return err
					}
					if name != "" {
						klog.Background().Info("KUBENODE_JOIN_TOKEN is set, but this host already joined; not using it (unset it, or run `kubenode reset` to join again)", "node", name)
						token = ""
					}
				}
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			defer klog.Flush()
			return node.RunWorker(ctx, cfg, token, klog.Background(), notify)
		},
	}
	cmd.Flags().StringVar(&token, "join", "", "join token from `kubenode token create` (or KUBENODE_JOIN_TOKEN); needed only the first time")
	return cmd
}
