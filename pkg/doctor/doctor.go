// Package doctor checks a node's data path hop by hop against what
// kubenode built (netsetup's plan), on a running or a stopped node, and
// says for each check `ok` or what failed, with the evidence and the fix.
// The checks are those of pkg/check's registry, in the order packets meet
// them.
package doctor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/kubenode/kubenode/pkg/check"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/pki"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Input is what doctor needs to know about the node.
type Input struct {
	Config  *config.Config // with the node's index
	Primary bool
	// Running: the node's process answers on its status socket, so the
	// components that run inside it (CoreDNS, kubelet, the primary's
	// API) should answer too.
	Running bool
	// Components are the running node's components as its status socket
	// reports them (the supervisor's health report); nil when stopped.
	Components []supervisor.ComponentStatus
	// Peers are the peers the node should have; PeersFrom says where they
	// come from (the running node, the Node objects, the config).
	Peers     []netsetup.Peer
	PeersFrom string
	// CertFiles and CertDirs are the node's certificates (pki.Inventory).
	CertFiles, CertDirs []string
	// API asks the API's /readyz with the node's credentials; nil when
	// the node has none.
	API func(ctx context.Context) APIAnswer
}

// APIAnswer is the API's answer to /readyz.
type APIAnswer struct {
	Server string
	Body   string
	// Date is the API server's clock (the Date header), Sent and Received
	// this host's around the request.
	Date, Sent, Received time.Time
	Err                  error
}

// Thresholds.
const (
	staleHandshake = 3 * time.Minute // WireGuard's REJECT_AFTER_TIME
	certWindow     = 30 * 24 * time.Hour
	maxClockSkew   = 2 * time.Second
	probeTimeout   = 2 * time.Second
	wgOverhead     = 80
)

// run is one doctor run: the input, the plan against the host, and what
// the probes found, shared between the checks.
type run struct {
	in      Input
	cfg     *config.Config
	status  *netsetup.Status
	planErr error
	byArea  map[string][]string // evidence lines per check ID, from the plan
	names   map[int]string
	// reached: a peer (by index) answered an ICMP echo through wgkube.
	reached map[int]bool
	fw      ruleset
	fwErr   error
}

// Run runs every check and returns one result per check, in the
// registry's order.
func Run(ctx context.Context, in Input) []check.Result {
	r := &run{in: in, cfg: in.Config, byArea: map[string][]string{}, names: map[int]string{}, reached: map[int]bool{}}
	for _, p := range in.Peers {
		r.names[p.Index] = config.NodeNameOf(p.Index, r.cfg.ClusterDomain)
	}
	n, err := netsetup.New(r.cfg, in.Peers, logr.Discard())
	if err == nil {
		r.status, err = n.Show(ctx)
		n.Release()
	}
	r.planErr = err
	if r.status != nil {
		r.classify()
	}
	r.fw, r.fwErr = readRuleset(ctx)

	var out []check.Result
	out = append(out, r.underlay(), r.wireGuard(ctx), r.routes(false), r.capture(), r.bridge(), r.mtu(),
		r.planOnly(check.Sysctls, "the forwarding and link sysctls are as planned"),
		r.planOnly(check.NFTables, "table inet kubenode is as planned"),
		r.firewall(), r.routes(true), r.dns(ctx))
	out = append(out, r.control(ctx)...)
	out = append(out, r.components(), r.certificates())
	return check.Sorted(out)
}

