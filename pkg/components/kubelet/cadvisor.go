package kubelet

import (
	"context"
	"errors"
	"fmt"

	cadvisorfs "github.com/google/cadvisor/fs"
	cadvisorapiv2 "github.com/google/cadvisor/info/v2"
	"golang.org/x/sys/unix"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kubelet/app/options"
	"k8s.io/kubernetes/pkg/kubelet/cadvisor"
	"k8s.io/kubernetes/pkg/kubelet/cm"
)

// newCadvisor is the kubelet's cAdvisor as the kubelet would make it
// (cmd/kubelet/app: runtime and system cgroups are never set by kubenode),
// wrapped in staleMounts.
func newCadvisor(ctx context.Context, s *options.KubeletServer) (cadvisor.Interface, error) {
	logger := klog.FromContext(ctx)
	roots := []string{cm.NodeAllocatableRoot(s.CgroupRoot, s.CgroupsPerQOS, s.CgroupDriver)}
	if c, err := cm.GetKubeletContainer(logger, s.KubeletCgroups); err == nil && c != "" {
		roots = append(roots, c)
	}
	inner, err := cadvisor.New(logger, cadvisor.NewImageFsInfoProvider(s.ContainerRuntimeEndpoint), s.RootDirectory, roots,
		cadvisor.UsingLegacyCadvisorStats(s.ContainerRuntimeEndpoint), s.LocalStorageCapacityIsolation)
	if err != nil {
		return nil, fmt.Errorf("kubelet: cadvisor: %w", err)
	}
	return staleMounts{inner}, nil
}

// staleMounts keeps cAdvisor's snapshot of the mount table from failing the
// kubelet's stats. cAdvisor reads the mount table once, at start, and keeps
// tmpfs and overlay mounts by their anonymous device numbers; nodes on one
// machine share the mount table, so a worker's snapshot holds the primary's
// pod volumes and container overlays. Once those are unmounted their device
// numbers are reused, e.g. by this node's container overlays, and cAdvisor
// maps a container's writable layer to the other node's vanished mount:
// "cannot find filesystem info for device .../kubernetes.io~empty-dir/..."
// (or "overlay_0-92"), and the eviction manager got no summary stats at
// all, every 10 s, for as long as the container ran. (A lone node hits it too with its own pods' volumes
// mounted before a restart.) An anonymous device (tmpfs, overlay) that
// cAdvisor cannot resolve is reported as unknown to it, which the kubelet
// takes as "no filesystem stats for this one", as it already does for every
// overlay cAdvisor never saw.
type staleMounts struct{ cadvisor.Interface }

func (c staleMounts) GetDirFsInfo(dir string) (cadvisorapiv2.FsInfo, error) {
	info, err := c.Interface.GetDirFsInfo(dir)
	if err == nil || errors.Is(err, cadvisorfs.ErrDeviceNotInPartitionsMap) {
		return info, err
	}
	var st unix.Stat_t
	if unix.Stat(dir, &st) == nil && unix.Major(st.Dev) == 0 {
		return info, fmt.Errorf("%w: %s is on an anonymous device cAdvisor's mount snapshot does not resolve: %v", cadvisorfs.ErrDeviceNotInPartitionsMap, dir, err)
	}
	return info, err
}
