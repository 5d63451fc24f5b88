package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/node"
)

func newStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "This node: role, name and index, API reachability, WireGuard peers with their last handshake, component health",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			st, err := node.ReadStatus(ctx, cfg)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "role:  %s\nnode:  %s (index %d)\napi:   %s: %s\n", st.Role, st.NodeName, st.Index, st.Server, apiHealth(ctx, st.Kubeconfig))

			handshakes := map[string]time.Time{}
			if n, err := netsetup.New(cfg.WithIndex(st.Index), nil, logr.Discard()); err == nil {
				if s, err := n.Show(ctx); err == nil && s.State.WireGuard != nil {
					for _, p := range s.State.WireGuard.Peers {
						handshakes[p.PublicKey.String()] = p.LastHandshake
					}
				}
				n.Release()
			}
			fmt.Fprintf(w, "peers: %d\n", len(st.Peers))
			for _, p := range st.Peers {
				hs := "never"
				if t, ok := handshakes[p.PublicKey]; ok && !t.IsZero() {
					hs = time.Since(t).Round(time.Second).String() + " ago"
				} else if !ok {
					hs = "not configured on wgkube"
				}
				fmt.Fprintf(w, "  %-24s index %-3d %-24s handshake %s\n", p.NodeName, p.Index, p.Endpoint, hs)
			}
			printComponents(w, st)
			return nil
		},
	}
}

func printComponents(w io.Writer, st *node.Status) {
	fmt.Fprintln(w, "components:")
	for _, c := range st.Components {
		line := fmt.Sprintf("  %-24s %s", c.Name, c.State)
		if c.ReadyAfter > 0 {
			line += fmt.Sprintf(" (ready after %s)", c.ReadyAfter.Round(time.Millisecond))
		}
		if c.Err != "" {
			line += ": " + c.Err
		}
		fmt.Fprintln(w, line)
		for _, cond := range c.Conditions {
			if !cond.OK {
				since := ""
				if !cond.Since.IsZero() {
					since = fmt.Sprintf(" (for %s)", time.Since(cond.Since).Round(time.Second))
				}
				fmt.Fprintf(w, "    %s%s: %s\n", cond.Type, since, cond.Message)
			}
		}
	}
}

// apiHealth asks the API's /readyz with the node's own credentials.
func apiHealth(ctx context.Context, kubeconfig string) string {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return "unknown: " + err.Error()
	}
	cfg.Timeout = 3 * time.Second
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "unknown: " + err.Error()
	}
	t0 := time.Now()
	body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return "unreachable: " + err.Error()
	}
	return fmt.Sprintf("%s (%s)", string(body), time.Since(t0).Round(time.Millisecond))
}
