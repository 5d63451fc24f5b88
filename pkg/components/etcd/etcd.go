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
	"sync"
	"time"

	"go.etcd.io/etcd/server/v3/embed"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Etcd is the embedded key-value store of the control plane.
type Etcd struct {
	DataDir string // member data, kept 0700
	Socket  string // client socket; the only way in

	mu     sync.Mutex
	server *embed.Etcd
	exited chan error
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

func (e *Etcd) Start(context.Context) error {
	cfg := embed.NewConfig()
	cfg.Name = "default"
	cfg.Dir = e.DataDir
	client := url.URL{Scheme: "unix", Path: e.Socket}
	cfg.ListenClientUrls = []url.URL{client}
	// Advertised URLs must be host:port and only name the member here: a
	// single member never dials its peers, so nothing listens for them, and
	// clients are given the socket path directly.
	cfg.AdvertiseClientUrls = []url.URL{{Scheme: "unix", Host: "kubenode-etcd-client:0"}}
	peer := url.URL{Scheme: "unix", Host: "kubenode-etcd-peer:0"}
	cfg.ListenPeerUrls = nil
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.ListenMetricsUrls = nil
	// A lone member has nobody to hear from, so a short election timeout
	// costs nothing and takes ~0.5 s off every start.
	cfg.TickMs = 50
	cfg.ElectionMs = 250
	cfg.AutoCompactionMode = embed.CompactorModePeriodic
	cfg.AutoCompactionRetention = "8h"
	// etcd logs every request at warn during start and stop; keep errors.
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{"stderr"}

	srv, err := embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("etcd: start: %w", err)
	}
	if err := os.Chmod(e.Socket, 0o600); err != nil {
		srv.Close()
		return fmt.Errorf("etcd: restrict socket: %w", err)
	}
	e.mu.Lock()
	e.server = srv
	e.exited = make(chan error, 1)
	e.mu.Unlock()
	go func() {
		select {
		case err := <-srv.Err():
			e.exited <- err
		case <-srv.Server.StopNotify():
			e.exited <- errors.New("server stopped")
		}
	}()
	return nil
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