// classify puts each difference between the host and the plan under the
// check it belongs to.
func (r *run) classify() {
	svc := func(p netip.Prefix) bool { return slices.Contains(r.cfg.ServiceCIDRs, p) }
	for _, c := range r.status.Plan.Changes {
		a := netsetup.AreaOf(c)
		var id string
		switch a.Kind {
		case netsetup.AreaRoute:
			id = check.Routes.ID
			if svc(a.Dst) {
				id = check.ServiceRoute.ID
			}
		case netsetup.AreaLink, netsetup.AreaAddress:
			id = check.Bridge.ID
			if a.Link == netsetup.WireGuardName {
				id = check.WireGuard.ID
			}
		case netsetup.AreaMTU:
			id = check.MTU.ID
		case netsetup.AreaSysctl:
			id = check.Sysctls.ID
		case netsetup.AreaTable:
			id = check.NFTables.ID
		case netsetup.AreaWireGuard:
			id = check.WireGuard.ID
		default:
			continue
		}
		text := strings.TrimSpace(c.String())
		switch {
		case a.Kind == netsetup.AreaTable && a.Rebuild:
			text, _, _ = strings.Cut(text, "\n") // the whole table follows
			text += " (the live table differs: nft list table inet kubenode; kubenode network plan shows the planned one)"
		case a.Kind == netsetup.AreaTable:
			_, text, _ = strings.Cut(text, "\n") // one line per set element
		}
		for _, l := range strings.Split(text, "\n") {
			r.byArea[id] = append(r.byArea[id], "plan: "+strings.TrimSpace(l))
		}
	}
}

// noPlan is the result of a check that needs the plan when there is none.
func (r *run) noPlan(c check.Check) check.Result {
	return c.Fail("cannot compare with kubenode's plan: "+r.planErr.Error(), "kubenode network plan fails the same way").
		WithFix("fix what the message names (see the underlay check)")
}

func (r *run) planOnly(c check.Check, ok string) check.Result {
	if r.status == nil {
		return r.noPlan(c)
	}
	if ev := r.byArea[c.ID]; len(ev) > 0 {
		return c.Fail(fmt.Sprintf("%d difference(s) from kubenode's plan", len(ev)), ev...)
	}
	return c.OK("%s", ok)
}

func (r *run) underlay() check.Result {
	c := check.Underlay
	if r.status == nil {
		return c.Fail("cannot compute kubenode's plan: " + r.planErr.Error()).WithFix("fix what the message names: the underlay interface, its MTU, the node IP")
	}
	spec := r.status.Plan.Spec
	mtu, up, addrs, err := linkInfo(spec.Underlay)
	if err != nil {
		return c.Fail(fmt.Sprintf("underlay %s: %v", spec.Underlay, err))
	}
	var ev []string
	if !up {
		ev = append(ev, fmt.Sprintf("link %s is down", spec.Underlay))
	}
	for _, ip := range r.cfg.NodeIPs {
		if !slices.ContainsFunc(addrs, func(p netip.Prefix) bool { return p.Addr() == ip }) {
			ev = append(ev, fmt.Sprintf("node IP %s is not on %s (it has %s)", ip, spec.Underlay, joinPrefixes(addrs)))
		}
	}
	for _, p := range spec.WireGuard.Peers {
		via, err := routeVia(p.Endpoint.Addr())
		switch {
		case err != nil:
			ev = append(ev, fmt.Sprintf("node %d's endpoint %s: ip route get: %v", p.Index, p.Endpoint, err))
		case via != spec.Underlay:
			ev = append(ev, fmt.Sprintf("node %d's endpoint %s is routed via %s, not the underlay %s", p.Index, p.Endpoint, via, spec.Underlay))
		}
	}
	if len(ev) > 0 {
		return c.Fail(fmt.Sprintf("underlay %s is not as the mesh needs it", spec.Underlay), ev...)
	}
	return c.OK("%s (mtu %d) holds %s; %d peer endpoint(s) routed through it", spec.Underlay, mtu, joinAddrs(r.cfg.NodeIPs), len(spec.WireGuard.Peers))
}

