package netsetup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/go-logr/logr"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/kubenode/kubenode/pkg/config"
)

// Network is the network phase of one node. The node's long-running
// process keeps it for its whole life:
//
//	n, err := netsetup.New(cfg, peers, log)
//	err = n.Apply(ctx)           // before the components start
//	err = n.SetPeers(ctx, peers) // whenever the peer list changes
//	err = n.Release()            // at a restart: wgkube stays if it can
//	err = n.Teardown()           // at a full shutdown: a userspace wgkube goes
//
// Its methods are safe for concurrent use; after Release or Teardown the
// others fail.
type Network struct {
	cfg  *config.Config
	log  logr.Logger
	host Host
	// helper runs a userspace wgkube in a helper process; keepLive keeps
	// the peers found on wgkube until the first SetPeers.
	helper, keepLive bool

	mu       sync.Mutex
	peers    []WireGuardPeer
	peersSet bool  // SetPeers was called
	carried  int   // peers kept from wgkube at the last plan
	spec     *Spec // last applied
	closed   bool
}

// Option changes how New builds a Network.
type Option func(*Network)

// WithHost replaces the Linux host, e.g. by a FakeHost in tests.
func WithHost(h Host) Option { return func(n *Network) { n.host = h } }

// WithHelper runs a userspace wgkube in a helper process (`kubenode
// wg-helper`) instead of this one, so that it and the routes through it
// outlive a restart of this process, as a kernel device does: Release
// leaves it running and the next start adopts it; Teardown stops it.
func WithHelper() Option { return func(n *Network) { n.helper = true } }

// KeepLivePeers keeps the peers that wgkube already has (a device that
// outlived the previous run of the node) until the first SetPeers, with
// their routes, instead of cutting them off at start until the mesh lists
// the nodes again. Only peers whose allowed IPs are exactly another node's
// subnets are kept.
func KeepLivePeers() Option { return func(n *Network) { n.keepLive = true } }

var errClosed = errors.New("network: already released")

// New validates the config's network part and the peers, without touching
// the host: a bad key, endpoint or index fails here, before any change.
func New(cfg *config.Config, peers []Peer, log logr.Logger, opts ...Option) (*Network, error) {
	v, err := validatePeers(cfg, peers)
	if err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	n := &Network{cfg: cfg, log: log.WithValues("component", "network"), peers: v}
	for _, o := range opts {
		o(n)
	}
	if n.host == nil {
		n.host = newLinuxHost(cfg, n.log, n.helper)
	}
	return n, nil
}

// desired computes the desired state for the given key (nil: none yet).
func (n *Network) desired(ctx context.Context, key *wgtypes.Key) (*Spec, error) {
	s, _, err := n.desiredWith(ctx, key, n.peers)
	return s, err
}

func (n *Network) desiredWith(ctx context.Context, key *wgtypes.Key, peers []WireGuardPeer) (*Spec, *Facts, error) {
	var q FactsQuery
	q.Underlay = n.cfg.Network.UnderlayInterface
	if len(n.cfg.NodeIPs) > 0 {
		q.NodeIP = n.cfg.NodeIPs[0]
	}
	for _, p := range n.cfg.ClusterCIDRs {
		q.IPv6 = q.IPv6 || p.Addr().Is6()
	}
	f, err := n.host.Facts(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("network: %w", err)
	}
	var pub wgtypes.Key
	if key != nil {
		pub = key.PublicKey()
		for _, p := range peers {
			if p.PublicKey == pub {
				return nil, nil, fmt.Errorf("network: peer %d has this node's own public key %s; give it that node's key", p.Index, pub)
			}
		}
	}
	s, err := Desired(n.cfg, peers, f, pub)
	if err != nil {
		return nil, nil, fmt.Errorf("network: %w", err)
	}
	return s, f, nil
}

func (n *Network) plan(ctx context.Context, key *wgtypes.Key) (*Plan, *State, error) {
	s, f, err := n.desiredWith(ctx, key, n.peers)
	if err != nil {
		return nil, nil, err
	}
	st, err := n.host.Observe(ctx, sysctlKeys(s))
	if err != nil {
		return nil, nil, fmt.Errorf("network: observe: %w", err)
	}
	if br := st.Links[BridgeName]; br != nil && br.MAC != "" {
		state, err := openState(n.cfg)
		if err != nil {
			return nil, nil, err
		}
		st.BridgeMACKept = state.BridgeMAC == br.MAC
	}
	if n.keepLive && !n.peersSet {
		live := n.livePeers(st)
		if len(live) > 0 {
			peers := append(slices.Clone(n.peers), live...)
			if s, err = Desired(n.cfg, peers, f, s.WireGuard.PublicKey); err != nil {
				return nil, nil, fmt.Errorf("network: %w", err)
			}
			if len(live) != n.carried {
				n.log.Info("WireGuard peers from before the restart kept until the mesh lists the nodes", "peers", len(live))
			}
		}
		n.carried = len(live)
	}
	changes, err := Diff(s, st)
	if err != nil {
		return nil, nil, fmt.Errorf("network: %w", err)
	}
	return &Plan{Spec: s, Changes: changes}, st, nil
}

