package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"time"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/mesh"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Status is what a running node reports on its status socket, for
// `kubenode status`.
type Status struct {
	Role       string                       `json:"role"` // primary or worker
	NodeName   string                       `json:"nodeName"`
	Index      int                          `json:"index"`
	Server     string                       `json:"server"` // the API it uses
	Kubeconfig string                       `json:"kubeconfig"`
	Components []supervisor.ComponentStatus `json:"components"`
	Peers      []mesh.Member                `json:"peers"` // from the Node list
	// NetworkPeers are the peers wgkube is configured with now: the
	// config's static peers and the mesh's, for `kubenode network show`.
	NetworkPeers []netsetup.Peer `json:"networkPeers"`
}

// StatusSocket is where a running node answers `kubenode status`.
func StatusSocket(cfg *config.Config) string { return filepath.Join(cfg.RunDir, "status.sock") }

// serveStatus answers GET / (the status), POST /shutdown and GET
// /debug/pprof/ on the status socket (0600) until the returned function is called.
func serveStatus(path string, status func() Status, shutdown func() error) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	_ = os.Remove(path) // a previous run's
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("status socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(status())
	})
	// kubenode shutdown: the reply names the process to wait for.
	mux.HandleFunc("POST /shutdown", func(w http.ResponseWriter, _ *http.Request) {
		if err := shutdown(); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(shutdownReply{PID: os.Getpid()})
	})
	// Go's profiles (goroutines, heap, CPU) for a node that hangs: the
	// socket is root's alone, as the profiles are.
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return func() { srv.Close(); os.Remove(path) }, nil
}

// ReadStatus asks the node running with cfg's run dir for its status.
func ReadStatus(ctx context.Context, cfg *config.Config) (*Status, error) {
	path := StatusSocket(cfg)
	client, err := statusClient(cfg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://kubenode/", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the node at %s does not answer: %w", path, err)
	}
	defer resp.Body.Close()
	var st Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return nil, fmt.Errorf("status from %s: %w", path, err)
	}
	return &st, nil
}

// statusClient talks to the node's status socket, which must exist.
func statusClient(cfg *config.Config) (*http.Client, error) {
	path := StatusSocket(cfg)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no kubenode node runs with run dir %s (no %s): start it with `kubenode primary` or `kubenode worker`, or pass the --run-dir it runs with", cfg.RunDir, path)
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}, nil
}
