package netsetup

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Plan is the desired state and the changes that get the host there.
type Plan struct {
	Spec    *Spec
	Changes []Change
}

// Empty reports whether the host already matches the spec.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// String prints the plan for `kubenode network plan`: a summary of the
// desired state, then one line (or block) per change.
func (p *Plan) String() string {
	s := p.Spec
	var b strings.Builder
	fmt.Fprintf(&b, "node %d (%s), ipFamily %s\n", s.NodeIndex, s.NodeName, s.IPFamily)
	fmt.Fprintf(&b, "underlay: %s, mtu %d\n", s.Underlay, s.UnderlayMTU)
	fmt.Fprintf(&b, "mtu: %d (%s), for wgkube, brkube and pods\n", s.MTU, s.MTUSource)
	fmt.Fprintf(&b, "wireguard: %s, port %d, public key %s\n", describeMode(s.WireGuard.Mode, s.WireGuard.ModeReason), s.WireGuard.ListenPort, keyOrPending(s.WireGuard.PublicKey, s.WireGuard.KeyFile))
	if len(s.WireGuard.Peers) == 0 {
		b.WriteString("peers: none\n")
	} else {
		b.WriteString("peers:\n")
		for _, pe := range s.WireGuard.Peers {
			fmt.Fprintf(&b, "  %d %s at %s: %s\n", pe.Index, pe.PublicKey, pe.Endpoint, joinPrefixes(pe.AllowedIPs))
		}
	}
	if p.Empty() {
		b.WriteString("no changes\n")
		return b.String()
	}
	fmt.Fprintf(&b, "changes (%d):\n", len(p.Changes))
	for _, c := range p.Changes {
		for _, line := range strings.Split(strings.TrimRight(c.String(), "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
}

func describeMode(m Mode, reason string) string {
	switch m {
	case ModeKernel:
		return "kernel"
	default:
		if reason != "" {
			return "userspace (wireguard-go in process: " + reason + ")"
		}
		return "userspace (wireguard-go in process)"
	}
}

func keyOrPending(k wgtypes.Key, file string) string {
	if k == (wgtypes.Key{}) {
		return "(generated at first apply into " + file + ")"
	}
	return k.String()
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// Diff lists the changes that turn st into s, in the order they must be
// applied: global sysctls, brkube, wgkube and its peers, routes, the
// nftables table. It is pure. It fails only when the host holds something
// kubenode may not touch, such as a foreign link named brkube.
func Diff(s *Spec, st *State) ([]Change, error) {
	var out []Change
	for _, sc := range s.Sysctls {
		if cur, ok := st.Sysctls[sc.Key]; !ok || cur != sc.Value {
			out = append(out, &sysctlChange{Key: sc.Key, From: cur, To: sc.Value, Global: true})
		}
	}

	br := st.Links[BridgeName]
	if br != nil && br.Kind != "bridge" {
		return nil, fmt.Errorf("link %s exists but is a %s, not a bridge: kubenode owns the name %s; remove or rename that link (ip link del %s)", BridgeName, br.Kind, BridgeName, BridgeName)
	}
	brChanges := diffLink(&s.Bridge, br, st, nil)
	if br == nil {
		// Right after it is made, before any port joins it.
		brChanges = slices.Insert(brChanges, 1, Change(&keepMACChange{Link: BridgeName}))
	} else if !st.BridgeMACKept {
		brChanges = append(brChanges, &keepMACChange{Link: BridgeName})
	}
	out = append(out, brChanges...)

	wg := st.Links[WireGuardName]
	var created *createLink
	switch {
	case wg == nil:
	case wg.Kind == "wireguard" || wg.Kind == "tuntap":
		if st.WireGuard == nil {
			return nil, fmt.Errorf("link %s exists (%s) but no WireGuard device answers for it (kernel netlink or UAPI socket): another process may hold it; stop that process, or remove the link (kubenode reset)", WireGuardName, wg.Kind)
		}
	default:
		return nil, fmt.Errorf("link %s exists but is a %s, not WireGuard: kubenode owns the name %s; remove or rename that link (ip link del %s)", WireGuardName, wg.Kind, WireGuardName, WireGuardName)
	}
	if wg == nil {
		created = &createLink{Link: s.WireGuard.LinkSpec, Mode: s.WireGuard.Mode, Reason: s.WireGuard.ModeReason}
	}
	out = append(out, diffLink(&s.WireGuard.LinkSpec, wg, st, created)...)
	if c := diffWireGuard(&s.WireGuard, st.WireGuard, st, wg == nil); c != nil {
		out = append(out, c)
	}

	// Routes last among the links: they need wgkube up and the host IPs on
	// brkube (a route's preferred source must be a local address).
	want := map[netip.Prefix]Route{}
	for _, r := range s.Routes {
		want[r.Dst] = r
	}
	have := map[netip.Prefix]Route{}
	if wg != nil {
		for _, r := range st.Routes {
			if r.Dev == WireGuardName {
				have[r.Dst] = r
			}
		}
	}
	for _, r := range sortedRoutes(have) {
		if w, ok := want[r.Dst]; !ok || w != r {
			out = append(out, &routeChange{Route: r, Add: false})
		}
	}
	for _, r := range s.Routes {
		if h, ok := have[r.Dst]; !ok || h != r {
			out = append(out, &routeChange{Route: r, Add: true})
		}
	}

	if d := s.Table.diff(st.Table); !d.empty() {
		out = append(out, &tableChange{Table: s.Table, Diff: d})
	}
	return out, nil
}

// diffLink creates the link if it is missing (create is the change that
// does so, when the caller made it), then its sysctls, MTU, addresses and
// up state. A new link is configured before it goes up, so that no
// link-local address and no router advertisement ever reach it.
func diffLink(l *LinkSpec, cur *LinkState, st *State, create *createLink) []Change {
	var out []Change
	if cur == nil {
		if create == nil {
			create = &createLink{Link: *l}
		}
		out = append(out, create)
		for _, sc := range l.Sysctls {
			out = append(out, &sysctlChange{Key: sc.Key, To: sc.Value})
		}
		for _, a := range l.Addrs {
			out = append(out, &addrChange{Link: l.Name, Prefix: a, Add: true})
		}
		return append(out, &upChange{Link: l.Name})
	}
	for _, sc := range l.Sysctls {
		if v, ok := st.Sysctls[sc.Key]; !ok || v != sc.Value {
			out = append(out, &sysctlChange{Key: sc.Key, From: v, To: sc.Value})
		}
	}
	if cur.MTU != l.MTU {
		out = append(out, &mtuChange{Link: l.Name, From: cur.MTU, To: l.MTU})
	}
	for _, a := range cur.Addrs {
		if !slices.Contains(l.Addrs, a) {
			out = append(out, &addrChange{Link: l.Name, Prefix: a, Add: false})
		}
	}
	for _, a := range l.Addrs {
		if !slices.Contains(cur.Addrs, a) {
			out = append(out, &addrChange{Link: l.Name, Prefix: a, Add: true})
		}
	}
	if !cur.Up {
		out = append(out, &upChange{Link: l.Name})
	}
	return out
}

func diffWireGuard(w *WireGuardSpec, cur *WireGuardState, st *State, fresh bool) Change {
	c := &wireGuardChange{Name: w.Name, PublicKey: w.PublicKey}
	if fresh || cur == nil {
		cur = &WireGuardState{}
	}
	if cur.PublicKey != w.PublicKey || w.PublicKey == (wgtypes.Key{}) {
		c.SetKey = true
	}
	if cur.ListenPort != w.ListenPort {
		c.ListenPort, c.FromPort = w.ListenPort, cur.ListenPort
	}
	have := map[wgtypes.Key]PeerState{}
	for _, p := range cur.Peers {
		have[p.PublicKey] = p
	}
	wanted := map[wgtypes.Key]bool{}
	for _, p := range w.Peers {
		wanted[p.PublicKey] = true
		h, ok := have[p.PublicKey]
		if !ok {
			c.Peers = append(c.Peers, peerChange{Op: peerAdd, Want: p})
			continue
		}
		var what []string
		if h.Endpoint != p.Endpoint {
			roamed := !h.LastHandshake.IsZero() && st.Now.Sub(h.LastHandshake) < roamWindow
			if !roamed {
				what = append(what, fmt.Sprintf("endpoint %s -> %s", fmtEndpoint(h.Endpoint), p.Endpoint))
			}
		}
		if !samePrefixes(h.AllowedIPs, p.AllowedIPs) {
			what = append(what, fmt.Sprintf("allowed ips %s -> %s", orNone(joinPrefixes(h.AllowedIPs)), joinPrefixes(p.AllowedIPs)))
		}
		if h.Keepalive != p.Keepalive {
			what = append(what, fmt.Sprintf("keepalive %s -> %s", h.Keepalive, p.Keepalive))
		}
		if len(what) > 0 {
			prev := h
			c.Peers = append(c.Peers, peerChange{Op: peerUpdate, Want: p, Prev: &prev, What: strings.Join(what, ", ")})
		}
	}
	for _, p := range cur.Peers {
		if !wanted[p.PublicKey] {
			prev := p
			c.Peers = append(c.Peers, peerChange{Op: peerRemove, Prev: &prev})
		}
	}
	if !c.SetKey && c.ListenPort == 0 && len(c.Peers) == 0 {
		return nil
	}
	return c
}

func fmtEndpoint(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return "none"
	}
	return ap.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func samePrefixes(a, b []netip.Prefix) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	cmp := func(p, q netip.Prefix) int {
		if c := p.Addr().Compare(q.Addr()); c != 0 {
			return c
		}
		return p.Bits() - q.Bits()
	}
	slices.SortFunc(x, cmp)
	slices.SortFunc(y, cmp)
	return slices.Equal(x, y)
}

func sortedRoutes(m map[netip.Prefix]Route) []Route {
	out := make([]Route, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Route) int {
		if c := a.Dst.Addr().Compare(b.Dst.Addr()); c != 0 {
			return c
		}
		return a.Dst.Bits() - b.Dst.Bits()
	})
	return out
}
