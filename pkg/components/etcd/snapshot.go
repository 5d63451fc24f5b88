package etcd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	clientsnapshot "go.etcd.io/etcd/client/v3/snapshot"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/kubenode/kubenode/pkg/fsutil"
)

// The single member's identity, shared by Start and Restore: a restored
// data dir must name the member the embedded server runs as.
const (
	memberName   = "default"
	peerURL      = "unix://kubenode-etcd-peer:0"
	clusterToken = "etcd-cluster" // embed's default
	// SnapshotExt is the file name ending of snapshots; the checksum file
	// beside each adds ChecksumExt.
	SnapshotExt = ".db"
	ChecksumExt = ".sha256"
	// restoreRevisionBump moves the revision far past anything a client
	// saw before the restore, and marks it compacted, so that every
	// informer (kubelets, controllers, CoreDNS) relists instead of
	// waiting for revisions that the restored store will only reach much
	// later (what etcd documents for restoring Kubernetes).
	restoreRevisionBump = 1_000_000_000
)

// SnapshotInfo describes one snapshot file.
type SnapshotInfo struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	Time     time.Time `json:"time"`
	Checksum string    `json:"sha256,omitempty"` // from the file beside it
	Problem  string    `json:"problem,omitempty"`
}

// SaveSnapshot streams a snapshot from the running member over its Unix
// socket into path. The file appears only complete, with its checksum
// (path + ChecksumExt, sha256sum format) already beside it.
func SaveSnapshot(ctx context.Context, socket, path string) (*SnapshotInfo, error) {
	if _, err := os.Stat(socket); err != nil {
		return nil, fmt.Errorf("etcd snapshot: no etcd socket at %s: is `kubenode primary` running with this run dir? (%v)", socket, err)
	}
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("etcd snapshot: %s exists; name another file", path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("etcd snapshot: %w", err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".saving")
	_ = os.Remove(tmp)
	defer os.Remove(tmp)
	cfg := clientv3.Config{Endpoints: []string{"unix://" + socket}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()}
	if _, err := clientsnapshot.SaveWithVersion(ctx, zap.NewNop(), cfg, tmp); err != nil {
		return nil, fmt.Errorf("etcd snapshot: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return nil, err
	}
	sum, size, err := fileSHA256(tmp)
	if err != nil {
		return nil, err
	}
	line := sum + "  " + filepath.Base(path) + "\n"
	if err := fsutil.WriteFileAtomic(path+ChecksumExt, []byte(line), 0o600, 0o700); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(path + ChecksumExt)
		return nil, fmt.Errorf("etcd snapshot: %w", err)
	}
	if err := fsutil.SyncDir(dir); err != nil {
		return nil, err
	}
	return &SnapshotInfo{Path: path, Size: size, Time: time.Now(), Checksum: sum}, nil
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// readChecksum returns the sum recorded beside path.
func readChecksum(path string) (string, error) {
	data, err := os.ReadFile(path + ChecksumExt)
	if err != nil {
		return "", err
	}
	sum, _, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	if len(sum) != sha256.Size*2 {
		return "", fmt.Errorf("%s%s is not a sha256sum line", path, ChecksumExt)
	}
	return sum, nil
}

// ListSnapshots lists the snapshots in dir, newest first, each checked
// against its checksum file.
func ListSnapshots(dir string) ([]SnapshotInfo, error) {
	out, err := snapshotFiles(dir)
	for i := range out {
		s := &out[i]
		if want, err := readChecksum(s.Path); err != nil {
			s.Problem = "no checksum: " + err.Error()
		} else if got, _, err := fileSHA256(s.Path); err != nil {
			s.Problem = err.Error()
		} else if got != want {
			s.Problem = "checksum mismatch: the file changed or is damaged"
		} else {
			s.Checksum = got
		}
	}
	return out, err
}

// snapshotFiles lists the snapshots in dir, newest first, without reading
// them (the scheduler needs only names and times).
func snapshotFiles(dir string) ([]SnapshotInfo, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []SnapshotInfo
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), SnapshotExt) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, SnapshotInfo{Path: filepath.Join(dir, e.Name()), Size: fi.Size(), Time: fi.ModTime()})
	}
	slices.SortFunc(out, func(a, b SnapshotInfo) int { return b.Time.Compare(a.Time) })
	return out, nil
}

