package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kubenode/kubenode/pkg/components/crio"
	"github.com/kubenode/kubenode/pkg/inotify"
)

// prerequisite is something the host must provide; fix says how.
type prerequisite struct {
	name  string
	check func() (string, error)
	fix   string
}

func lookPath(bin string) func() (string, error) {
	return func() (string, error) { return exec.LookPath(bin) }
}

func fileExists(path string) func() (string, error) {
	return func() (string, error) {
		if _, err := os.Stat(path); err != nil {
			return "", err
		}
		return path, nil
	}
}

func prerequisites() []prerequisite {
	var p []prerequisite
	for _, t := range []struct{ bin, pkg string }{
		{"runc", "runc"}, {"conmon", "conmon"}, {"nft", "nftables"}, {"ip", "iproute2"},
		{"mount", "mount"}, {"nsenter", "util-linux"}, {"iptables", "iptables"},
	} {
		p = append(p, prerequisite{t.bin, lookPath(t.bin), "apt-get install " + t.pkg})
	}
	for _, plugin := range []string{"bridge", "host-local", "loopback", "portmap"} {
		p = append(p, prerequisite{"cni/" + plugin, fileExists(filepath.Join("/usr/lib/cni", plugin)), "apt-get install containernetworking-plugins"})
	}
	p = append(p, prerequisite{"pinns (embedded)", func() (string, error) {
		if !crio.HasPinns() {
			return "", crio.ErrNoPinns
		}
		return "in kubenode", nil
	}, "rebuild kubenode with `make build`"})
	p = append(p, prerequisite{"/dev/net/tun", fileExists("/dev/net/tun"), "load the tun module: modprobe tun"})
	return p
}

func newCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check the host's prerequisites, one line each, with the fix for what is missing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			missing := 0
			for _, p := range prerequisites() {
				where, err := p.check()
				if err != nil {
					missing++
					fmt.Fprintf(w, "missing %-16s %s\n", p.name, p.fix)
					continue
				}
				fmt.Fprintf(w, "ok      %-16s %s\n", p.name, where)
			}
			checkInotify(w)
			if missing > 0 {
				return fmt.Errorf("%d prerequisite(s) missing; `make deps` installs them all on Debian", missing)
			}
			return nil
		},
	}
}

// checkInotify warns when this user has fewer inotify instances left than
// a node process takes: a component would fail at start with "too many
// open files". A running node's own instances count as used.
func checkInotify(w io.Writer) {
	u, err := inotify.Read("/proc", os.Getuid())
	if err != nil {
		fmt.Fprintf(w, "warn    %-16s cannot read the limit: %v\n", "inotify", err)
		return
	}
	line, ok := u.Report()
	if ok {
		fmt.Fprintf(w, "ok      %-16s %s\n", "inotify", line)
		return
	}
	fmt.Fprintf(w, "warn    %-16s %s\n", "inotify", line)
}
