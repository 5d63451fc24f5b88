package crio

import (
	"bufio"
	"context"
	"os"
	"strings"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
)

// CRI-O decides whether to put hugepage limits into a container's OCI spec
// from /proc/cgroups, which lists controllers the kernel has even when no
// hierarchy mounts them. The kubelet always sends limits for every page
// size (0 when the pod asks for none); with cgroup v1 and hugetlb enabled
// but not mounted, runc then fails every container ("cannot set hugetlb
// limit: container could not join or create cgroup"). Where hugetlb is not
// mounted there is nothing to limit: drop the limits on the way in.

// hugetlbUsable reports whether runc can apply hugetlb limits: cgroup v2
// (limits go through the unified hierarchy when the controller exists) or a
// mounted v1 hugetlb hierarchy.
func hugetlbUsable() bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return true // keep CRI-O's behaviour when in doubt
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		// ... - cgroup cgroup rw,hugetlb  |  ... - cgroup2 cgroup2 rw
		_, post, ok := strings.Cut(s.Text(), " - ")
		if !ok {
			continue
		}
		fields := strings.Fields(post)
		if len(fields) < 3 {
			continue
		}
		switch fields[0] {
		case "cgroup":
			for _, opt := range strings.Split(fields[2], ",") {
				if opt == "hugetlb" {
					return true
				}
			}
		case "cgroup2":
			if !upstream.CgroupV1() {
				return true
			}
		}
	}
	return false
}

// dropHugetlbLimits is a unary interceptor that removes hugepage limits
// from container creation and updates.
func dropHugetlbLimits(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	switch r := req.(type) {
	case *runtimeapi.CreateContainerRequest:
		if res := r.GetConfig().GetLinux().GetResources(); res != nil {
			res.HugepageLimits = nil
		}
	case *runtimeapi.UpdateContainerResourcesRequest:
		if r.GetLinux() != nil {
			r.Linux.HugepageLimits = nil
		}
	}
	return handler(ctx, req)
}