func (r *run) wireGuard(ctx context.Context) check.Result {
	c := check.WireGuard
	if r.status == nil {
		return r.noPlan(c)
	}
	spec, wg := r.status.Plan.Spec, r.status.State.WireGuard
	if wg == nil {
		return c.Fail("no WireGuard device answers for wgkube", r.byArea[c.ID]...).
			WithFix("start the node (its wgkube helper runs wgkube); `kubenode network show` says what is there")
	}
	live := map[wgtypes.Key]netsetup.PeerState{}
	for _, p := range wg.Peers {
		live[p.PublicKey] = p
	}
	src := r.hostIPs()
	var ev, okNotes []string
	wanted := map[wgtypes.Key]bool{}
	for _, p := range spec.WireGuard.Peers {
		wanted[p.PublicKey] = true
		name := fmt.Sprintf("node %d (%s)", p.Index, r.names[p.Index])
		lp, ok := live[p.PublicKey]
		if !ok {
			ev = append(ev, fmt.Sprintf("%s: wgkube has no peer with its key %s (from %s)", name, p.PublicKey, r.in.PeersFrom))
			continue
		}
		if !samePrefixes(lp.AllowedIPs, p.AllowedIPs) {
			ev = append(ev, fmt.Sprintf("%s: allowed IPs %s, want exactly its node CIDRs %s", name, joinPrefixes(lp.AllowedIPs), joinPrefixes(p.AllowedIPs)))
		}
		before := r.fw.Drops
		dst := r.peerHostIP(p.Index, src)
		var perr error
		if dst.IsValid() && src.IsValid() {
			// Up to three echoes: the first may wait for a handshake.
			for range 3 {
				if perr = ping(netsetup.WireGuardName, src, dst, 0, probeTimeout/2); perr == nil {
					break
				}
			}
		} else {
			perr = errors.New("no host IP of a common family")
		}
		after := r.readLive(ctx)
		r.fw = after
		state := r.observePeer(ctx, p.PublicKey, lp)
		hs := "never"
		if !state.LastHandshake.IsZero() {
			hs = time.Since(state.LastHandshake).Round(time.Second).String() + " ago"
		}
		counters := fmt.Sprintf("last handshake %s, received %d B, sent %d B", hs, state.ReceiveBytes, state.TransmitBytes)
		if perr != nil {
			e := fmt.Sprintf("%s: %v; %s (received %+d B during the probe)", name, perr, counters, state.ReceiveBytes-lp.ReceiveBytes)
			ev = append(ev, e)
			ev = append(ev, moved(before, after.Drops)...)
			continue
		}
		if !state.LastHandshake.IsZero() && time.Since(state.LastHandshake) > staleHandshake {
			ev = append(ev, fmt.Sprintf("%s: answers, but %s", name, counters))
			continue
		}
		r.reached[p.Index] = true
		okNotes = append(okNotes, fmt.Sprintf("node %d answers (%s)", p.Index, counters))
	}
	for _, p := range wg.Peers {
		if !wanted[p.PublicKey] {
			ev = append(ev, fmt.Sprintf("wgkube has a peer no node publishes: key %s, endpoint %s, allowed IPs %s", p.PublicKey, p.Endpoint, joinPrefixes(p.AllowedIPs)))
		}
	}
	ev = append(ev, r.byArea[c.ID]...)
	if len(ev) > 0 {
		return c.Fail("wgkube's peers do not all answer as planned", ev...)
	}
	if len(okNotes) == 0 {
		return c.OK("no peers (peers from %s)", r.in.PeersFrom)
	}
	return c.OK("%s", strings.Join(okNotes, "; "))
}

// readLive re-reads the nftables counters after a probe.
func (r *run) readLive(ctx context.Context) ruleset {
	rs, err := readRuleset(ctx)
	if err != nil {
		return r.fw
	}
	return rs
}

// observePeer reads a peer's counters again after the probe.
func (r *run) observePeer(ctx context.Context, key wgtypes.Key, prev netsetup.PeerState) netsetup.PeerState {
	n, err := netsetup.New(r.cfg, r.in.Peers, logr.Discard())
	if err != nil {
		return prev
	}
	defer n.Release()
	st, err := n.Show(ctx)
	if err != nil || st.State.WireGuard == nil {
		return prev
	}
	for _, p := range st.State.WireGuard.Peers {
		if p.PublicKey == key {
			return p
		}
	}
	return prev
}

// hostIPs is this node's host IP of the cluster's first family: the probes'
// source.
func (r *run) hostIPs() netip.Addr {
	ips := r.cfg.HostIPs()
	if len(ips) == 0 {
		return netip.Addr{}
	}
	return ips[0]
}

