package etcd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/util/workqueue"

	"github.com/kubenode/kubenode/pkg/controllers"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// scheduledPrefix names the snapshots the scheduler takes; only those are
// pruned, never one saved by hand into the same dir.
const scheduledPrefix = "scheduled-"

// SnapshotScheduler takes a snapshot every Interval into Dir and keeps the
// newest Retain scheduled ones. It is a controller on the host with one
// key and no informers: each reconcile saves when the newest scheduled
// snapshot is due and queues the next one for when the one after is.
type SnapshotScheduler struct {
	Socket   string
	Dir      string
	Interval time.Duration
	Retain   int
	Log      logr.Logger
	// Now is the clock (tests).
	Now func() time.Time

	queue workqueue.TypedRateLimitingInterface[string]

	mu       sync.Mutex
	lastErr  error
	failedAt time.Time
}

var (
	_ controllers.Controller = (*SnapshotScheduler)(nil)
	_ controllers.Healther   = (*SnapshotScheduler)(nil)
)

const snapshotKey = "snapshot"

func (s *SnapshotScheduler) Name() string { return "etcd-snapshots" }

// Options: retried with backoff from 10s to 10m after a failure, so a full
// disk is retried without hammering etcd.
func (s *SnapshotScheduler) Options() controllers.Options {
	return controllers.Options{RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[string](10*time.Second, 10*time.Minute)}
}

func (s *SnapshotScheduler) Validate() error {
	if s.Interval <= 0 || s.Retain < 1 || s.Dir == "" || s.Socket == "" {
		return fmt.Errorf("etcd-snapshots: needs an interval, a retention of at least 1, a dir and the etcd socket (got %s, %d, %q, %q)", s.Interval, s.Retain, s.Dir, s.Socket)
	}
	return nil
}

func (s *SnapshotScheduler) Setup(st *controllers.Setup) error {
	s.queue = st.Queue()
	s.queue.Add(snapshotKey)
	return nil
}

func (s *SnapshotScheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Reconcile saves a snapshot when the newest scheduled one is older than
// Interval (or there is none), prunes, and queues itself for the next.
func (s *SnapshotScheduler) Reconcile(ctx context.Context, _ string) error {
	now := s.now()
	last, err := s.newest()
	if err != nil {
		return s.fail(err)
	}
	if due := last.Add(s.Interval); last.IsZero() || !now.Before(due) {
		path := filepath.Join(s.Dir, scheduledPrefix+now.UTC().Format("20060102-150405")+SnapshotExt)
		info, err := SaveSnapshot(ctx, s.Socket, path)
		if err != nil {
			return s.fail(err)
		}
		s.Log.Info("etcd snapshot saved", "path", info.Path, "bytes", info.Size, "sha256", info.Checksum)
		last = now
		if err := s.prune(); err != nil {
			return s.fail(err)
		}
	}
	s.mu.Lock()
	s.lastErr = nil
	s.mu.Unlock()
	s.queue.AddAfter(snapshotKey, time.Until(last.Add(s.Interval))+time.Second)
	return nil
}

func (s *SnapshotScheduler) fail(err error) error {
	s.mu.Lock()
	if s.lastErr == nil {
		s.failedAt = s.now()
	}
	s.lastErr = err
	s.mu.Unlock()
	return err
}

// scheduled lists the scheduler's own snapshots, newest first.
func (s *SnapshotScheduler) scheduled() ([]SnapshotInfo, error) {
	all, err := snapshotFiles(s.Dir)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(i SnapshotInfo) bool {
		return !strings.HasPrefix(filepath.Base(i.Path), scheduledPrefix)
	}), nil
}

func (s *SnapshotScheduler) newest() (time.Time, error) {
	list, err := s.scheduled()
	if err != nil || len(list) == 0 {
		return time.Time{}, err
	}
	return list[0].Time, nil
}

// prune removes scheduled snapshots beyond the newest Retain, each with
// its checksum file.
func (s *SnapshotScheduler) prune() error {
	list, err := s.scheduled()
	if err != nil || len(list) <= s.Retain {
		return err
	}
	for _, old := range list[s.Retain:] {
		if err := os.Remove(old.Path); err != nil {
			return err
		}
		_ = os.Remove(old.Path + ChecksumExt)
		s.Log.Info("etcd snapshot pruned", "path", old.Path, "retain", s.Retain)
	}
	return nil
}

// Health fails while the last scheduled snapshot failed.
func (s *SnapshotScheduler) Health() []supervisor.Condition {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := supervisor.Condition{Type: "SnapshotSaved", OK: s.lastErr == nil}
	if s.lastErr != nil {
		c.Message = "the scheduled etcd snapshot failed: " + s.lastErr.Error()
		c.Since = s.failedAt
	}
	return []supervisor.Condition{c}
}
