package crio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/kubenode/kubenode/pkg/fsutil"
	"github.com/kubenode/kubenode/pkg/images"
)

// Reset removes what CRI-O of a stopped node left on the host and returns
// what it did: containers still running (runtime.keepPodsRunning leaves
// them running at stop) are killed and deleted with runc; the mounts under
// CRI-O's run dir and the image store (pinned namespaces, shm, container
// root filesystems, the store's overlay home) are unmounted; and CRI-O's
// runtime state (RunDir/crio, with runc's state and libcni's cache), the
// store's run root and the CNI address leases are removed, as a reboot
// would. Images and the rest of the store stay.
func (c *CRIO) Reset(ctx context.Context) ([]string, error) {
	done, err := c.deleteContainers(ctx)
	if err != nil {
		return done, err
	}
	store := images.StoreOptions(c.DataDir, c.RunDir)
	for _, dir := range []string{c.crioRun(), store.RunRoot, store.GraphRoot} {
		unmounted, err := fsutil.UnmountUnder(dir)
		if n := len(unmounted); n > 0 {
			done = append(done, fmt.Sprintf("unmounted %d mounts under %s", n, dir))
		}
		if err != nil {
			return done, fmt.Errorf("crio: %w", err)
		}
	}
	remove := []string{c.crioRun(), store.RunRoot}
	if c.CNI != nil && c.CNI.IPAMDir != "" {
		remove = append(remove, c.CNI.IPAMDir)
	}
	for _, dir := range remove {
		if _, err := os.Lstat(dir); err != nil {
			continue
		}
		if left, err := fsutil.MountsUnder(dir); err == nil && len(left) > 0 {
			return done, fmt.Errorf("crio: %s still has mounts (%s); not removing it", dir, strings.Join(left, " "))
		}
		if err := os.RemoveAll(dir); err != nil {
			return done, fmt.Errorf("crio: %w", err)
		}
		done = append(done, "removed "+dir)
	}
	return done, nil
}

// deleteContainers deletes every container in runc's state dir of this
// node, killing those that still run, so that their conmon exits and
// nothing holds the node's mounts and cgroups.
func (c *CRIO) deleteContainers(ctx context.Context) ([]string, error) {
	root := c.crioRun("runc")
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("crio: %w", err)
	}
	runc := c.RuntimePath
	if err := checkExecutable(runc); err != nil {
		return nil, fmt.Errorf("%w: it is needed to delete the containers in %s", err, root)
	}
	out, err := exec.CommandContext(ctx, runc, "--root", root, "list", "--format", "json").Output()
	if err != nil {
		return nil, fmt.Errorf("crio: %s --root %s list: %w", runc, root, err)
	}
	var ctrs []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(out, &ctrs); err != nil {
		return nil, fmt.Errorf("crio: %s --root %s list: %w", runc, root, err)
	}
	var done []string
	killed := 0
	for _, ctr := range ctrs {
		if out, err := exec.CommandContext(ctx, runc, "--root", root, "delete", "--force", ctr.ID).CombinedOutput(); err != nil {
			return done, fmt.Errorf("crio: delete container %.12s: %w: %s", ctr.ID, err, strings.TrimSpace(string(out)))
		}
		if ctr.Status != "stopped" {
			killed++
		}
	}
	if killed > 0 {
		done = append(done, fmt.Sprintf("killed the containers still running (%d) and deleted them", killed))
	}
	return done, nil
}