func (r *run) peerHostIP(index int, src netip.Addr) netip.Addr {
	for _, ip := range r.cfg.HostIPsOf(index) {
		if ip.Is4() == src.Is4() {
			return ip
		}
	}
	return netip.Addr{}
}

func (r *run) routes(service bool) check.Result {
	c := check.Routes
	if service {
		c = check.ServiceRoute
	}
	if r.status == nil {
		return r.noPlan(c)
	}
	if ev := r.byArea[c.ID]; len(ev) > 0 {
		return c.Fail(fmt.Sprintf("%d route(s) differ from kubenode's plan (+ is missing, - is extra)", len(ev)), ev...)
	}
	n := 0
	for _, rt := range r.status.Plan.Spec.Routes {
		if slices.Contains(r.cfg.ServiceCIDRs, rt.Dst) == service {
			n++
		}
	}
	if service {
		return c.OK("%s via wgkube src %s", joinPrefixes(r.cfg.ServiceCIDRs), joinAddrs(r.cfg.HostIPs()))
	}
	return c.OK("%d peer route(s) via wgkube with src %s", n, joinAddrs(r.cfg.HostIPs()))
}

func (r *run) capture() check.Result {
	c := check.Capture
	if r.status == nil {
		return r.noPlan(c)
	}
	routes, err := allRoutes()
	if err != nil {
		return c.Fail(err.Error())
	}
	rules, err := allRules()
	if err != nil {
		return c.Fail(err.Error())
	}
	spec := r.status.Plan.Spec
	own := func(rt hostRoute) bool {
		if rt.Table != tableMain {
			return false
		}
		return rt.Dev == netsetup.WireGuardName || rt.Dev == netsetup.BridgeName
	}
	cidrs := slices.Clone(r.cfg.ServiceCIDRs)
	for _, p := range spec.WireGuard.Peers {
		cidrs = append(cidrs, p.AllowedIPs...)
	}
	cidrs = append(cidrs, r.cfg.NodeCIDRs(r.cfg.NodeIndex)...)
	var ev []string
	for _, cidr := range cidrs {
		ev = append(ev, captures(cidr, routes, rules, own)...)
	}
	if len(ev) > 0 {
		return c.Fail("another route takes pod or Service traffic away from kubenode's links", ev...)
	}
	return c.OK("no other route or rule takes %d pod and Service CIDR(s)", len(cidrs))
}

func (r *run) bridge() check.Result {
	res := r.planOnly(check.Bridge, "")
	if res.Status == check.OK {
		res.Message = fmt.Sprintf("brkube up with %s", joinPrefixes(r.status.Plan.Spec.Bridge.Addrs))
	}
	return res
}

func (r *run) mtu() check.Result {
	c := check.MTU
	if r.status == nil {
		return r.noPlan(c)
	}
	spec, st := r.status.Plan.Spec, r.status.State
	ev := slices.Clone(r.byArea[c.ID])
	wgMTU := 0
	if l := st.Links[netsetup.WireGuardName]; l != nil {
		wgMTU = l.MTU
	}
	if wgMTU > spec.UnderlayMTU-wgOverhead {
		ev = append(ev, fmt.Sprintf("wgkube mtu %d > underlay %s mtu %d - %d = %d", wgMTU, spec.Underlay, spec.UnderlayMTU, wgOverhead, spec.UnderlayMTU-wgOverhead))
	}
	ports, err := bridgePorts(netsetup.BridgeName)
	if err != nil && !linkMissing(err) {
		ev = append(ev, "pods' veths: "+err.Error())
	}
	names := make([]string, 0, len(ports))
	for n := range ports {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if ports[n] > wgMTU {
			ev = append(ev, fmt.Sprintf("pod veth %s mtu %d > wgkube mtu %d", n, ports[n], wgMTU))
		}
	}
	src := r.hostIPs()
	probed := 0
	for _, p := range spec.WireGuard.Peers {
		if !r.reached[p.Index] || wgMTU == 0 {
			continue // the wireguard check says why
		}
		dst := r.peerHostIP(p.Index, src)
		var err error
		for range 2 {
			if err = ping(netsetup.WireGuardName, src, dst, wgMTU, probeTimeout/2); err == nil {
				break
			}
		}
		if err != nil {
			ev = append(ev, fmt.Sprintf("path MTU to node %d: %v (a small echo got through)", p.Index, err))
			continue
		}
		probed++
	}
	if len(ev) > 0 {
		return c.Fail("packets of the planned size do not fit everywhere", ev...)
	}
	return c.OK("underlay %d - %d >= wgkube %d >= %d pod veth(s); %d-byte packets reach %d peer(s)", spec.UnderlayMTU, wgOverhead, wgMTU, len(ports), wgMTU, probed)
}

