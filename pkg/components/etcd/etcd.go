// Package etcd runs an embedded single-member etcd that listens only on a
// Unix socket.
package etcd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/storage/datadir"
	"go.etcd.io/etcd/server/v3/storage/wal"

	"github.com/kubenode/kubenode/pkg/fsutil"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// defaultStartTimeout bounds opening the db and replaying the WAL, which
// take well under a second on a healthy node.
const defaultStartTimeout = time.Minute

// MinFreeBytes is the least free space etcd can start with on the
// filesystem of its data dir: it keeps two WAL files of 61 MiB
// preallocated (the one it writes and the next), and its db grows in steps
// of 16 MiB. With less, a new member fails at once ("failed to create
// WAL"), a restarted one when it moves to its next WAL file.
var MinFreeBytes = uint64(2*wal.SegmentSizeBytes) + 32<<20

// Etcd is the embedded key-value store of the control plane.
type Etcd struct {
	DataDir string // member data, kept 0700
	Socket  string // client socket; the only way in
	// StartTimeout bounds Start (default 1m); Ready then waits for the
	// member to become leader.
	StartTimeout time.Duration

	mu     sync.Mutex
	server *embed.Etcd
	exited chan error
	// abandoned counts StartEtcd calls Start gave up on, which close the
	// server should they return. Stop does not wait for them: a start
	// blocked on a lock would take the time of the components before etcd.
	abandoned sync.WaitGroup
}

var (
	_ supervisor.Component = (*Etcd)(nil)
	_ supervisor.Readier   = (*Etcd)(nil)
	_ supervisor.Exiter    = (*Etcd)(nil)
)

func (e *Etcd) Name() string { return "etcd" }

// ClientURL is what clients put in their endpoint list.
func (e *Etcd) ClientURL() string { return "unix://" + e.Socket }

func (e *Etcd) Init(context.Context) error {
	if err := os.MkdirAll(e.DataDir, 0o700); err != nil {
		return fmt.Errorf("etcd: create data dir: %w", err)
	}
	// An existing dir made by hand or by an older version may be looser.
	if err := os.Chmod(e.DataDir, 0o700); err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(e.Socket), 0o755); err != nil {
		return fmt.Errorf("etcd: create socket dir: %w", err)
	}
	// Here, before any component starts: damaged data fails the node
	// before the network and CRI-O are set up.
	return checkData(e.DataDir)
}

func (e *Etcd) startTimeout() time.Duration {
	if e.StartTimeout > 0 {
		return e.StartTimeout
	}
	return defaultStartTimeout
}

func (e *Etcd) Start(ctx context.Context) error {
	cfg := embed.NewConfig()
	cfg.Name = memberName
	cfg.Dir = e.DataDir
	client := url.URL{Scheme: "unix", Path: e.Socket}
	cfg.ListenClientUrls = []url.URL{client}
	// Advertised URLs must be host:port and only name the member here: a
	// single member never dials its peers, so nothing listens for them, and
	// clients are given the socket path directly.
	cfg.AdvertiseClientUrls = []url.URL{{Scheme: "unix", Host: "kubenode-etcd-client:0"}}
	peer, err := url.Parse(peerURL)
	if err != nil {
		return err
	}
	cfg.ListenPeerUrls = nil
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.ListenMetricsUrls = nil
	// A lone member has nobody to hear from, so a short election timeout
	// costs nothing and takes ~0.5 s off every start.
	cfg.TickMs = 50
	cfg.ElectionMs = 250
	// The backend commits its batch every 100 ms by default, a wake-up of
	// its own ten times a second at idle. Commits are not what makes a
	// write durable (the WAL is fsynced before etcd answers; a restart
	// replays what the backend had not committed), so once a second
	// loses nothing.
	cfg.BackendBatchInterval = time.Second
	cfg.AutoCompactionMode = embed.CompactorModePeriodic
	cfg.AutoCompactionRetention = "8h"
	cfg.LogLevel = "error" // what newLogger logs; etcd reads it in places

	fatal := make(chan error, 1)
	lg := newLogger(func(err error) {
		select {
		case fatal <- err:
		default: // the first one is the cause
		}
	})
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)

	// StartEtcd opens the db, replays the WAL and starts the raft loop. It
	// runs in a goroutine of its own: a Fatal or Panic inside ends that
	// goroutine (see newLogger), a lock held by another process blocks it
	// for good, and a shutdown must not wait for either.
	var srv *embed.Etcd
	started := supervisor.Go(func() error {
		var err error
		srv, err = embed.StartEtcd(cfg)
		return err
	})
	if err := e.awaitStart(ctx, started, fatal); err != nil {
		// A StartEtcd that returns late still holds the db, WAL and socket.
		e.abandoned.Add(1)
		go func() {
			defer e.abandoned.Done()
			if <-started == nil && srv != nil {
				srv.Close()
			}
		}()
		return err
	}
	if err := os.Chmod(e.Socket, 0o600); err != nil {
		srv.Close()
		return fmt.Errorf("etcd: restrict socket: %w", err)
	}
	exited := make(chan error, 1)
	e.mu.Lock()
	e.server = srv
	e.exited = exited
	e.mu.Unlock()
	go func() {
		select {
		case err := <-srv.Err():
			exited <- err
		case err := <-fatal:
			exited <- e.explain(err)
		case <-srv.Server.StopNotify():
			exited <- errors.New("server stopped")
		}
	}()
	return nil
}

