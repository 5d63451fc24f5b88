package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	kubectl "k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubenode/kubenode/pkg/config"
	// Before kubectl's packages: loads its translations only when needed.
	_ "github.com/kubenode/kubenode/pkg/kubectllang"
)

// runKubectl runs the embedded kubectl with args and exits. It bypasses
// kubenode's own flag parsing so every kubectl flag works unchanged; the
// admin kubeconfig of the data dir is the default unless --kubeconfig or
// KUBECONFIG says otherwise.
func runKubectl(args []string) {
	dataDir := config.DefaultDataDir
	var rest []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--data-dir" && i+1 < len(args):
			dataDir = args[i+1]
			i++
		case strings.HasPrefix(a, "--data-dir="):
			dataDir = strings.TrimPrefix(a, "--data-dir=")
		default:
			rest = append(rest, a)
		}
	}
	explicit := os.Getenv("KUBECONFIG") != ""
	for _, a := range rest {
		explicit = explicit || a == "--kubeconfig" || strings.HasPrefix(a, "--kubeconfig=")
	}
	if !explicit {
		os.Setenv("KUBECONFIG", filepath.Join(dataDir, "admin.kubeconfig"))
	}
	os.Args = append([]string{"kubectl"}, rest...)
	logs.GlogSetter(kubectl.GetLogVerbosity(os.Args)) //nolint:errcheck
	if err := cli.RunNoErrOutput(kubectl.NewDefaultKubectlCommand()); err != nil {
		util.CheckErr(err)
	}
	os.Exit(0)
}

// newKubectlCmd only documents the command: main dispatches "kubectl"
// before cobra sees the arguments.
func newKubectlCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "kubectl [--data-dir DIR] [kubectl args...]",
		Short:              "Run the embedded kubectl against this node's API (admin kubeconfig of the data dir)",
		DisableFlagParsing: true,
		Run:                func(_ *cobra.Command, args []string) { runKubectl(args) },
	}
}