func (r *run) firewall() check.Result {
	c := check.Firewall
	if r.fwErr != nil {
		return c.Fail(r.fwErr.Error()).WithFix("install nftables (apt-get install nftables)")
	}
	if ev := forwardDrops(r.fw, r.cfg.ClusterCIDRs); len(ev) > 0 {
		return c.Fail("another nftables table can drop forwarded pod traffic that table inet kubenode accepts", ev...)
	}
	return c.OK("no other table drops forwarded pod traffic")
}

func (r *run) dns(ctx context.Context) check.Result {
	c := check.DNS
	if !r.in.Running {
		return c.Skip("the node is not running; CoreDNS runs inside it")
	}
	server := r.hostIPs()
	if !server.IsValid() {
		return c.Fail("this node has no host IP")
	}
	res := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort(server.String(), "53"))
	}}
	names := []string{"kubernetes.default.svc." + r.cfg.ClusterDomain, r.cfg.NodeName}
	var ev, got []string
	before := r.readLive(ctx)
	for _, name := range names {
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		addrs, err := res.LookupHost(qctx, name)
		cancel()
		if err != nil {
			ev = append(ev, fmt.Sprintf("%s at %s:53: %v", name, server, err))
			continue
		}
		got = append(got, name+" = "+strings.Join(addrs, ","))
	}
	if len(ev) > 0 {
		ev = append(ev, moved(before.Drops, r.readLive(ctx).Drops)...)
		return c.Fail("CoreDNS does not answer", ev...)
	}
	return c.OK("%s", strings.Join(got, "; "))
}

// control runs the api, kubelet and clock checks.
func (r *run) control(ctx context.Context) []check.Result {
	if r.in.API == nil {
		msg := "this node has no API credentials yet (a worker that has not joined)"
		return []check.Result{check.API.Fail(msg), check.Kubelet.Skip("%s", msg), check.Clock.Skip("%s", msg)}
	}
	var out []check.Result
	if r.in.Primary && !r.in.Running {
		s := "the primary is not running; the API runs inside it"
		return []check.Result{check.API.Skip("%s", s), r.kubelets(ctx), check.Clock.OK("this is the primary, the cluster's reference")}
	}
	before := r.readLive(ctx)
	a := r.in.API(ctx)
	if a.Err != nil {
		ev := []string{fmt.Sprintf("GET %s/readyz: %v", a.Server, a.Err)}
		ev = append(ev, moved(before.Drops, r.readLive(ctx).Drops)...)
		out = append(out, check.API.Fail("the API does not answer", ev...), check.Clock.Skip("needs the API's clock"))
	} else {
		out = append(out, check.API.OK("%s/readyz: %s in %s", a.Server, strings.TrimSpace(a.Body), a.Received.Sub(a.Sent).Round(time.Millisecond)))
		if r.in.Primary {
			out = append(out, check.Clock.OK("this is the primary, the cluster's reference"))
		} else {
			out = append(out, clockResult(a))
		}
	}
	return append(out, r.kubelets(ctx))
}