// awaitStart waits for StartEtcd to return, a Fatal or Panic of etcd's,
// a shutdown or the start timeout, whichever comes first.
func (e *Etcd) awaitStart(ctx context.Context, started, fatal <-chan error) error {
	timer := time.NewTimer(e.startTimeout())
	defer timer.Stop()
	select {
	case err := <-started:
		if err == nil {
			return nil
		}
		select {
		case ferr := <-fatal: // logged before its goroutine ended
			err = ferr
		default:
		}
		return e.explain(err)
	case err := <-fatal:
		return e.explain(err)
	case <-ctx.Done():
		return fmt.Errorf("etcd: start interrupted by shutdown: %w", ctx.Err())
	case <-timer.C:
		return e.slowStart()
	}
}

// explain adds what an operator can do about the errors etcd fails with.
func (e *Etcd) explain(err error) error {
	if errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "no space left on device") {
		where := e.DataDir
		if sp, serr := fsutil.SpaceOf(e.DataDir); serr == nil {
			where = fmt.Sprintf("%s, on %s", e.DataDir, sp)
		}
		return fmt.Errorf("etcd: the filesystem of its data is full (%s): %w; free space there "+
			"(etcd needs at least %s free: it preallocates its WAL in 61 MiB files), or move --data-dir to a larger filesystem",
			where, err, fsutil.Bytes(MinFreeBytes))
	}
	var lerr *logError
	if errors.As(err, &lerr) {
		// A Fatal or Panic of etcd's: it gave up on its data.
		return fmt.Errorf("etcd: %w; if its data in %s is damaged: %s", err, e.DataDir, wayOut(e.DataDir))
	}
	return fmt.Errorf("etcd: start: %w", err)
}

// slowStart is the error for a StartEtcd that did not return in time: it
// names the lock on the db when another process holds one, the usual cause.
func (e *Etcd) slowStart() error {
	db := datadir.ToBackendFileName(e.DataDir)
	if f, err := os.Open(db); err == nil {
		defer f.Close()
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("etcd: not started after %s: database %s is locked by another process (`fuser -v %s` names it): stop it; no two kubenode processes may share --data-dir",
				e.startTimeout(), db, db)
		}
	}
	return fmt.Errorf("etcd: not started after %s: opening %s and replaying the WAL in %s did not finish (a very slow or failing disk?)",
		e.startTimeout(), db, datadir.ToWALDir(e.DataDir))
}

func (e *Etcd) Ready(ctx context.Context) error {
	e.mu.Lock()
	srv := e.server
	e.mu.Unlock()
	if srv == nil {
		return errors.New("etcd: not started")
	}
	select {
	case <-srv.Server.ReadyNotify():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(100 * time.Millisecond):
		return errors.New("etcd: not ready yet")
	}
}

func (e *Etcd) Exited() <-chan error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.exited
}

// Stop closes the server. After a Fatal of etcd's some of its goroutines
// are gone and Close may never return: the supervisor then gives up at the
// deadline and still stops the components started before etcd.
func (e *Etcd) Stop(context.Context) error {
	e.mu.Lock()
	srv := e.server
	e.server = nil
	e.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
	return nil
}
