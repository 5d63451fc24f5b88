package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/nodelock"
)

// nodeFlags are shared by every command that acts on this node.
type nodeFlags struct {
	configFile string
	dataDir    string
	runDir     string
	nodeIPs    []string
	verbosity  int
}

var flags nodeFlags

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "kubenode",
		Short:         "Run a Kubernetes node from one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&flags.configFile, "config", config.DefaultConfigFile, "path of the node's config file (YAML); optional at its default path")
	pf.StringVar(&flags.dataDir, "data-dir", "", "directory of the node's state (default "+config.DefaultDataDir+")")
	pf.StringVar(&flags.runDir, "run-dir", "", "directory of the node's sockets and runtime files (default "+config.DefaultRunDir+")")
	pf.StringSliceVar(&flags.nodeIPs, "node-ip", nil, "the node's underlay address(es), comma separated (default: source address of the default route)")
	pf.IntVarP(&flags.verbosity, "v", "v", 0, "log verbosity: 0 logs what an operator needs, 2 the components' detail, 4 and more their debugging")
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return setVerbosity(flags.verbosity) }

	root.AddCommand(
		newVersionCmd(),
		newCheckCmd(),
		newConfigCmd(),
		newPrimaryCmd(),
		newKubectlCmd(),
		newNetworkCmd(),
		newResetCmd(),
		newShutdownCmd(),
		newImagesCmd(),
		newTokenCmd(),
		newWorkerCmd(),
		newStatusCmd(),
		newDoctorCmd(),
		newEtcdCmd(),
		newCertsCmd(),
		newInstallCmd(),
		newUninstallCmd(),
	)
	return root
}

// loadConfig reads the config file, applies flags over it and resolves it
// against this host.
func loadConfig(cmd *cobra.Command) (*config.Config, error) {
	f, err := config.ReadFile(flags.configFile, !cmd.Flags().Changed("config"))
	if err != nil {
		return nil, err
	}
	overrideFlags(f)
	return f.Resolve(config.LiveHost{})
}

// overrideFlags applies the node flags over the config file's values.
func overrideFlags(f *config.File) {
	if flags.dataDir != "" {
		f.DataDir = flags.dataDir
	}
	if flags.runDir != "" {
		f.RunDir = flags.runDir
	}
	if len(flags.nodeIPs) > 0 {
		f.NodeIPs = flags.nodeIPs
	}
}

// lockNode holds the node's data and run dirs for as long as this command
// runs: a second kubenode on them fails here, naming the holder's PID,
// before it writes anything. Every command that writes node state takes it.
func lockNode(cmd *cobra.Command, cfg *config.Config) (*nodelock.Lock, error) {
	return nodelock.Node(cfg.DataDir, cfg.RunDir, cmd.CommandPath())
}

// setVerbosity sets klog's -v, which every component in the process logs
// through (kubenode's own V(1) lines included).
func setVerbosity(v int) error {
	if v < 0 {
		return fmt.Errorf("-v %d: must be 0 or more", v)
	}
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	return fs.Set("v", strconv.Itoa(v))
}
