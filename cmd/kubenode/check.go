package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kubenode/kubenode/pkg/check"
	"github.com/kubenode/kubenode/pkg/components/crio"
	"github.com/kubenode/kubenode/pkg/config"
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

// prerequisites of a node whose config has rt (resolved): runc, conmon and
// the CNI plugins where the config puts them (NixOS keeps them in the
// store), with the package that provides them at the default paths.
func prerequisites(rt config.Runtime) []prerequisite {
	rt = rt.WithDefaults()
	var p []prerequisite
	for _, t := range []struct{ bin, pkg, path, def, field string }{
		{"runc", "runc", rt.RuncPath, config.DefaultRuncPath, "runtime.runcPath"},
		{"conmon", "conmon", rt.ConmonPath, config.DefaultConmonPath, "runtime.conmonPath"},
	} {
		fix := "apt-get install " + t.pkg
		if t.path != t.def {
			fix = "no " + t.path + ": fix " + t.field + " in the config"
		}
		p = append(p, prerequisite{t.bin, fileExists(t.path), fix})
	}
	for _, t := range []struct{ bin, pkg string }{
		{"nft", "nftables"}, {"ip", "iproute2"}, {"mount", "mount"}, {"nsenter", "util-linux"}, {"iptables", "iptables"},
	} {
		p = append(p, prerequisite{t.bin, lookPath(t.bin), "apt-get install " + t.pkg})
	}
	cniDir, fix := rt.CNIPluginDir, "apt-get install containernetworking-plugins"
	if cniDir != config.DefaultCNIPluginDir {
		fix = "not in " + cniDir + ": fix runtime.cniPluginDir in the config"
	}
	for _, plugin := range []string{"bridge", "host-local", "loopback", "portmap"} {
		p = append(p, prerequisite{"cni/" + plugin, fileExists(filepath.Join(cniDir, plugin)), fix})
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
		Long: "Check the host's prerequisites, one line each, with the fix for what is missing. runc, conmon and the CNI\n" +
			"plugins are looked for where the config file's runtime section puts them, if it does.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := config.ReadFile(flags.configFile, !cmd.Flags().Changed("config"))
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			missing := 0
			for _, p := range prerequisites(f.Runtime) {
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
				return check.HostPrerequisite.Errorf("%d prerequisite(s) missing; %s", missing, check.HostPrerequisite.Fix)
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
