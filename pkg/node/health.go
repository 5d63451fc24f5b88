package node

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/pki"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// staleHandshake: WireGuard renews a session every 2 minutes while
// packets flow (and the peers' 25s keepalives make them flow) and drops it
// after 3 (REJECT_AFTER_TIME): a handshake older than that means the peer
// does not answer.
const staleHandshake = 3 * time.Minute

// peerWatch remembers when each peer was first seen without a handshake,
// so that a peer just added is not reported before it had time for one.
type peerWatch struct {
	mu        sync.Mutex
	firstSeen map[wgtypes.Key]time.Time
}

var _ supervisor.Healther = (*networkPhase)(nil)

// Health compares the host with the plan (a route or address deleted by
// hand shows here) and checks every peer's last handshake. The keeper reads
// the host at least every replanEvery; while its last reading matched the
// plan, Health uses it (a handshake is stale only after 3 minutes, and a
// change on the host makes the keeper read again within replanDebounce).
func (p *networkPhase) Health(ctx context.Context) []supervisor.Condition {
	p.mu.Lock()
	st := p.last
	if time.Since(p.lastAt) > replanEvery+replanDebounce {
		st = nil
	}
	p.mu.Unlock()
	var err error
	if st == nil {
		st, err = p.net.Show(ctx)
	}
	if err != nil {
		return []supervisor.Condition{{Type: "HostAsPlanned", Message: "reading the host's network state: " + err.Error()}}
	}
	planned := supervisor.Condition{Type: "HostAsPlanned", OK: st.Plan.Empty()}
	if !planned.OK {
		var what []string
		for _, c := range st.Plan.Changes {
			what = append(what, strings.TrimSpace(c.String()))
		}
		planned.Message = fmt.Sprintf("the host differs from kubenode's plan (%s): see `kubenode network show`", strings.Join(what, "; "))
		p.mu.Lock()
		if p.keepErr != nil {
			planned.Message += "; putting it back failed: " + p.keepErr.Error()
		}
		p.mu.Unlock()
	}
	return []supervisor.Condition{planned, p.health.handshakes(st, time.Now())}
}

func (w *peerWatch) handshakes(st *netsetup.Status, now time.Time) supervisor.Condition {
	c := supervisor.Condition{Type: "PeerHandshakes", OK: true}
	wg := st.State.WireGuard
	if wg == nil {
		return c // no wgkube: HostAsPlanned says so
	}
	index := map[wgtypes.Key]int{}
	for _, p := range st.Plan.Spec.WireGuard.Peers {
		index[p.PublicKey] = p.Index
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := map[wgtypes.Key]time.Time{}
	var stale []string
	for _, p := range wg.Peers {
		first, ok := w.firstSeen[p.PublicKey]
		if !ok {
			first = now
		}
		seen[p.PublicKey] = first
		switch {
		case p.LastHandshake.IsZero() && now.Sub(first) > staleHandshake:
			stale = append(stale, fmt.Sprintf("node %d (%s): no handshake in %s", index[p.PublicKey], p.Endpoint, now.Sub(first).Round(time.Second)))
		case !p.LastHandshake.IsZero() && now.Sub(p.LastHandshake) > staleHandshake:
			stale = append(stale, fmt.Sprintf("node %d (%s): last handshake %s ago", index[p.PublicKey], p.Endpoint, now.Sub(p.LastHandshake).Round(time.Second)))
		}
	}
	w.firstSeen = seen
	if len(stale) > 0 {
		slices.Sort(stale)
		c.OK = false
		c.Message = fmt.Sprintf("peers not answering over WireGuard: %s; check that the peer runs and that UDP reaches its endpoint (`kubenode network show` on both nodes)", strings.Join(stale, "; "))
	}
	return c
}

// certWindow is how long before expiry a certificate is reported: the one
// kubenode renews at start within it.
const certWindow = 30 * 24 * time.Hour

// certificates reports, while the node runs, certificates that expire
// within certWindow. It starts nothing.
type certificates struct {
	// dirs are searched for *.crt; files are single PEM files (the
	// kubelet's current certificates, which it rotates itself).
	dirs, files []string
}

var (
	_ supervisor.Component = (*certificates)(nil)
	_ supervisor.Healther  = (*certificates)(nil)
)

func nodeCertificates(cfg *config.Config, primary bool) *certificates {
	c := &certificates{files: []string{
		filepath.Join(cfg.KubeletRootDir(), "pki", "kubelet-client-current.pem"),
		filepath.Join(cfg.KubeletRootDir(), "pki", "kubelet-server-current.pem"),
	}}
	if primary {
		c.dirs = []string{filepath.Join(cfg.DataDir, "pki")}
	}
	return c
}

func (c *certificates) Name() string                { return "certificates" }
func (c *certificates) Init(context.Context) error  { return nil }
func (c *certificates) Start(context.Context) error { return nil }
func (c *certificates) Stop(context.Context) error  { return nil }

func (c *certificates) Health(context.Context) []supervisor.Condition {
	return []supervisor.Condition{c.expiry(time.Now())}
}

func (c *certificates) expiry(now time.Time) supervisor.Condition {
	cond := supervisor.Condition{Type: "NotExpiring", OK: true}
	if soon := pki.Expiring(c.files, c.dirs, now, certWindow); len(soon) > 0 {
		cond.OK = false
		cond.Message = strings.Join(soon, "; ") + ": restart kubenode to renew its own certificates (it renews those within 30 days of expiry at start); the kubelet renews its own unless its CSRs are not approved (kubectl get csr)"
	}
	return cond
}