// livePeers are the peers on wgkube that the peer list lacks, as far as
// each one's allowed IPs are exactly the subnets of a node index that is
// free (neither this node's nor a listed peer's).
func (n *Network) livePeers(st *State) []WireGuardPeer {
	if st.WireGuard == nil {
		return nil
	}
	used := map[int]bool{n.cfg.NodeIndex: true}
	keys := map[wgtypes.Key]bool{}
	for _, p := range n.peers {
		used[p.Index], keys[p.PublicKey] = true, true
	}
	var out []WireGuardPeer
	for _, p := range st.WireGuard.Peers {
		if keys[p.PublicKey] || len(p.AllowedIPs) == 0 {
			continue
		}
		idx := 0
		for i := 1; i <= 255 && idx == 0; i++ {
			if sub, err := n.cfg.NodeSubnets(i); err == nil && samePrefixes(sub, p.AllowedIPs) {
				idx = i
			}
		}
		if idx == 0 || used[idx] {
			continue
		}
		used[idx], keys[p.PublicKey] = true, true
		out = append(out, WireGuardPeer{Index: idx, PublicKey: p.PublicKey, Endpoint: p.Endpoint, AllowedIPs: slices.Clone(p.AllowedIPs), Keepalive: p.Keepalive})
	}
	slices.SortFunc(out, func(a, b WireGuardPeer) int { return a.Index - b.Index })
	return out
}

func sysctlKeys(s *Spec) []string {
	var keys []string
	for _, l := range [][]Sysctl{s.Sysctls, s.Bridge.Sysctls, s.WireGuard.Sysctls} {
		for _, sc := range l {
			keys = append(keys, sc.Key)
		}
	}
	return keys
}

// Plan computes what Apply would change, changing nothing (not even the
// key, which Apply generates at first start).
func (n *Network) Plan(ctx context.Context) (*Plan, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errClosed
	}
	key, err := loadKey(KeyFile(n.cfg))
	if err != nil {
		return nil, err
	}
	p, _, err := n.plan(ctx, key)
	return p, err
}

// Check computes the plan's desired state against the host (underlay,
// MTU, IPv6, the host's networks, the peers), changing nothing, not even
// the key: a node calls it before it writes its state, so bad input fails
// before anything is written.
func (n *Network) Check(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errClosed
	}
	key, err := loadKey(KeyFile(n.cfg))
	if err != nil {
		return err
	}
	_, err = n.desired(ctx, key)
	return err
}

// CheckHost checks what the network phase needs of this host whatever the
// node's index (a worker learns it only when it joins): the underlay the
// config names or that holds the node IP, an MTU that fits it, IPv6 when
// the cluster uses it, a way to run WireGuard, a free WireGuard port and
// the nft command. It changes nothing.
func CheckHost(ctx context.Context, cfg *config.Config) error {
	h := newLinuxHost(cfg, logr.Discard(), false)
	defer h.Close()
	q := FactsQuery{Underlay: cfg.Network.UnderlayInterface}
	if len(cfg.NodeIPs) > 0 {
		q.NodeIP = cfg.NodeIPs[0]
	}
	for _, p := range cfg.ClusterCIDRs {
		q.IPv6 = q.IPv6 || p.Addr().Is6()
	}
	f, err := h.Facts(ctx, q)
	if err != nil {
		return fmt.Errorf("network: %w", err)
	}
	if _, _, err := checkFacts(cfg, f); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	if err := checkWireGuardPort(cfg.Network.WireGuardPort, !f.NoIPv6); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	if _, err := exec.LookPath("nft"); err != nil {
		return errors.New("network: the nft command is missing (kubenode builds its firewall table with it): apt-get install nftables")
	}
	return nil
}

// Apply brings the host to the desired state; see Sync.
func (n *Network) Apply(ctx context.Context) error {
	_, err := n.Sync(ctx)
	return err
}

