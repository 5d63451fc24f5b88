package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/join"
	"github.com/kubenode/kubenode/pkg/node"
)

func newWorkerCmd() *cobra.Command {
	var token, joinFile string
	cmd := &cobra.Command{
		Use:   "worker [--join TOKEN | --join-file FILE]",
		Short: "Join this host to a cluster as a worker (first start) and run it",
		Long: "Join this host to the cluster a join token names (`kubenode token create` on the primary prints one) and run\n" +
			"its node runtime: network phase, CRI-O, kubelet, kube-proxy, CoreDNS and the WireGuard mesh. Once joined, the host\n" +
			"keeps its identity, index and keys: later starts need no token.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token != "" && joinFile != "" {
				return errors.New("--join and --join-file both given: use one")
			}
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
				// The environment and a token file outlive the first start
				// (a unit's Environment=, a NixOS joinTokenFile): once
				// joined, their token is not a request to join again,
				// unlike --join, and the file need not exist any more.
				src, env := "KUBENODE_JOIN_TOKEN", os.Getenv("KUBENODE_JOIN_TOKEN")
				if joinFile != "" {
					src = "--join-file " + joinFile
				}
				if joinFile != "" || env != "" {
					name, err := node.JoinedAs(cfg)
					if err != nil {
						return err
					}
					switch {
					case name != "":
						klog.Background().Info(src+" is set, but this host already joined; not using it (to join again, run `kubenode reset` first)", "node", name)
					case joinFile != "":
						if token, err = join.ReadTokenFile(joinFile); err != nil {
							return err
						}
					default:
						token = env
					}
				}
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			defer klog.Flush()
			return node.RunWorker(ctx, cfg, token, klog.Background(), nodeNotify(idleGCPercent))
		},
	}
	cmd.Flags().StringVar(&token, "join", "", "join token from `kubenode token create` (or KUBENODE_JOIN_TOKEN); needed only the first time")
	cmd.Flags().StringVar(&joinFile, "join-file", "", "file holding the join token, read until this host has joined (keeps the secret off the command line)")
	return cmd
}
