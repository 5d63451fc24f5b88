package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubenode/kubenode/configs"
	"github.com/kubenode/kubenode/pkg/fsutil"
	"github.com/kubenode/kubenode/pkg/join"
)

// installedList records, below the install root, the files install wrote,
// so that uninstall removes exactly those.
const installedList = "/etc/kubenode/installed"

func newInstallCmd() *cobra.Command {
	var root, token string
	cmd := &cobra.Command{
		Use:   "install primary|worker [--join TOKEN]",
		Short: "Install this binary, its systemd unit and a config as a primary or a worker",
		Long: `Copy this binary to /usr/local/bin/kubenode, write the systemd unit
/etc/systemd/system/kubenode.service with the role's ExecStart, write
/etc/kubenode/config.yaml (the commented example) only if there is none, and
for a worker the join token to /etc/kubenode/join-token (0600, read at the
first start only; never in the unit). Then print the systemctl line to run.
--root writes below another directory (an image being built, tests).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			role := args[0]
			unit, err := configs.ServiceUnit(role)
			if err != nil {
				return err
			}
			switch {
			case role == "worker" && token == "":
				return errors.New("a worker needs --join TOKEN (`kubenode token create` on the primary prints it)")
			case role == "primary" && token != "":
				return errors.New("--join is for a worker: a primary makes the tokens")
			}
			if token != "" {
				if _, err := join.Parse(token); err != nil {
					return err
				}
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			bin, err := os.ReadFile(self)
			if err != nil {
				return fmt.Errorf("read this binary: %w", err)
			}
			type file struct {
				path  string
				data  []byte
				mode  os.FileMode
				keep  bool // an existing file stays
				wrote bool
			}
			files := []*file{
				{path: configs.BinaryPath, data: bin, mode: 0o755},
				{path: configs.UnitPath, data: unit, mode: 0o644},
				{path: configs.ConfigPath, data: configs.ExampleConfig, mode: 0o644, keep: true},
			}
			if token != "" {
				files = append(files, &file{path: configs.JoinTokenPath, data: []byte(token + "\n"), mode: 0o600})
			}
			var written []string
			for _, f := range files {
				dst := filepath.Join(root, f.path)
				if _, err := os.Stat(dst); err == nil && f.keep {
					fmt.Fprintf(cmd.OutOrStdout(), "kept %s\n", dst)
					continue
				}
				if err := fsutil.WriteFileAtomic(dst, f.data, f.mode, 0o755); err != nil {
					return err
				}
				written = append(written, f.path)
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", dst)
			}
			if err := recordInstalled(root, written); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "now run: systemctl daemon-reload && systemctl enable --now kubenode")
			return nil
		},
	}
	cmd.Flags().StringVar(&root, "root", "/", "write below this directory")
	cmd.Flags().StringVar(&token, "join", "", "a worker's join token (kubenode token create on the primary)")
	return cmd
}

func newUninstallCmd() *cobra.Command {
	var root string
	var keepKey bool
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Reset this node, then remove exactly the files install wrote",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			list, err := readInstalled(root)
			if err != nil {
				return err
			}
			if err := runReset(cmd, keepKey); err != nil {
				return fmt.Errorf("%w\n(nothing was uninstalled)", err)
			}
			for _, p := range append(list, installedList) {
				dst := filepath.Join(root, p)
				if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", dst)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "if the unit was enabled: systemctl disable kubenode && systemctl daemon-reload")
			return nil
		},
	}
	cmd.Flags().StringVar(&root, "root", "/", "the directory install wrote below")
	cmd.Flags().BoolVar(&keepKey, "keep-key", false, "keep the WireGuard private key (see reset)")
	return cmd
}

// recordInstalled adds paths to the install list (a second install keeps
// the first one's entries).
func recordInstalled(root string, paths []string) error {
	have, err := readInstalled(root)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	seen := map[string]bool{}
	var b strings.Builder
	for _, p := range append(have, paths...) {
		if !seen[p] {
			seen[p] = true
			b.WriteString(p + "\n")
		}
	}
	return fsutil.WriteFileAtomic(filepath.Join(root, installedList), []byte(b.String()), 0o644, 0o755)
}

func readInstalled(root string) ([]string, error) {
	f, err := os.Open(filepath.Join(root, installedList))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("nothing installed below %s (no %s): %w", root, installedList, err)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for sc.Scan() {
		if p := strings.TrimSpace(sc.Text()); strings.HasPrefix(p, "/etc/") || strings.HasPrefix(p, "/usr/local/bin/") {
			out = append(out, p)
		}
	}
	return out, sc.Err()
}