// clockResult compares the API server's Date header (whole seconds) with
// the middle of the request.
func clockResult(a APIAnswer) check.Result {
	c := check.Clock
	if a.Date.IsZero() {
		return c.Skip("the API sent no Date header")
	}
	mid := a.Sent.Add(a.Received.Sub(a.Sent) / 2)
	// Date has whole seconds: it lags the primary's clock by up to 1s.
	skew := mid.Sub(a.Date.Add(500 * time.Millisecond))
	if skew.Abs() > maxClockSkew+500*time.Millisecond {
		return c.Fail(fmt.Sprintf("this host's clock is %s off the primary's", skew.Round(100*time.Millisecond)),
			fmt.Sprintf("the API's Date header %s, this host %s", a.Date.UTC().Format(time.RFC3339), mid.UTC().Format(time.RFC3339Nano)))
	}
	return c.OK("within %s of the primary (Date header)", (skew.Abs() + 500*time.Millisecond).Round(time.Second))
}

// kubelets: on the primary, each peer's kubelet port; on a worker, its own
// kubelet listens (the primary's doctor checks it from there).
func (r *run) kubelets(ctx context.Context) check.Result {
	c := check.Kubelet
	dial := func(addr string) error {
		// A whole TLS handshake (a bare connect makes the kubelet log a
		// handshake error). Only reachability is checked: nothing is sent,
		// so the kubelet's identity does not matter here.
		d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 3 * time.Second}, Config: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
		}
		return err
	}
	if !r.in.Primary {
		if !r.in.Running {
			return c.Skip("the node is not running; its kubelet runs inside it")
		}
		addr := net.JoinHostPort(r.cfg.NodeIPs[0].String(), "10250")
		if err := dial(addr); err != nil {
			return c.Fail("this node's kubelet does not listen", err.Error())
		}
		return c.OK("kubelet listens on %s (the primary's doctor checks it from there)", addr)
	}
	if r.status == nil {
		return r.noPlan(c)
	}
	var ev, ok []string
	before := r.readLive(ctx)
	for _, p := range r.status.Plan.Spec.WireGuard.Peers {
		addr := net.JoinHostPort(p.Endpoint.Addr().String(), "10250")
		if err := dial(addr); err != nil {
			ev = append(ev, fmt.Sprintf("node %d: %v", p.Index, err))
			continue
		}
		ok = append(ok, addr)
	}
	if len(ev) > 0 {
		ev = append(ev, moved(before.Drops, r.readLive(ctx).Drops)...)
		return c.Fail("a kubelet is not reachable from the primary", ev...)
	}
	if len(ok) == 0 {
		return c.OK("no other nodes")
	}
	return c.OK("reachable: %s", strings.Join(ok, ", "))
}

// components reads the supervisor's own report, the one `kubenode status`
// and the metrics endpoint show: a component that failed, is not ready, or
// has a failing health condition.
func (r *run) components() check.Result {
	c := check.Components
	if !r.in.Running {
		return c.Skip("the node is not running")
	}
	var bad []string
	for _, s := range r.in.Components {
		if s.State != supervisor.StateReady {
			line := s.Name + ": " + s.State
			if s.Err != "" {
				line += ": " + s.Err
			}
			bad = append(bad, line)
		}
		for _, cond := range s.Conditions {
			if !cond.OK {
				bad = append(bad, fmt.Sprintf("%s: %s: %s", s.Name, cond.Type, cond.Message))
			}
		}
	}
	if len(bad) > 0 {
		return c.Fail("the node reports components that are not ready or not healthy", bad...)
	}
	return c.OK("%d component(s) ready, every health condition true", len(r.in.Components))
}

func (r *run) certificates() check.Result {
	c := check.Certificates
	soon := pki.Expiring(r.in.CertFiles, r.in.CertDirs, time.Now(), certWindow)
	if len(soon) > 0 {
		return c.Fail(fmt.Sprintf("%d certificate(s) expire within 30 days", len(soon)), soon...)
	}
	return c.OK("none of %d certificate(s) expires within 30 days", len(pki.Inventory(r.in.CertFiles, r.in.CertDirs)))
}

func samePrefixes(a, b []netip.Prefix) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	cmp := func(x, y netip.Prefix) int { return strings.Compare(x.String(), y.String()) }
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}

func joinPrefixes(ps []netip.Prefix) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func joinAddrs(as []netip.Addr) string {
	var s []string
	for _, a := range as {
		s = append(s, a.String())
	}
	return strings.Join(s, ", ")
}
