package node

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/component-base/version"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/upgrade"
)

// KubenodeVersion is this binary's version; main sets it from its ldflags.
var KubenodeVersion = "dev"

func binaryVersions() upgrade.Record {
	return upgrade.Record{Kubenode: KubenodeVersion, Kubernetes: version.Get().GitVersion}
}

// checkVersions refuses, before anything is written, a binary that may not
// run the data dir (a downgrade, or a skipped minor version).
func checkVersions(cfg *config.Config, log logr.Logger) error {
	prev, err := upgrade.Read(cfg.DataDir)
	if err != nil {
		return err
	}
	bin := binaryVersions()
	if err := upgrade.Check(prev, bin); err != nil {
		return err
	}
	if prev != nil && prev.Kubernetes != bin.Kubernetes {
		log.Info("upgrading the data dir", "from", prev.Kubernetes, "to", bin.Kubernetes, "previousKubenode", prev.Kubenode, "kubenode", bin.Kubenode)
	}
	return nil
}

// recordVersions records this binary as the one that runs the data dir,
// once the start has passed its checks and before any component runs.
func recordVersions(cfg *config.Config) error {
	return upgrade.Write(cfg.DataDir, binaryVersions())
}

// checkSkew refuses a worker whose kubelet would be newer than the
// primary's apiserver. A primary that does not answer is no reason to
// refuse: the worker must start while the primary is down.
func checkSkew(ctx context.Context, client kubernetes.Interface, log logr.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := client.Discovery().ServerVersion()
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{v: v.GitVersion}
	}()
	select {
	case <-ctx.Done():
		log.Info("could not compare versions with the primary (it does not answer); starting anyway")
		return nil
	case r := <-done:
		if r.err != nil {
			log.Info("could not compare versions with the primary; starting anyway", "err", r.err.Error())
			return nil
		}
		if err := upgrade.CheckSkew(binaryVersions().Kubernetes, r.v); err != nil {
			return fmt.Errorf("%w (kubenode %s)", err, KubenodeVersion)
		}
		return nil
	}
}
