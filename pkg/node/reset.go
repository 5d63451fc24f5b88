package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/kubenode/kubenode/pkg/components/crio"
	"github.com/kubenode/kubenode/pkg/components/kubelet"
	"github.com/kubenode/kubenode/pkg/components/kubeproxy"
	"github.com/kubenode/kubenode/pkg/config"
)

// cniIPAMDir holds host-local's address leases of the node's pods.
func cniIPAMDir(cfg *config.Config) string { return filepath.Join(cfg.RunDir, "cni", "networks") }

// CheckStopped fails while a node runs with cfg's run dir (its status
// socket answers): taking a running node apart would break it halfway.
func CheckStopped(cfg *config.Config) error {
	conn, err := net.DialTimeout("unix", StatusSocket(cfg), time.Second)
	if err != nil {
		return nil
	}
	conn.Close()
	return fmt.Errorf("a kubenode node is running with run dir %s (it answers on %s): stop it first, then run kubenode reset again", cfg.RunDir, StatusSocket(cfg))
}

// ResetRuntime removes what the node runtime (CRI-O, the kubelet and
// kube-proxy) of a stopped node left on the host, and returns what it did:
// containers still running, mounts under the node's dirs, CRI-O's runtime
// state and the CNI leases, the kubelet's pods and state, the pods' cgroups
// and log links, kube-proxy's nftables tables and the kubelet's iptables
// chains. Images, the cluster's state (etcd, pki) and logs stay.
func ResetRuntime(ctx context.Context, cfg *config.Config) ([]string, error) {
	if err := CheckStopped(cfg); err != nil {
		return nil, err
	}
	c := &crio.CRIO{
		DataDir: cfg.DataDir, RunDir: cfg.RunDir, RuntimePath: cfg.Runtime.RuncPath,
		CNI: &crio.CNI{IPAMDir: cniIPAMDir(cfg)},
	}
	k := &kubelet.Kubelet{RootDir: cfg.KubeletRootDir(), PodLogsDir: cfg.Runtime.PodLogsDir, CgroupRoot: cfg.Runtime.CgroupRoot}
	var done []string
	var errs []error
	// Containers go first: they hold mounts, cgroups and the leases.
	d, err := c.Reset(ctx)
	done = append(done, d...)
	if err != nil {
		return done, err
	}
	for _, step := range []func() ([]string, error){
		k.Reset,
		func() ([]string, error) { return kubeproxy.Reset(ctx) },
	} {
		d, err := step()
		done = append(done, d...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return done, errors.Join(errs...)
}
