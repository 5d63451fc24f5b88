// Package upgrade keeps a node's data dir from being run by a Kubernetes
// version that must not run it: it records the versions that last ran the
// data dir, and checks a binary against that record and against the
// primary's apiserver (Kubernetes' version skew policy).
package upgrade

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/util/version"

	"github.com/kubenode/kubenode/pkg/fsutil"
)

// Record is what ran a data dir last.
type Record struct {
	Kubenode   string    `json:"kubenode"`
	Kubernetes string    `json:"kubernetes"`
	At         time.Time `json:"at,omitzero"`
}

// File is where a data dir keeps its Record.
func File(dataDir string) string { return filepath.Join(dataDir, "versions.json") }

// Read returns the data dir's record, nil if it has none (a new data dir,
// or one from before records were kept).
func Read(dataDir string) (*Record, error) {
	data, err := os.ReadFile(File(dataDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w: move it aside if it is damaged (the next start writes a new one)", File(dataDir), err)
	}
	return &r, nil
}

// Write records r as what runs the data dir now.
func Write(dataDir string, r Record) error {
	r.At = time.Now().UTC()
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(File(dataDir), append(data, '\n'), 0o600, 0o700)
}

// Check refuses a binary whose Kubernetes version may not run data last run
// by prev: a downgrade (Kubernetes keeps no downgrade path for its stored
// objects) or a jump of more than one minor version (each minor migrates
// what the one before it wrote). prev nil passes.
func Check(prev *Record, bin Record) error {
	if prev == nil {
		return nil
	}
	was, err := version.ParseSemantic(prev.Kubernetes)
	if err != nil {
		return fmt.Errorf("the data dir's record names Kubernetes %q: %w", prev.Kubernetes, err)
	}
	now, err := version.ParseSemantic(bin.Kubernetes)
	if err != nil {
		return fmt.Errorf("this binary's Kubernetes version %q: %w", bin.Kubernetes, err)
	}
	allowed := fmt.Sprintf("it may be started by Kubernetes %d.%d.%d or newer within %d.%d, or by %d.%d.x",
		was.Major(), was.Minor(), was.Patch(), was.Major(), was.Minor(), was.Major(), was.Minor()+1)
	switch {
	case now.Major() != was.Major():
		return fmt.Errorf("this kubenode (%s, Kubernetes %s) cannot run a data dir last run by kubenode %s with Kubernetes %s: %s", bin.Kubenode, bin.Kubernetes, prev.Kubenode, prev.Kubernetes, allowed)
	case now.LessThan(was.WithPreRelease("").WithBuildMetadata("")) && !sameRelease(now, was):
		return fmt.Errorf("this kubenode (%s, Kubernetes %s) is older than kubenode %s with Kubernetes %s, which last ran this data dir: a downgrade is not supported (%s); to go back, restore an etcd snapshot taken before the upgrade with the old binary", bin.Kubenode, bin.Kubernetes, prev.Kubenode, prev.Kubernetes, allowed)
	case now.Minor() > was.Minor()+1:
		return fmt.Errorf("this kubenode (%s, Kubernetes %s) skips a minor version: kubenode %s with Kubernetes %s last ran this data dir, and %s; upgrade one minor version at a time", bin.Kubenode, bin.Kubernetes, prev.Kubenode, prev.Kubernetes, allowed)
	}
	return nil
}

func sameRelease(a, b *version.Version) bool {
	return a.Major() == b.Major() && a.Minor() == b.Minor() && a.Patch() == b.Patch()
}

// CheckSkew applies Kubernetes' skew policy to a worker: its kubelet must
// not be newer than the apiserver, and at most three minor versions older.
func CheckSkew(kubelet, apiserver string) error {
	k, err := version.ParseSemantic(kubelet)
	if err != nil {
		return fmt.Errorf("this binary's Kubernetes version %q: %w", kubelet, err)
	}
	a, err := version.ParseGeneric(apiserver)
	if err != nil {
		return fmt.Errorf("the primary's Kubernetes version %q: %w", apiserver, err)
	}
	switch {
	case k.Major() != a.Major() || k.Minor() > a.Minor():
		return fmt.Errorf("this worker's kubelet (Kubernetes %s) is newer than the primary's apiserver (%s): a kubelet must not be newer than its apiserver; upgrade the primary first", kubelet, apiserver)
	case a.Minor()-k.Minor() > 3:
		return fmt.Errorf("this worker's kubelet (Kubernetes %s) is more than three minor versions older than the primary's apiserver (%s): upgrade the worker", kubelet, apiserver)
	}
	return nil
}
