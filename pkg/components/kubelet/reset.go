package kubelet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
	utiliptables "k8s.io/kubernetes/pkg/util/iptables"

	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
	"github.com/kubenode/kubenode/pkg/fsutil"
)

// ContainerLogLinksDir is where the kubelet links every container's log
// (kubelet.DefaultContainerLogsDir, a fixed path shared by everything on
// the machine).
const ContainerLogLinksDir = "/var/log/containers"

// rootState are the entries the kubelet makes in its root directory; pki
// (a worker's bootstrapped credentials) is the join's to remove.
var rootState = []string{
	"pods", "plugins", "plugins_registry", "pod-resources", "checkpoints", "image_manager",
	"cpu_manager_state", "memory_manager_state", "dra_manager_state", "allocated_pods_state", "actuated_pods_state",
}

// Reset removes what the kubelet of a stopped node left on the host and
// returns what it removed: the pods' volumes and the bind mount of its
// root are unmounted, the pods' directories and the kubelet's state in its
// root are removed (the root too, once empty), and so are the links in
// /var/log/containers to this node's pod logs (the logs stay), the pods'
// cgroups (kubepods under the cgroup root; one with processes in it
// stays), and the chains the kubelet adds to the host's iptables tables
// (the tables themselves are iptables', and stay). Containers must be gone
// first (CRI-O's Reset).
func (k *Kubelet) Reset() ([]string, error) {
	var done []string
	var errs []error
	for _, step := range []func() ([]string, error){k.resetRoot, k.resetLogLinks, k.resetCgroups, resetIPTables} {
		d, err := step()
		done = append(done, d...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return done, errors.Join(errs...)
}

func (k *Kubelet) resetRoot() ([]string, error) {
	root := k.RootDir
	if root == "" {
		return nil, errors.New("kubelet reset: no root dir")
	}
	var done []string
	unmounted, err := fsutil.UnmountUnder(root)
	if n := len(unmounted); n > 0 {
		done = append(done, fmt.Sprintf("unmounted %d mounts under %s (pod volumes, the kubelet's bind mount of its root)", n, root))
	}
	if err != nil {
		return done, fmt.Errorf("kubelet: %w", err)
	}
	// Never remove files through a mount (a network volume's data).
	if left, err := fsutil.MountsUnder(root); err == nil && len(left) > 0 {
		return done, fmt.Errorf("kubelet: %s still has mounts (%s); not removing its pods", root, strings.Join(left, " "))
	}
	for _, name := range rootState {
		p := filepath.Join(root, name)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return done, fmt.Errorf("kubelet: %w", err)
		}
		done = append(done, "removed "+p)
	}
	// Only when empty: anything else there is not the kubelet's.
	if err := os.Remove(root); err == nil {
		done = append(done, "removed "+root)
	}
	return done, nil
}

// resetLogLinks removes the links in /var/log/containers that point into
// this node's pod logs directory, and no others.
func (k *Kubelet) resetLogLinks() ([]string, error) {
	if k.PodLogsDir == "" {
		return nil, errors.New("kubelet reset: no pod logs dir")
	}
	logs := filepath.Clean(k.PodLogsDir)
	entries, err := os.ReadDir(ContainerLogLinksDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("kubelet: %w", err)
	}
	n := 0
	for _, e := range entries {
		p := filepath.Join(ContainerLogLinksDir, e.Name())
		dst, err := os.Readlink(p)
		if err != nil || !strings.HasPrefix(dst, logs+"/") {
			continue
		}
		if err := os.Remove(p); err != nil {
			return nil, fmt.Errorf("kubelet: %w", err)
		}
		n++
	}
	if n == 0 {
		return nil, nil
	}
	return []string{fmt.Sprintf("removed the links in %s to the pods' logs in %s (%d)", ContainerLogLinksDir, logs, n)}, nil
}

// resetCgroups removes the kubepods cgroup tree under the cgroup root in
// every hierarchy, children first. A cgroup that still holds processes
// cannot be removed (EBUSY) and stays, with its parents.
func (k *Kubelet) resetCgroups() ([]string, error) {
	root := strings.Trim(or(k.CgroupRoot, "/"), "/")
	trees := []string{filepath.Join("/sys/fs/cgroup", root, "kubepods")}
	if upstream.CgroupV1() {
		trees = nil
		hierarchies, err := os.ReadDir("/sys/fs/cgroup")
		if err != nil {
			return nil, fmt.Errorf("kubelet: %w", err)
		}
		for _, h := range hierarchies {
			if h.IsDir() { // not the aliases (cpu -> cpu,cpuacct)
				trees = append(trees, filepath.Join("/sys/fs/cgroup", h.Name(), root, "kubepods"))
			}
		}
	}
	removed := 0
	var busy []string
	for _, tree := range trees {
		var dirs []string
		_ = filepath.WalkDir(tree, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		if len(dirs) == 0 {
			continue
		}
		gone := true
		for i := len(dirs) - 1; i >= 0; i-- {
			if err := unix.Rmdir(dirs[i]); err != nil && !errors.Is(err, unix.ENOENT) {
				gone = false
				if !errors.Is(err, unix.EBUSY) {
					return nil, fmt.Errorf("kubelet: remove cgroup %s: %w", dirs[i], err)
				}
				busy = append(busy, dirs[i])
			}
		}
		if gone {
			removed++
		}
	}
	var done []string
	if removed > 0 {
		done = append(done, fmt.Sprintf("removed the pods' cgroups (kubepods under /%s) in %d hierarchies", root, removed))
	}
	if len(busy) > 0 {
		done = append(done, fmt.Sprintf("left %d cgroups that still hold processes: %s", len(busy), strings.Join(busy, " ")))
	}
	return done, nil
}

// resetIPTables removes the chains the kubelet adds in each family's
// iptables (kubelet_network_linux.go: KUBE-IPTABLES-HINT, KUBE-FIREWALL
// with its jumps from INPUT and OUTPUT, and the KUBE-KUBELET-CANARY chains)
// and nothing else. Without iptables the kubelet added none.
func resetIPTables() ([]string, error) {
	const firewall = utiliptables.Chain("KUBE-FIREWALL")
	chains := []struct {
		table utiliptables.Table
		chain utiliptables.Chain
	}{
		{utiliptables.TableFilter, firewall},
		{utiliptables.TableMangle, "KUBE-IPTABLES-HINT"},
		{utiliptables.TableMangle, "KUBE-KUBELET-CANARY"},
		{utiliptables.TableNAT, "KUBE-KUBELET-CANARY"},
		{utiliptables.TableFilter, "KUBE-KUBELET-CANARY"},
	}
	var done []string
	var errs []error
	for _, ipt := range utiliptables.NewBestEffort() {
		cmd := "iptables"
		if ipt.IsIPv6() {
			cmd = "ip6tables"
		}
		for _, c := range chains {
			if ok, _ := ipt.ChainExists(c.table, c.chain); !ok {
				continue
			}
			if c.chain == firewall {
				for _, from := range []utiliptables.Chain{utiliptables.ChainInput, utiliptables.ChainOutput} {
					if err := ipt.DeleteRule(c.table, from, "-j", string(firewall)); err != nil {
						errs = append(errs, fmt.Errorf("kubelet: %s: %w", cmd, err))
					}
				}
			}
			if err := ipt.FlushChain(c.table, c.chain); err != nil {
				errs = append(errs, fmt.Errorf("kubelet: %s: %w", cmd, err))
				continue
			}
			if err := ipt.DeleteChain(c.table, c.chain); err != nil {
				errs = append(errs, fmt.Errorf("kubelet: %s: %w", cmd, err))
				continue
			}
			done = append(done, fmt.Sprintf("removed %s chain %s from table %s", cmd, c.chain, c.table))
		}
	}
	return done, errors.Join(errs...)
}
