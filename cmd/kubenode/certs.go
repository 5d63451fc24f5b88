package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/node"
)

func newCertsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "certs", Short: "This node's certificates: check their expiry, rotate the primary's"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "List every certificate this node uses: subject, issuer, expiry and days left",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			certs := node.Certificates(cfg)
			if len(certs) == 0 {
				return fmt.Errorf("no certificates under %s or the kubelet root %s: is --data-dir this node's?", cfg.DataDir, cfg.KubeletRootDir())
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "FILE\tSUBJECT\tISSUER\tEXPIRES (UTC)\tDAYS LEFT")
			soon := 0
			for _, c := range certs {
				if c.Err != "" {
					fmt.Fprintf(w, "%s\tunreadable: %s\t\t\t\n", c.Path, c.Err)
					soon++
					continue
				}
				days := int(time.Until(c.NotAfter).Hours() / 24)
				mark := ""
				if days < 30 {
					mark = " (renew: kubenode certs rotate on the primary)"
					soon++
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d%s\n", c.Path, c.Subject, c.Issuer, c.NotAfter.UTC().Format(time.DateOnly), days, mark)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if soon > 0 {
				return fmt.Errorf("%d certificate(s) expire within 30 days or are unreadable", soon)
			}
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "rotate",
		Short: "Renew every leaf certificate of the primary now, keeping the CAs and keys",
		Long: `Renew every leaf certificate of the primary's PKI now (the CAs and all keys
stay) and rewrite the kubeconfigs that embed them. It may run while the node
runs; every component, the apiserver included (it loads its certificates
once, to hold fewer inotify instances), uses its new certificate after the
next restart of kubenode (systemctl restart kubenode). Until then the old
ones stay valid. Workers need nothing: their kubelets renew their own
certificates from the primary.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			renewed, err := node.RotateCertificates(cfg, klog.Background())
			for _, r := range renewed {
				fmt.Fprintln(cmd.OutOrStdout(), r)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d certificates renewed; restart kubenode for every component to use them\n", len(renewed))
			return nil
		},
	})
	return cmd
}