// CheckSnapshot verifies path against its checksum file and etcd's own
// hash inside the file, and returns what etcd reads from it.
func CheckSnapshot(path string) (*snapshot.Status, error) {
	want, err := readChecksum(path)
	if err != nil {
		return nil, fmt.Errorf("%s: no usable checksum beside it (%v); kubenode restores only snapshots it can verify: take one with `kubenode etcd snapshot save`, or write `sha256sum FILE > FILE%s` if you trust this file", path, err, ChecksumExt)
	}
	got, _, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	if got != want {
		return nil, fmt.Errorf("%s: checksum mismatch (sha256 %s, %s%s says %s): the file is damaged or not the one saved", path, got, path, ChecksumExt, want)
	}
	if err := checkEtcdHash(path); err != nil {
		return nil, fmt.Errorf("%s is not a usable etcd snapshot: %w", path, err)
	}
	st, err := statusOf(path)
	if err != nil {
		return nil, fmt.Errorf("%s is not a usable etcd snapshot: %w", path, err)
	}
	return st, nil
}

// checkEtcdHash checks the sha256 that etcd appends to a snapshot (a bolt
// db, whose size is a multiple of 512, then 32 bytes of hash) before
// anything opens the db: bolt maps the file and a truncated one ends the
// process with SIGBUS, which no recover catches.
func checkEtcdHash(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if size%512 != sha256.Size || size < 4096 {
		return fmt.Errorf("%d bytes is not a database plus etcd's %d-byte hash: the file is truncated or not a snapshot", size, sha256.Size)
	}
	h := sha256.New()
	if _, err := io.CopyN(h, f, size-sha256.Size); err != nil {
		return err
	}
	want := make([]byte, sha256.Size)
	if _, err := io.ReadFull(f, want); err != nil {
		return err
	}
	if !bytes.Equal(h.Sum(nil), want) {
		return errors.New("etcd's own hash at its end does not match its content: the file is damaged or was not written by etcd")
	}
	return nil
}

// statusOf reads the snapshot with etcd's own code, which checks the hash
// etcd appended when it wrote it. A panic in there (a file that is not a
// bolt db at all) is an error here.
func statusOf(path string) (st *snapshot.Status, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unreadable: %v", p)
		}
	}()
	s, err := snapshot.NewV3(zap.NewNop()).Status(path)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// RestoreSnapshot makes dataDir hold the snapshot's data: it verifies the
// file, restores it into a new dir beside dataDir, then moves the current
// dataDir aside (never deleting it) and the new one into place. It returns
// where the old data went ("" if there was none). The member must not
// run: the caller holds the node lock.
func RestoreSnapshot(path, dataDir string) (movedTo string, st *snapshot.Status, err error) {
	st, err = CheckSnapshot(path)
	if err != nil {
		return "", nil, err
	}
	stamp := time.Now().UTC().Format("20060102-150405")
	tmp := dataDir + ".restoring-" + stamp
	if err := os.RemoveAll(tmp); err != nil {
		return "", nil, err
	}
	err = snapshot.NewV3(zap.NewNop()).Restore(snapshot.RestoreConfig{
		SnapshotPath:        path,
		Name:                memberName,
		OutputDataDir:       tmp,
		PeerURLs:            []string{peerURL},
		InitialCluster:      memberName + "=" + peerURL,
		InitialClusterToken: clusterToken,
		RevisionBump:        restoreRevisionBump,
		MarkCompacted:       true,
	})
	if err != nil {
		os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("etcd restore: %w", err)
	}
	if err := os.Chmod(tmp, 0o700); err != nil {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	if _, err := os.Stat(dataDir); err == nil {
		movedTo = dataDir + ".before-restore-" + stamp
		if err := os.Rename(dataDir, movedTo); err != nil {
			os.RemoveAll(tmp)
			return "", nil, fmt.Errorf("etcd restore: move the current data aside: %w", err)
		}
	}
	if err := os.Rename(tmp, dataDir); err != nil {
		if movedTo != "" {
			_ = os.Rename(movedTo, dataDir)
		}
		os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("etcd restore: %w", err)
	}
	return movedTo, st, fsutil.SyncDir(filepath.Dir(dataDir))
}
