package netsetup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Change is one step of a plan. undo reverts a step that succeeded, so a
// failed apply can put the host back as it was.
type Change interface {
	String() string
	apply(ctx context.Context, x *executor) error
	undo(ctx context.Context, x *executor) error
}

// executor carries what changes need besides the host.
type executor struct {
	host  Host
	key   *wgtypes.Key // the private key, for wireGuardChange
	state *stateFile   // previous values of global sysctls, for Reset
	log   logr.Logger
	// mode is what wgkube turned out to be when this run created it.
	mode   Mode
	reason string
}

// run applies changes in order; on failure it undoes the ones that
// succeeded, in reverse, and returns the failure joined with any undo
// error.
func (x *executor) run(ctx context.Context, changes []Change) error {
	for i, c := range changes {
		x.log.V(1).Info("network change applying", "change", c.String())
		if err := c.apply(ctx, x); err != nil {
			err = fmt.Errorf("%s: %w", firstLine(c.String()), err)
			var undoErrs []error
			for j := i - 1; j >= 0; j-- {
				if uerr := changes[j].undo(ctx, x); uerr != nil {
					undoErrs = append(undoErrs, fmt.Errorf("undo %s: %w", firstLine(changes[j].String()), uerr))
				}
			}
			if len(undoErrs) > 0 {
				return fmt.Errorf("%w; undoing the earlier changes also failed (kubenode reset removes what is left): %w", err, errors.Join(undoErrs...))
			}
			return fmt.Errorf("%w (the %d earlier changes were undone)", err, i)
		}
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

type sysctlChange struct {
	Key, From, To string
	Global        bool // outlives kubenode's links, so Reset restores it
}

func (c *sysctlChange) String() string {
	if c.From == "" {
		return fmt.Sprintf("~ sysctl %s = %s", sysctlName(c.Key), c.To)
	}
	return fmt.Sprintf("~ sysctl %s = %s (now %s)", sysctlName(c.Key), c.To, c.From)
}

func (c *sysctlChange) apply(_ context.Context, x *executor) error {
	if c.Global && c.From != "" {
		if err := x.state.recordSysctl(c.Key, c.From); err != nil {
			return err
		}
	}
	return x.host.SetSysctl(c.Key, c.To)
}

func (c *sysctlChange) undo(_ context.Context, x *executor) error {
	if c.From == "" {
		return nil
	}
	return x.host.SetSysctl(c.Key, c.From)
}

type createLink struct {
	Link   LinkSpec
	Mode   Mode // for wireguard
	Reason string
}

func (c *createLink) String() string {
	if c.Link.Kind == "wireguard" {
		return fmt.Sprintf("+ link %s: wireguard %s, mtu %d", c.Link.Name, describeMode(c.Mode, c.Reason), c.Link.MTU)
	}
	return fmt.Sprintf("+ link %s: %s, mtu %d", c.Link.Name, c.Link.Kind, c.Link.MTU)
}

func (c *createLink) apply(ctx context.Context, x *executor) error {
	if c.Link.Kind != "wireguard" {
		return x.host.CreateBridge(c.Link.Name, c.Link.MTU)
	}
	mode, reason, err := x.host.CreateWireGuard(c.Link.Name, c.Link.MTU, c.Mode)
	if err != nil {
		return err
	}
	if mode == c.Mode {
		reason = c.Reason
	}
	x.mode, x.reason = mode, reason
	x.log.Info("WireGuard device created", "link", c.Link.Name, "mode", mode, "reason", reason)
	return nil
}

func (c *createLink) undo(_ context.Context, x *executor) error {
	return ignoreGone(x.host.DeleteLink(c.Link.Name))
}

// ignoreGone makes an undo that removes something succeed when it is
// already gone.
func ignoreGone(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// keepMACChange sets brkube's MAC address explicitly to the one it has.
// Otherwise the kernel gives a bridge the lowest MAC of its ports, which
// changes as pods come and go: the pods' neighbour entries for their
// gateway go stale, and the CNI bridge plugin's CHECK (which CRI-O runs to
// restore a pod's IP when it starts again with pods still running) fails
// on the changed MAC, so the kubelet kills the pod and makes it again with
// a new IP.
type keepMACChange struct{ Link string }

func (c *keepMACChange) String() string {
	return fmt.Sprintf("~ link %s: keep its MAC address (set it explicitly)", c.Link)
}

func (c *keepMACChange) apply(_ context.Context, x *executor) error {
	mac, err := x.host.KeepMAC(c.Link)
	if err != nil {
		return err
	}
	return x.state.recordBridgeMAC(mac)
}

// undo has nothing to do: the MAC address is the one the link had.
func (c *keepMACChange) undo(context.Context, *executor) error { return nil }

type mtuChange struct {
	Link     string
	From, To int
}

func (c *mtuChange) String() string {
	return fmt.Sprintf("~ link %s: mtu %d (now %d)", c.Link, c.To, c.From)
}

func (c *mtuChange) apply(_ context.Context, x *executor) error {
	return x.host.SetLinkMTU(c.Link, c.To)
}

func (c *mtuChange) undo(_ context.Context, x *executor) error {
	return x.host.SetLinkMTU(c.Link, c.From)
}

type upChange struct{ Link string }

func (c *upChange) String() string { return fmt.Sprintf("~ link %s: up", c.Link) }

func (c *upChange) apply(_ context.Context, x *executor) error {
	return x.host.SetLinkUp(c.Link, true)
}

func (c *upChange) undo(_ context.Context, x *executor) error {
	return x.host.SetLinkUp(c.Link, false)
}

type addrChange struct {
	Link   string
	Prefix netip.Prefix
	Add    bool
}

func (c *addrChange) String() string {
	if c.Add {
		return fmt.Sprintf("+ address %s on %s", c.Prefix, c.Link)
	}
	return fmt.Sprintf("- address %s on %s", c.Prefix, c.Link)
}

func (c *addrChange) apply(_ context.Context, x *executor) error {
	if c.Add {
		return x.host.AddAddr(c.Link, c.Prefix)
	}
	return x.host.DelAddr(c.Link, c.Prefix)
}

func (c *addrChange) undo(_ context.Context, x *executor) error {
	if c.Add {
		return ignoreGone(x.host.DelAddr(c.Link, c.Prefix))
	}
	return x.host.AddAddr(c.Link, c.Prefix)
}

type routeChange struct {
	Route Route
	Add   bool
}

func (c *routeChange) String() string {
	if c.Add {
		return "+ route " + c.Route.String()
	}
	return "- route " + c.Route.String()
}

func (c *routeChange) apply(_ context.Context, x *executor) error {
	if c.Add {
		return x.host.AddRoute(c.Route)
	}
	return x.host.DelRoute(c.Route)
}

func (c *routeChange) undo(_ context.Context, x *executor) error {
	if c.Add {
		return ignoreGone(x.host.DelRoute(c.Route))
	}
	return x.host.AddRoute(c.Route)
}

type tableChange struct {
	Table TableSpec
	Diff  tableDiff // Table against the table the plan saw
}

// String shows the whole table when the chains are (re)built, or else
// just the set elements that change.
func (c *tableChange) String() string {
	t := &c.Table
	if c.Diff.Rebuild {
		verb := "~ nftables: rebuild"
		if c.Diff.Create {
			verb = "+ nftables: create"
		}
		n := 0
		for _, ch := range t.Chains {
			n += len(ch.Rules)
		}
		sets := ""
		switch len(t.Sets) {
		case 0:
		case 1:
			sets = ", 1 set"
		default:
			sets = fmt.Sprintf(", %d sets", len(t.Sets))
		}
		return fmt.Sprintf("%s table %s %s (%d chains, %d rules%s)\n%s", verb, t.Family, t.Name, len(t.Chains), n, sets, indent(t.String(), "    "))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "~ nftables: table %s %s, set elements:", t.Family, t.Name)
	for _, e := range c.Diff.Elements {
		op := "-"
		if e.Add {
			op = "+"
		}
		fmt.Fprintf(&b, "\n    %s %s in set %s", op, e.Elem, e.Set)
	}
	return b.String()
}

func (c *tableChange) apply(ctx context.Context, x *executor) error {
	return x.host.SyncTable(ctx, &c.Table, c.Diff)
}

// undo does nothing: the table changes in one transaction, as the last
// change, so a failure leaves it as it was and nothing after it can fail.
func (c *tableChange) undo(context.Context, *executor) error { return nil }

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

type peerOp string

const (
	peerAdd    peerOp = "+"
	peerUpdate peerOp = "~"
	peerRemove peerOp = "-"
)

type peerChange struct {
	Op   peerOp
	Want WireGuardPeer
	Prev *PeerState
	What string
}

// wireGuardChange configures wgkube with one wgctrl call: the private key
// and port when they differ, and only the peers that differ, so that the
// sessions of the others survive.
type wireGuardChange struct {
	Name       string
	SetKey     bool
	PublicKey  wgtypes.Key
	ListenPort int // 0: unchanged
	FromPort   int
	Peers      []peerChange
}

func (c *wireGuardChange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "~ wireguard %s:", c.Name)
	if c.SetKey {
		fmt.Fprintf(&b, "\n    private key (public %s)", keyOrPending(c.PublicKey, "the key file"))
	}
	if c.ListenPort != 0 {
		fmt.Fprintf(&b, "\n    listen port %d", c.ListenPort)
		if c.FromPort != 0 {
			fmt.Fprintf(&b, " (now %d)", c.FromPort)
		}
	}
	for _, p := range c.Peers {
		switch p.Op {
		case peerAdd:
			fmt.Fprintf(&b, "\n    + peer %d %s: endpoint %s, allowed ips %s, keepalive %s", p.Want.Index, p.Want.PublicKey, p.Want.Endpoint, joinPrefixes(p.Want.AllowedIPs), p.Want.Keepalive)
		case peerUpdate:
			fmt.Fprintf(&b, "\n    ~ peer %d %s: %s", p.Want.Index, p.Want.PublicKey, p.What)
		case peerRemove:
			fmt.Fprintf(&b, "\n    - peer %s (endpoint %s, allowed ips %s)", p.Prev.PublicKey, fmtEndpoint(p.Prev.Endpoint), orNone(joinPrefixes(p.Prev.AllowedIPs)))
		}
	}
	return b.String()
}

func (c *wireGuardChange) apply(_ context.Context, x *executor) error {
	var cfg wgtypes.Config
	if c.SetKey {
		if x.key == nil {
			return errors.New("no private key loaded")
		}
		cfg.PrivateKey = x.key
	}
	if c.ListenPort != 0 {
		cfg.ListenPort = &c.ListenPort
	}
	for _, p := range c.Peers {
		switch p.Op {
		case peerAdd, peerUpdate:
			cfg.Peers = append(cfg.Peers, peerConfig(p.Want.PublicKey, p.Want.Endpoint, p.Want.AllowedIPs, p.Want.Keepalive))
		case peerRemove:
			cfg.Peers = append(cfg.Peers, wgtypes.PeerConfig{PublicKey: p.Prev.PublicKey, Remove: true})
		}
	}
	return x.host.ConfigureWireGuard(c.Name, cfg)
}

// undo puts the peers and port back; a replaced private key cannot be, as
// the device never tells which key it had (only a new device gets one, and
// undoing its creation removes it).
func (c *wireGuardChange) undo(_ context.Context, x *executor) error {
	var cfg wgtypes.Config
	if c.ListenPort != 0 && c.FromPort != 0 {
		cfg.ListenPort = &c.FromPort
	}
	for _, p := range c.Peers {
		switch p.Op {
		case peerAdd:
			cfg.Peers = append(cfg.Peers, wgtypes.PeerConfig{PublicKey: p.Want.PublicKey, Remove: true})
		case peerUpdate, peerRemove:
			cfg.Peers = append(cfg.Peers, peerConfig(p.Prev.PublicKey, p.Prev.Endpoint, p.Prev.AllowedIPs, p.Prev.Keepalive))
		}
	}
	if cfg.ListenPort == nil && len(cfg.Peers) == 0 {
		return nil
	}
	return x.host.ConfigureWireGuard(c.Name, cfg)
}

func peerConfig(key wgtypes.Key, ep netip.AddrPort, allowed []netip.Prefix, ka time.Duration) wgtypes.PeerConfig {
	pc := wgtypes.PeerConfig{PublicKey: key, ReplaceAllowedIPs: true}
	if ep.IsValid() {
		pc.Endpoint = net.UDPAddrFromAddrPort(ep)
	}
	for _, p := range allowed {
		pc.AllowedIPs = append(pc.AllowedIPs, net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())})
	}
	pc.PersistentKeepaliveInterval = &ka
	return pc
}
