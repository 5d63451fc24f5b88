package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/join"
	"github.com/kubenode/kubenode/pkg/node"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage the join tokens workers use to join this primary's cluster",
		Long: `A join token carries the API address of the primary, the hash of the
cluster CA (a worker trusts the API only if it presents that CA) and a
Kubernetes bootstrap token (a Secret in kube-system) that lets the worker
request its node certificate. Run these commands on the primary; they use
the admin kubeconfig of its data dir.`,
	}
	cmd.AddCommand(newTokenCreateCmd(), newTokenListCmd(), newTokenDeleteCmd(), newTokenCheckCmd())
	return cmd
}

func newTokenCreateCmd() *cobra.Command {
	var ttl time.Duration
	var description string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a join token and print the command that joins a worker with it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, client, err := adminClient(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), joinableTimeout+30*time.Second)
			defer cancel()
			if err := waitJoinable(ctx, cfg, client, cmd.ErrOrStderr()); err != nil {
				return explainAPIError(err, cfg)
			}
			tok, expires, err := join.IssueJoinToken(ctx, client, cfg, runningServer(ctx, cmd, cfg), ttl, description)
			if err != nil {
				return explainAPIError(err, cfg)
			}
			// The primary writes its own API address into the admin
			// kubeconfig at every start; a different one here means
			// --node-ip chose another address than the primary's.
			if kc, err := clientcmd.BuildConfigFromFlags("", cfg.AdminKubeconfig()); err == nil && strings.TrimSuffix(kc.Host, "/") != tok.Server {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: the token names %s but the primary's admin kubeconfig uses %s: give this command the --node-ip or --config the primary runs with\n", tok.Server, kc.Host)
			}
			join.PrintJoinHint(cmd.OutOrStdout(), tok, expires)
			return nil
		},
	}
	cmd.Flags().DurationVar(&ttl, "ttl", 24*time.Hour, "how long the token is valid (0: it never expires)")
	cmd.Flags().StringVar(&description, "description", "", "what the token is for, shown by token list")
	return cmd
}

func newTokenListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the bootstrap tokens (IDs, descriptions, expiry; never secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, client, err := adminClient(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			list, err := join.ListTokens(ctx, client)
			if err != nil {
				return explainAPIError(err, cfg)
			}
			w := cmd.OutOrStdout()
			if len(list) == 0 {
				fmt.Fprintln(w, "no bootstrap tokens (kubenode token create makes one)")
				return nil
			}
			now := time.Now()
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tEXPIRES\tUSAGES\tEXTRA GROUPS\tDESCRIPTION")
			for _, t := range list {
				exp := "never"
				switch {
				case t.Expired && t.Expires.IsZero():
					exp = "unreadable (treated as expired)"
				case t.Expired:
					exp = t.Expires.UTC().Format(time.RFC3339) + " (expired)"
				case !t.Expires.IsZero():
					exp = t.Expires.UTC().Format(time.RFC3339) + " (in " + duration.HumanDuration(t.Expires.Sub(now)) + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, exp, orNone(strings.Join(t.Usages, ",")), orNone(strings.Join(t.ExtraGroups, ",")), t.Description)
			}
			return tw.Flush()
		},
	}
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func newTokenDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a bootstrap token: workers can no longer join with it",
		Long: `Delete removes the bootstrap token with this ID (the ID column of token
list). A whole join token (kn1.…) or id.secret is accepted too. Nodes that
already joined keep working: they have their own certificates.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := join.TokenID(args[0])
			if err != nil {
				return err
			}
			cfg, client, err := adminClient(cmd)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			if err := join.DeleteToken(ctx, client, id); err != nil {
				return explainAPIError(err, cfg)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted bootstrap token %s\n", id)
			return nil
		},
	}
}

// newTokenCheckCmd is a diagnostic for the joining side (hidden until
// kubenode worker exists): it reaches the primary the join token names and
// verifies the CA pin, sending nothing.
func newTokenCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "check TOKEN",
		Short:  "Decode a join token and verify, from this machine, that its server presents the pinned CA (sends no credentials)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tok, err := join.Parse(args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "server:          %s\nCA hash:         %s\nbootstrap token: %s (ID)\n", tok.Server, tok.CAHash, tok.ID())
			ca, err := join.FetchCA(cmd.Context(), tok.Server, tok.CAHash)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "CA:              CN=%s, valid until %s, matches the pin\n", ca.Subject.CommonName, ca.NotAfter.UTC().Format(time.RFC3339))
			return nil
		},
	}
}

// runningServer is the API address the primary running with cfg's run dir
// uses, as its status socket says: on a multi-homed host the address this
// command would take from the default route may be another link's, which
// workers cannot reach. "" (cfg's own) when --node-ip chose the address or
// no primary answers.
func runningServer(ctx context.Context, cmd *cobra.Command, cfg *config.Config) string {
	if cmd.Flags().Changed("node-ip") {
		return ""
	}
	st, err := node.ReadStatus(ctx, cfg)
	if err != nil || st.Role != "primary" {
		return ""
	}
	return st.Server
}

// adminClient returns the resolved config and a client with the primary's
// admin kubeconfig.
func adminClient(cmd *cobra.Command) (*config.Config, kubernetes.Interface, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, nil, err
	}
	path := cfg.AdminKubeconfig()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("no admin kubeconfig at %s: token commands run on the primary, with the data dir it runs with (--data-dir or dataDir in the config); the primary writes that file when it starts", path)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, nil, fmt.Errorf("admin kubeconfig %s: %w", path, err)
	}
	rc.Timeout = 15 * time.Second
	rc.UserAgent = "kubenode-token"
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, nil, fmt.Errorf("admin kubeconfig %s: %w", path, err)
	}
	return cfg, client, nil
}

// explainAPIError turns "connection refused" and timeouts into a hint that
// the primary is not running.
func explainAPIError(err error, cfg *config.Config) error {
	var ne net.Error
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w\nthe primary's API does not answer: is `kubenode primary` running with data dir %s?", err, cfg.DataDir)
	}
	return err
}

// joinableTimeout bounds how long token create waits for a starting
// primary.
const joinableTimeout = 2 * time.Minute

// waitJoinable waits until the primary would accept a join: every
// component of the node running with cfg's run dir ready (when its status
// socket is there) and the RBAC for join tokens applied. A token printed
// earlier could be used at once and fail with "forbidden".
func waitJoinable(ctx context.Context, cfg *config.Config, client kubernetes.Interface, w io.Writer) error {
	deadline := time.Now().Add(joinableTimeout)
	said := ""
	for {
		why := ""
		st, statusErr := node.ReadStatus(ctx, cfg)
		if statusErr == nil {
			for _, c := range st.Components {
				if c.State != supervisor.StateReady {
					why = fmt.Sprintf("component %s is %s", c.Name, c.State)
					break
				}
			}
		}
		if why == "" {
			err := join.JoinsAccepted(ctx, client)
			if err == nil {
				return nil
			}
			// Without a node running here there is no start to wait for.
			if statusErr != nil || !join.Transient(err) && !errors.Is(err, join.ErrNotJoinable) {
				return err
			}
			why = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the primary does not accept joins after %s: %s (see `kubenode status`)", joinableTimeout, why)
		}
		if why != said {
			fmt.Fprintf(w, "waiting for the primary to accept joins: %s\n", why)
			said = why
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