// Sync brings the host to the desired state and returns the plan it
// carried out (empty when the host already matched). Every input is
// validated before the first change; a change that fails undoes the
// earlier ones.
func (n *Network) Sync(ctx context.Context) (*Plan, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	// After Release or Teardown: no apply may recreate what they let go.
	if n.closed {
		return nil, errClosed
	}
	key, err := loadKey(KeyFile(n.cfg))
	if err != nil {
		return nil, err
	}
	if key == nil {
		// Validate against the host before the first write, the key file.
		if _, err := n.desired(ctx, nil); err != nil {
			return nil, err
		}
		var created bool
		if key, created, err = ensureKey(KeyFile(n.cfg)); err != nil {
			return nil, err
		}
		if created {
			n.log.Info("WireGuard key generated", "file", KeyFile(n.cfg), "publicKey", key.PublicKey().String())
		}
	}
	p, _, err := n.plan(ctx, key)
	if err != nil {
		return nil, err
	}
	if p.Empty() {
		n.spec = p.Spec
		n.log.V(1).Info("network already as planned")
		return p, nil
	}
	state, err := openState(n.cfg)
	if err != nil {
		return nil, err
	}
	x := &executor{host: n.host, key: key, state: state, log: n.log}
	if err := x.run(ctx, p.Changes); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	if x.mode != "" {
		p.Spec.WireGuard.Mode, p.Spec.WireGuard.ModeReason = x.mode, x.reason
	}
	n.spec = p.Spec
	n.log.Info("network applied", "changes", len(p.Changes), "mtu", p.Spec.MTU, "peers", len(p.Spec.WireGuard.Peers))
	return p, nil
}

// SetPeers replaces the peer list and applies it; on a validation error
// the previous list stays in force.
func (n *Network) SetPeers(ctx context.Context, peers []Peer) error {
	v, err := validatePeers(n.cfg, peers)
	if err != nil {
		return fmt.Errorf("network: %w", err)
	}
	n.mu.Lock()
	n.peers, n.peersSet = v, true
	n.mu.Unlock()
	return n.Apply(ctx)
}

// Peers returns the peer list in force: the static peers, or the last
// list SetPeers gave (the mesh's, on a running node).
func (n *Network) Peers() []Peer {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Peer, 0, len(n.peers))
	for _, p := range n.peers {
		out = append(out, Peer{Index: p.Index, PublicKey: p.PublicKey.String(), Endpoint: p.Endpoint.String()})
	}
	return out
}

// MTU is the MTU pods should use, once Apply succeeded (0 before).
func (n *Network) MTU() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.spec == nil {
		return 0
	}
	return n.spec.MTU
}

// PublicKey returns this node's WireGuard public key, generating the
// private key at first use.
func (n *Network) PublicKey() (wgtypes.Key, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	k, _, err := ensureKey(KeyFile(n.cfg))
	if err != nil {
		return wgtypes.Key{}, err
	}
	return k.PublicKey(), nil
}

// Holding reports whether this process runs wgkube in userspace: the
// device, and the routes through it, then end with the process.
func (n *Network) Holding() bool { return n.host.Holding(WireGuardName) }

// Exited yields an error when the helper that runs a userspace wgkube
// (WithHelper) ends on its own, before Release or Teardown: wgkube and the
// routes through it are gone, and only a new start makes them again. It is
// nil for a host that has no helper.
func (n *Network) Exited() <-chan error {
	if l, ok := n.host.(interface{ Lost() <-chan error }); ok {
		return l.Lost()
	}
	return nil
}

// Release lets go of the network for a restart. brkube, the table, the
// sysctls and a kernel wgkube stay, and so does a userspace wgkube that a
// helper runs (WithHelper), with the routes through it: the node's pods
// stay reachable and the next start adopts it. A userspace wgkube run in
// this process ends with it. It waits for a Sync in progress.
func (n *Network) Release() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	return n.host.Close()
}

// Teardown is Release for a full shutdown: it also stops a userspace
// wgkube that this process or its helper runs, so it goes with its routes.
// A kernel wgkube, brkube, the table and the sysctls stay until reset.
func (n *Network) Teardown() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	return errors.Join(n.host.Teardown(), n.host.Close())
}

// Show reads the live state and what a plan would change.
func (n *Network) Show(ctx context.Context) (*Status, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errClosed
	}
	key, err := loadKey(KeyFile(n.cfg))
	if err != nil {
		return nil, err
	}
	p, st, err := n.plan(ctx, key)
	if err != nil {
		return nil, err
	}
	return &Status{Plan: p, State: st}, nil
}

// ResetOptions tune Reset.
type ResetOptions struct {
	// KeepKey keeps the WireGuard private key, so peers need no update.
	KeepKey bool
	// Host replaces the Linux host (tests).
	Host Host
}

