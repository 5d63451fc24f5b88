package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubenode/kubenode/pkg/node"
)

func newShutdownCmd() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "shutdown",
		Short: "Stop the running node and every pod on it (a host going down for maintenance)",
		Long: `Stop the running node and every pod on it, for a host going down for
maintenance: containers get SIGTERM and 4 s to end, the pods' network and
the userspace wgkube go, and the node process exits; shutdown returns once
it has. A plain stop, restart or upgrade of kubenode (SIGTERM, systemctl
restart) leaves the pods running instead, for the next start to adopt
(unless runtime.keepPodsRunning is false).

Under systemd the node then exits with status 10, which the unit's
RestartPreventExitStatus keeps from being restarted; ` + "`systemctl start kubenode`" + `
starts it again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout+10*time.Second)
			defer cancel()
			if err := node.Shutdown(ctx, cfg, timeout); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "node stopped with every pod")
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "how long to wait for the node process to exit")
	return cmd
}
