package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubenode/kubenode/pkg/components/etcd"
)

func newEtcdCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "etcd", Short: "The primary's etcd: snapshots and restore"}
	snap := &cobra.Command{Use: "snapshot", Short: "Save, list and restore etcd snapshots"}
	snap.AddCommand(newSnapshotSaveCmd(), newSnapshotListCmd(), newSnapshotRestoreCmd())
	cmd.AddCommand(snap)
	return cmd
}

func newSnapshotSaveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "save [FILE]",
		Short: "Snapshot the running primary's etcd (online) into FILE, with FILE.sha256 beside it",
		Long: `Snapshot the running primary's etcd through its Unix socket. The file
appears only once complete, with its checksum (sha256sum format) beside it.
Default FILE: <data-dir>/snapshots/manual-<UTC time>.db; scheduled snapshots
(etcd.snapshotInterval, etcd.snapshotRetain) go to the same dir.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(contextOf(cmd), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			path := filepath.Join(cfg.SnapshotDir(), "manual-"+time.Now().UTC().Format("20060102-150405")+etcd.SnapshotExt)
			if len(args) == 1 {
				if path, err = filepath.Abs(args[0]); err != nil {
					return err
				}
			}
			begin := time.Now()
			info, err := etcd.SaveSnapshot(ctx, cfg.EtcdSocket(), path)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "saved %s (%s, sha256 %s) in %s\n", info.Path, mib(info.Size), info.Checksum, time.Since(begin).Round(time.Millisecond))
			return nil
		},
	}
}

func newSnapshotListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "The snapshots in <data-dir>/snapshots, newest first, each checked against its checksum",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			list, err := etcd.ListSnapshots(cfg.SnapshotDir())
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "no snapshots in %s\n", cfg.SnapshotDir())
				return nil
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "FILE\tSIZE\tTIME (UTC)\tCHECK")
			for _, s := range list {
				check := "ok"
				if s.Problem != "" {
					check = s.Problem
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Path, mib(s.Size), s.Time.UTC().Format(time.DateTime), check)
			}
			return w.Flush()
		},
	}
}

func newSnapshotRestoreCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Make a stopped primary's etcd hold FILE's data; the current etcd dir is moved aside, never deleted",
		Long: `With kubenode stopped: verify FILE against FILE.sha256 and etcd's own hash
in it, restore it into a new etcd dir, move the current one aside (its path
is printed) and put the new one in place. The next start of the primary
serves the snapshot's objects; workers joined before the snapshot reconnect
with their credentials (the PKI does not change). Revisions are moved past
the old ones, so every watcher lists again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			lock, err := lockNode(cmd, cfg)
			if err != nil {
				return fmt.Errorf("%w\n(stop kubenode before restoring a snapshot)", err)
			}
			defer lock.Release()
			if _, err := os.Stat(args[0]); err != nil {
				return fmt.Errorf("snapshot %s: %w", args[0], err)
			}
			if _, err := os.Stat(cfg.PKIDir()); errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("no primary's PKI in %s: restore on the primary's data dir (--data-dir)", cfg.PKIDir())
			}
			begin := time.Now()
			movedTo, st, err := etcd.RestoreSnapshot(args[0], cfg.EtcdDir())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "restored %s into %s: revision %d, %d keys, in %s\n", args[0], cfg.EtcdDir(), st.Revision, st.TotalKey, time.Since(begin).Round(time.Millisecond))
			if movedTo != "" {
				fmt.Fprintf(out, "the previous etcd data is in %s (remove it once the restored cluster is as you want it)\n", movedTo)
			}
			fmt.Fprintln(out, "start the primary to serve it")
			return nil
		},
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
