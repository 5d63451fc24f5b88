package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
	"k8s.io/component-base/version"
)

// kubenodeVersion is set by the Makefile with -ldflags -X.
var kubenodeVersion = "dev"

// moduleVersion reads the version of a module linked into this binary, so
// the output cannot drift from what was built.
func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, m := range info.Deps {
		if m.Path == path {
			if m.Replace != nil {
				return m.Replace.Version
			}
			return m.Version
		}
	}
	return "not linked"
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of kubenode and of what it embeds",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "kubenode:   %s\n", kubenodeVersion)
			fmt.Fprintf(w, "kubernetes: %s (module %s)\n", version.Get().GitVersion, moduleVersion("k8s.io/kubernetes"))
			fmt.Fprintf(w, "etcd:       %s\n", moduleVersion("go.etcd.io/etcd/server/v3"))
			fmt.Fprintf(w, "cri-o:      %s\n", moduleVersion("github.com/cri-o/cri-o"))
			fmt.Fprintf(w, "coredns:    %s\n", moduleVersion("github.com/coredns/coredns"))
			fmt.Fprintf(w, "go:         %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}
