// Command kubenode runs a Kubernetes node in one process.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	// Multicall: a kubectl symlink, or "kubenode kubectl ...", hands the
	// arguments to kubectl untouched.
	if filepath.Base(os.Args[0]) == "kubectl" {
		runKubectl(os.Args[1:])
	}
	if len(os.Args) > 1 && os.Args[1] == "kubectl" {
		runKubectl(os.Args[2:])
	}
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "kubenode:", err)
		os.Exit(1)
	}
}
