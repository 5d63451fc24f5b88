package main

import (
	"context"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/node"
)

func newPrimaryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "primary",
		Short: "Run this host as the cluster's primary: control plane and node",
		Args:  cobra.NoArgs,
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
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			defer klog.Flush()
			return node.RunPrimary(ctx, cfg, klog.Background(), nodeNotify(primaryIdleGCPercent))
		},
	}
}
