// Command kubenode runs a Kubernetes node in one process.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"go.podman.io/storage/pkg/reexec"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/components/crio"
	"github.com/kubenode/kubenode/pkg/logging"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/node"
	"github.com/kubenode/kubenode/pkg/reflectorbackoff"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// idleGCPercent is GOGC for a worker once ready and for every other
// command; primaryIdleGCPercent for a primary once ready. A worker's heap
// is small: at 25% it saved ~1 MiB for 18% more idle CPU (hack/bench-cluster.sh,
// median of 3: 0.55 -> 0.65 s a minute).
const (
	idleGCPercent        = 50
	primaryIdleGCPercent = 25
)

// notify reports to systemd; only the supervisor uses it, through
// nodeNotify.
var notify func(state string) error

// nodeNotify is notify for a node process (primary or worker), with the
// KUBENODE_* profiles (withProfiles) and the node's memory settings
// (withNodeMemory). They are a node's alone: the wgkube helper and
// one-shot commands such as `kubenode shutdown` inherit the environment,
// and profiles of their own would truncate the node's files.
func nodeNotify(idlePercent int) func(string) error {
	return withNodeMemory(withProfiles(notify), idlePercent)
}

func main() {
	// containers/storage (image import now, CRI-O later) re-executes this
	// binary as a helper (overlay mounts, chrooted untar); such a child
	// must run the helper and exit before anything else happens.
	if reexec.Init() {
		return
	}
	// The userspace wgkube's helper process (hidden: only kubenode starts
	// it). It needs nothing of what follows, CRI-O's process setup least.
	if len(os.Args) > 1 && os.Args[1] == netsetup.HelperCommand {
		os.Exit(netsetup.RunHelper(os.Args[2:], klog.Background()))
	}
	// GC at 50% growth instead of 100% keeps less resident for a few
	// percent more CPU; a node runs its start-up at 100% and a primary its
	// idle at 25% (see withNodeMemory). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(idleGCPercent)
	}
	node.KubenodeVersion = kubenodeVersion
	// Before any component builds an informer: a worker's watches of a
	// restarting primary retry within 2 s, not a minute.
	reflectorbackoff.Set()
	// Before anything else can read or unset it (see NotifierFromEnv).
	notify = supervisor.NotifierFromEnv()
	// Every library logger goes to klog, with component=<name>: CoreDNS and
	// caddy log through the standard logger, CRI-O, containers/storage and
	// containers/image through the global logrus logger (whose Fatal must
	// end a component, not the process).
	logging.StdLog()
	if err := crio.SetupProcess("warn"); err != nil {
		fmt.Fprintln(os.Stderr, "kubenode:", err)
		os.Exit(1)
	}
	// Multicall: a kubectl symlink, or "kubenode kubectl ...", hands the
	// arguments to kubectl untouched.
	if filepath.Base(os.Args[0]) == "kubectl" {
		runKubectl(os.Args[1:])
	}
	if len(os.Args) > 1 && os.Args[1] == "kubectl" {
		runKubectl(os.Args[2:])
	}
	if err := newRootCmd().Execute(); err != nil {
		if errors.Is(err, node.ErrShutdown) {
			fmt.Fprintln(os.Stderr, "kubenode:", err)
			os.Exit(node.ExitShutdown)
		}
		fmt.Fprintln(os.Stderr, "kubenode:", err)
		os.Exit(1)
	}
}