// Reset removes what kubenode made on this host and nothing else: the
// nftables table inet kubenode, the links wgkube and brkube (with their
// addresses and routes), the global sysctls it changed (put back), and its
// files. It refuses while a process still runs wgkube in userspace. It
// returns what it removed, one line each.
func Reset(ctx context.Context, cfg *config.Config, log logr.Logger, opts ResetOptions) ([]string, error) {
	h := opts.Host
	if h == nil {
		h = newLinuxHost(cfg, log, true)
	}
	defer h.Close()
	state, err := openState(cfg)
	if err != nil {
		return nil, err
	}
	st, err := h.Observe(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("reset: observe: %w", err)
	}
	// This node's helper is stopped below (DeleteLink); another holder is
	// a running kubenode.
	if wg := st.WireGuard; wg != nil && wg.Mode == ModeUserspace && wg.Holder != 0 && wg.Holder != os.Getpid() && !wg.Helper {
		return nil, fmt.Errorf("reset: %s is a userspace WireGuard device held by process %d (kubenode primary or kubenode network apply); stop that process first, then run kubenode reset again", WireGuardName, wg.Holder)
	}
	var done []string
	var errs []error
	if ok, err := h.DeleteTable(ctx); err != nil {
		errs = append(errs, fmt.Errorf("reset: delete nftables table inet %s: %w", TableName, err))
	} else if ok {
		done = append(done, "removed nftables table inet "+TableName)
	}
	for _, l := range []struct{ name, kinds string }{{WireGuardName, "wireguard tuntap"}, {BridgeName, "bridge"}} {
		cur := st.Links[l.name]
		if cur == nil {
			continue
		}
		if !slices.Contains(strings.Fields(l.kinds), cur.Kind) {
			done = append(done, fmt.Sprintf("left link %s alone: it is a %s, not kubenode's", l.name, cur.Kind))
			continue
		}
		if err := h.DeleteLink(l.name); err != nil {
			errs = append(errs, fmt.Errorf("reset: delete link %s: %w", l.name, err))
			continue
		}
		if wg := st.WireGuard; l.name == WireGuardName && wg != nil && wg.Helper {
			done = append(done, fmt.Sprintf("stopped the WireGuard helper (pid %d)", wg.Holder))
		}
		done = append(done, fmt.Sprintf("removed link %s (%s) with its addresses and routes", l.name, cur.Kind))
	}
	keys := make([]string, 0, len(state.Sysctls))
	for k := range state.Sysctls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := h.SetSysctl(k, state.Sysctls[k]); err != nil {
			errs = append(errs, fmt.Errorf("reset: restore sysctl %s: %w", sysctlName(k), err))
			continue
		}
		done = append(done, fmt.Sprintf("restored sysctl %s = %s", sysctlName(k), state.Sysctls[k]))
	}
	if len(errs) > 0 {
		// Keep the state file: it is what a second reset needs.
		return done, errors.Join(errs...)
	}
	files := []string{filepath.Join(stateDir(cfg), "state.json"), HelperPIDFile(cfg), helperLogFile(cfg), stateDir(cfg)}
	if sd := SocketDir(cfg); sd != StandardSocketDir {
		files = append(files, filepath.Join(sd, WireGuardName+".sock"), sd)
	} else {
		files = append(files, filepath.Join(sd, WireGuardName+".sock"))
	}
	if !opts.KeepKey {
		files = append(files, KeyFile(cfg), filepath.Dir(KeyFile(cfg)))
	}
	for _, f := range files {
		// Directories go only when empty: anything else in them is not ours.
		if err := os.Remove(f); err == nil {
			done = append(done, "removed "+f)
		} else if !errors.Is(err, os.ErrNotExist) && !isNotEmpty(err) {
			errs = append(errs, fmt.Errorf("reset: %w", err))
		}
	}
	return done, errors.Join(errs...)
}

func isNotEmpty(err error) bool {
	return errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST)
}

// WireGuardPeers reads wgkube's peers (handshakes, transfer) from the
// device alone, without a plan, for the node's metrics; with the node
// index of each peer in force (0 for one the peer list lacks). Nil, nil
// when no device answers.
func (n *Network) WireGuardPeers(ctx context.Context) ([]PeerState, map[wgtypes.Key]int, error) {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil, nil, errClosed
	}
	index := make(map[wgtypes.Key]int, len(n.peers))
	for _, p := range n.peers {
		index[p.PublicKey] = p.Index
	}
	n.mu.Unlock()
	var wg *WireGuardState
	if h, ok := n.host.(interface {
		observeWireGuard() (*WireGuardState, error)
	}); ok {
		var err error
		if wg, err = h.observeWireGuard(); err != nil {
			return nil, nil, err
		}
	} else {
		st, err := n.host.Observe(ctx, nil)
		if err != nil {
			return nil, nil, err
		}
		wg = st.WireGuard
	}
	if wg == nil {
		return nil, index, nil
	}
	return wg.Peers, index, nil
}
