package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubenode/kubenode/pkg/check"
	"github.com/kubenode/kubenode/pkg/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with the node's config file",
	}
	cmd.AddCommand(newConfigCheckCmd())
	return cmd
}

func newConfigCheckCmd() *cobra.Command {
	var offline bool
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a config file as `primary` and `worker` do at start, printing every problem at once",
		Long: "Validate FILE as a node does at start: unknown fields, values of the wrong kind, ranges, addresses and\n" +
			"the address plan, with --data-dir, --run-dir and --node-ip applied over it. Every problem is printed, one a\n" +
			"line; the exit status is non-zero when there is any. By default the node IPs are checked against this host\n" +
			"(its addresses, or its default route when none are set); --offline checks the file alone, for a config\n" +
			"written for another machine (a NixOS build, CI).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var host config.Host = config.LiveHost{}
			if offline {
				host = nil
			}
			c, problems := config.Check(args[0], overrideFlags, host)
			w := cmd.OutOrStdout()
			for _, p := range problems {
				fmt.Fprintf(w, "%s: %v\n", args[0], p)
			}
			if len(problems) > 0 {
				return check.ConfigFile.Errorf("%s: %d problem(s); %s", args[0], len(problems), check.ConfigFile.Fix)
			}
			ips := "from the default route at start"
			if len(c.NodeIPs) > 0 {
				ips = fmt.Sprint(c.NodeIPs)
			}
			fmt.Fprintf(w, "%s: ok (node index %d, node IPs %s, cluster %s, services %s)\n", args[0], c.NodeIndex, ips,
				strings.Trim(fmt.Sprint(c.ClusterCIDRs), "[]"), strings.Trim(fmt.Sprint(c.ServiceCIDRs), "[]"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&offline, "offline", false, "check the file alone, not the node IPs against this host")
	return cmd
}
