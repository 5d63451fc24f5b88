package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	"github.com/kubenode/kubenode/pkg/components/crio"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/internal/procfs"
)

// ErrShutdown is what a node's run returns when `kubenode shutdown` stopped
// it together with every pod.
var ErrShutdown = errors.New("stopped with every pod (kubenode shutdown)")

// ExitShutdown is the exit status of a node that `kubenode shutdown`
// stopped. The systemd unit lists it in RestartPreventExitStatus (and
// SuccessExitStatus): Restart=always must not start the node, and its pods,
// again on a host going down for maintenance.
const ExitShutdown = 10

// shutdowner turns the node's coming stop into one that stops every pod and
// tears the pod network down, then starts that stop.
type shutdowner struct {
	stopping  context.Context // done once the node stops for another reason
	crio      *crio.CRIO
	net       *networkPhase
	cancel    context.CancelFunc
	log       logr.Logger
	requested atomic.Bool
}

func newShutdowner(ctx context.Context, c *crio.CRIO, net *networkPhase, log logr.Logger) (context.Context, *shutdowner) {
	stopping := ctx
	ctx, cancel := context.WithCancel(ctx)
	return ctx, &shutdowner{stopping: stopping, crio: c, net: net, cancel: cancel, log: log}
}

// request fails when the node already stops for another reason (a
// signal): that stop may have left the pods running already.
func (s *shutdowner) request() error {
	if s.stopping.Err() != nil {
		return errors.New("the node is already stopping and keeps its pods: once it has exited, `kubenode reset` stops them")
	}
	if s.requested.Swap(true) {
		return nil
	}
	s.log.Info("shutdown requested: stopping the node and every pod")
	s.crio.SetKeepPods(false)
	s.net.keep.Store(false)
	s.cancel()
	return nil
}

// result is the node's exit: ErrShutdown after a clean shutdown.
func (s *shutdowner) result(err error) error {
	s.cancel()
	if err == nil && s.requested.Load() {
		return ErrShutdown
	}
	return err
}

// shutdownReply is the status socket's answer to POST /shutdown.
type shutdownReply struct {
	PID int `json:"pid"`
}

// Shutdown asks the node running with cfg's run dir to stop together with
// every pod, and waits until its process has exited (at most timeout).
func Shutdown(ctx context.Context, cfg *config.Config, timeout time.Duration) error {
	path := StatusSocket(cfg)
	client, err := statusClient(cfg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://kubenode/shutdown", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("the node at %s does not answer: %w", path, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusConflict:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("the node at %s refused the shutdown: %s", path, strings.TrimSpace(string(msg)))
	default:
		return fmt.Errorf("the node at %s refused the shutdown: %s (a kubenode older than this command? stop it, then run `kubenode reset` to stop its pods)", path, resp.Status)
	}
	var reply shutdownReply
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || reply.PID <= 0 {
		return fmt.Errorf("shutdown reply from %s: %v", path, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		if !answers(path) && procfs.Ended(reply.PID) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the node (pid %d) has not exited %s after the shutdown request: see its log", reply.PID, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// answers tells whether something still listens on the socket at path.
func answers(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
