package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubenode/kubenode/pkg/check"
	"github.com/kubenode/kubenode/pkg/doctor"
	"github.com/kubenode/kubenode/pkg/node"
)

func newDoctorCmd() *cobra.Command {
	var asJSON bool
	var from, to string
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check this node's network and control plane hop by hop: ok, or FAIL with the evidence and the fix",
		Long: `Check this node, running or stopped, against what kubenode built, in the order packets meet
the checks: the underlay and the routes to the peers' endpoints; WireGuard per peer (key, allowed IPs,
handshake, an ICMP probe through the tunnel); the routes per peer CIDR; other routes that capture a pod
or Service CIDR; brkube; MTU (with a full-size probe to each peer); sysctls; kubenode's nftables table
and other tables that drop pod traffic; the Service route; CoreDNS; the API, the kubelets and the clock; the node's own component health;
certificates. One line per check; the exit status is non-zero when any check fails.

With --from POD --to POD|SERVICE[:PORT], run on the source pod's node, it checks that one path instead:
a probe from inside the source pod and, when it gets no answer, the hop where it stops (this node's
routing, a firewall rule whose counter moved, the tunnel, or the far side).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx := contextOf(cmd)
			in, err := node.DoctorInput(ctx, cfg)
			if err != nil {
				return err
			}
			if (from == "") != (to == "") {
				return fmt.Errorf("--from and --to go together: --from POD --to POD|SERVICE[:PORT]")
			}
			var results []check.Result
			if from != "" {
				p, err := node.DoctorPath(ctx, in, from, to)
				if err != nil {
					return err
				}
				results = doctor.Path(ctx, p)
			} else {
				results = doctor.Run(ctx, in)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				if err := check.PrintJSON(w, results); err != nil {
					return err
				}
			} else {
				state := "stopped"
				if in.Running {
					state = "running"
				}
				fmt.Fprintf(w, "node %s (index %d, %s); peers from %s\n", in.Config.NodeName, in.Config.NodeIndex, state, in.PeersFrom)
				check.Print(w, results)
			}
			if n := check.Failed(results); n > 0 {
				cmd.SilenceUsage = true
				return fmt.Errorf("%d check(s) failed", n)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "check one path instead, from this pod ([NAMESPACE/]NAME, on this node)")
	cmd.Flags().StringVar(&to, "to", "", "to this pod or Service ([NAMESPACE/]NAME[:PORT]; without a port, an ICMP echo); says at which hop the probe stops")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as a JSON array (id, status, severity, message, evidence, fix)")
	return cmd
}
