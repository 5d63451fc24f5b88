package node

import (
	"fmt"

	"github.com/go-logr/logr"

	"github.com/kubenode/kubenode/pkg/fsutil"
)

// Free space of the data dir's filesystem below which a node warns at
// start. etcd alone may come to take ~2.4 GiB (its db up to the 2 GiB
// quota, five 61 MiB WAL files and the one preallocated next), and CRI-O
// keeps the images there: under 1 GiB a busy cluster fills the rest in days,
// and on a large filesystem the last 5 % go the same way.
const (
	warnFreeBytes    = 1 << 30
	warnFreeFraction = 0.05
)

// checkSpace refuses to start a node whose data dir's filesystem has less
// than min bytes free, and warns below warnFreeBytes or warnFreeFraction.
// It runs before anything is written: a full disk found halfway through the
// start leaves a panic of etcd's and a half set-up host instead.
func checkSpace(dataDir string, min uint64, log logr.Logger) error {
	sp, err := fsutil.SpaceOf(dataDir)
	if err != nil {
		return fmt.Errorf("free space for the data dir %s: %w", dataDir, err)
	}
	if sp.Free < min {
		return fmt.Errorf("not enough free space for the data dir %s: the filesystem %s; the node needs at least %s to start "+
			"(etcd preallocates its WAL in 61 MiB files, two at a time): free space there, or choose a data dir on another filesystem (--data-dir)",
			dataDir, sp, fsutil.Bytes(min))
	}
	if sp.Free < warnFreeBytes || sp.FreeFraction() < warnFreeFraction {
		log.Info("free space low for the node's data: free space there before etcd or CRI-O run out of it",
			"dataDir", dataDir, "filesystem", sp.String(), "warnBelow", fmt.Sprintf("%s or %.0f%%", fsutil.Bytes(warnFreeBytes), 100*warnFreeFraction))
	}
	return nil
}
