package netsetup

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/kubenode/kubenode/pkg/config"
)

// Names kubenode owns on the host.
const (
	BridgeName    = "brkube"
	WireGuardName = "wgkube"
	TableName     = "kubenode"
)

// BridgeLinkLocal is brkube's only link-local address, the same on every
// node (it never leaves the bridge).
var BridgeLinkLocal = netip.MustParsePrefix("fe80::1/64")

const (
	// WireGuard's worst-case overhead: outer IPv6 header (40), UDP (8),
	// WireGuard header and tag (32).
	wireGuardOverhead = 80
	minIPv6MTU        = 1280
	keepalive         = 25 * time.Second
)

// Peer is another node of the mesh, as config.yaml lists it or, later, as a
// Node object publishes it.
type Peer struct {
	Index     int    `json:"index"`
	PublicKey string `json:"publicKey"` // base64, as wg(8) prints it
	Endpoint  string `json:"endpoint"`  // IP:PORT, or IP for the default WireGuard port
}

// PeersFromConfig returns the static peers of config.yaml.
func PeersFromConfig(cfg *config.Config) []Peer {
	out := make([]Peer, 0, len(cfg.Network.Peers))
	for _, p := range cfg.Network.Peers {
		out = append(out, Peer{Index: p.Index, PublicKey: p.PublicKey, Endpoint: p.Endpoint})
	}
	return out
}

// Mode is how wgkube is implemented.
type Mode string

const (
	ModeKernel    Mode = "kernel"
	ModeUserspace Mode = "userspace"
)

// Facts are what the plan needs to know about the host before it can be
// computed; Host.Facts gathers them.
type Facts struct {
	Underlay    string // interface that carries WireGuard's UDP
	UnderlayMTU int
	// UnderlayAcceptRA is the underlay's net.ipv6.conf.IF.accept_ra, or ""
	// when IPv6 is not used.
	UnderlayAcceptRA string
	// NoIPv6: the kernel runs without IPv6 (ipv6.disable=1), so there are
	// no IPv6 sysctls to set.
	NoIPv6          bool
	KernelWireGuard bool
	// WireGuardReason says why KernelWireGuard is what it is.
	WireGuardReason string
	// NoTUN: there is no /dev/net/tun for a userspace wgkube.
	NoTUN bool
	// HostPrefixes are the networks on links other than kubenode's, so that
	// a pod subnet that would shadow one of them is caught before apply.
	HostPrefixes []HostPrefix
}

// HostPrefix is a network configured on one of the host's links.
type HostPrefix struct {
	Link   string
	Prefix netip.Prefix
}

// FactsQuery says what Host.Facts should look at.
type FactsQuery struct {
	Underlay string     // the configured underlay interface, if any
	NodeIP   netip.Addr // otherwise the interface holding this address
	IPv6     bool
}

// Spec is the desired state of the host's network, computed from the
// config, the peers and the facts, without touching the host.
type Spec struct {
	NodeIndex   int
	NodeName    string
	IPFamily    string
	Underlay    string
	UnderlayMTU int
	MTU         int    // of wgkube, brkube and pods
	MTUSource   string // how MTU was chosen, for the plan
	Bridge      LinkSpec
	WireGuard   WireGuardSpec
	Routes      []Route
	Sysctls     []Sysctl // global ones; per-link ones are on the LinkSpec
	Table       TableSpec
}

// LinkSpec is one of kubenode's links.
type LinkSpec struct {
	Name    string
	Kind    string // "bridge" or "wireguard"
	MTU     int
	Addrs   []netip.Prefix
	Sysctls []Sysctl // set before the link goes up
}

// WireGuardSpec is wgkube and its peers.
type WireGuardSpec struct {
	LinkSpec
	Mode       Mode // used when the device has to be created
	ModeReason string
	ListenPort int
	PublicKey  wgtypes.Key // zero until the private key exists
	KeyFile    string
	Peers      []WireGuardPeer
}

// WireGuardPeer is a validated Peer with what wgkube needs to know.
type WireGuardPeer struct {
	Index      int
	PublicKey  wgtypes.Key
	Endpoint   netip.AddrPort
	AllowedIPs []netip.Prefix // exactly the peer's node CIDRs
	Keepalive  time.Duration
}

// Route sends a peer's pod subnet into wgkube; Src is this node's host IP so
// that the host's own traffic gets answered over the mesh too.
type Route struct {
	Dst netip.Prefix
	Src netip.Addr
	Dev string
}

func (r Route) String() string {
	return fmt.Sprintf("%s dev %s src %s", r.Dst, r.Dev, r.Src)
}

// Sysctl is a /proc/sys entry; Key is the path below /proc/sys
// ("net/ipv4/conf/all/forwarding") so that interface names with dots stay
// unambiguous.
type Sysctl struct {
	Key   string
	Value string
}

func sysctlName(key string) string { return strings.ReplaceAll(key, "/", ".") }

// KeyFile is where the node's WireGuard private key lives.
func KeyFile(cfg *config.Config) string {
	return filepath.Join(cfg.DataDir, "wireguard", "private.key")
}

// validatePeers turns peers into WireGuard peers, or says what is wrong with
// them; it needs nothing from the host, so New calls it before anything
// else.
func validatePeers(cfg *config.Config, peers []Peer) ([]WireGuardPeer, error) {
	var errs []error
	out := make([]WireGuardPeer, 0, len(peers))
	byIndex := map[int]bool{}
	byKey := map[wgtypes.Key]int{}
	for _, p := range peers {
		field := fmt.Sprintf("peer %d", p.Index)
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf(field+": "+format, a...))
		}
		switch {
		case p.Index < 1 || p.Index > 255:
			bad("index must be between 1 and 255")
			continue
		case p.Index == cfg.NodeIndex:
			bad("index %d is this node's own index (node indexes are unique)", p.Index)
			continue
		case byIndex[p.Index]:
			bad("index %d is listed twice (node indexes are unique)", p.Index)
			continue
		}
		byIndex[p.Index] = true
		cidrs, err := cfg.NodeSubnets(p.Index)
		if err != nil {
			bad("%v; use a larger cluster range", err)
			continue
		}
		raw, err := config.ParseWireGuardKey(p.PublicKey)
		if err != nil {
			bad("public key %v", err)
			continue
		}
		key := wgtypes.Key(raw)
		if other, dup := byKey[key]; dup {
			bad("public key is also the key of peer %d; each node has its own key", other)
			continue
		}
		byKey[key] = p.Index
		ep, err := config.ParseEndpoint(p.Endpoint, cfg.Network.WireGuardPort)
		if err != nil {
			bad("%v", err)
			continue
		}
		for _, cl := range cfg.ClusterCIDRs {
			if cl.Contains(ep.Addr()) {
				bad("endpoint %s lies inside the cluster range %s; the underlay and the cluster range must not overlap", ep, cl)
			}
		}
		out = append(out, WireGuardPeer{Index: p.Index, PublicKey: key, Endpoint: ep, AllowedIPs: cidrs, Keepalive: keepalive})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b WireGuardPeer) int { return a.Index - b.Index })
	// Distinct indexes give distinct subnets, but check anyway: this is the
	// property routing depends on (seed 000).
	own, err := cfg.NodeSubnets(cfg.NodeIndex)
	if err != nil {
		return nil, fmt.Errorf("node index %d: %w", cfg.NodeIndex, err)
	}
	seen := []HostPrefix{}
	for _, p := range own {
		seen = append(seen, HostPrefix{Link: "this node", Prefix: p})
	}
	for _, p := range out {
		for _, c := range p.AllowedIPs {
			for _, s := range seen {
				if s.Prefix.Overlaps(c) {
					return nil, fmt.Errorf("peer %d: subnet %s overlaps %s of %s", p.Index, c, s.Prefix, s.Link)
				}
			}
			seen = append(seen, HostPrefix{Link: fmt.Sprintf("peer %d", p.Index), Prefix: c})
		}
	}
	return out, nil
}

// Desired computes the spec from the config, the validated peers and the
// host's facts. It is pure, and fails with a message that says how to fix
// the input before anything is changed.
func Desired(cfg *config.Config, peers []WireGuardPeer, f *Facts, publicKey wgtypes.Key) (*Spec, error) {
	v4, v6 := false, false
	for _, p := range cfg.ClusterCIDRs {
		v4 = v4 || p.Addr().Is4()
		v6 = v6 || p.Addr().Is6()
	}
	s := &Spec{
		NodeIndex:   cfg.NodeIndex,
		NodeName:    cfg.NodeName,
		IPFamily:    cfg.IPFamily,
		Underlay:    f.Underlay,
		UnderlayMTU: f.UnderlayMTU,
	}
	var err error
	if s.MTU, s.MTUSource, err = checkFacts(cfg, f); err != nil {
		return nil, err
	}

	own, err := cfg.NodeSubnets(cfg.NodeIndex)
	if err != nil {
		return nil, fmt.Errorf("node index %d: %w", cfg.NodeIndex, err)
	}
	// A pod subnet that overlaps a network the host already has would
	// capture that network's traffic (or lose its own).
	for _, hp := range f.HostPrefixes {
		check := func(who string, p netip.Prefix) error {
			if hp.Prefix.Overlaps(p) {
				return fmt.Errorf("%s subnet %s overlaps %s on %s: choose cluster ranges that do not overlap the host's networks", who, p, hp.Prefix, hp.Link)
			}
			return nil
		}
		for _, p := range own {
			if err := check("this node's", p); err != nil {
				return nil, err
			}
		}
		for _, pe := range peers {
			for _, p := range pe.AllowedIPs {
				if err := check(fmt.Sprintf("peer %d's", pe.Index), p); err != nil {
					return nil, err
				}
			}
		}
	}

	hostIPs := map[bool]netip.Addr{} // by Is4
	s.Bridge = LinkSpec{Name: BridgeName, Kind: "bridge", MTU: s.MTU}
	for _, p := range own {
		ip := p.Addr().Next()
		hostIPs[ip.Is4()] = ip
		s.Bridge.Addrs = append(s.Bridge.Addrs, netip.PrefixFrom(ip, p.Bits()))
	}
	if v6 {
		// The kernel generates no link-local address (addr_gen_mode 1), but
		// Linux sends neighbour solicitations for forwarded traffic only
		// from a link-local source: without one the host cannot resolve
		// its pods, and IPv6 from other nodes' pods never reaches them. So
		// brkube gets one fixed, well-known link-local address.
		s.Bridge.Addrs = append(s.Bridge.Addrs, BridgeLinkLocal)
	}
	// No generated link-local address, no router advertisements, no DAD (a
	// tentative address cannot be a route's source), as in seed 001. The
	// kernel gives a link whose MTU is below 1280 no IPv6 at all (no
	// /proc/sys/net/ipv6/conf/LINK), which only an IPv4-only node allows:
	// then there is nothing to turn off.
	linkNoIPv6 := f.NoIPv6 || s.MTU < minIPv6MTU
	s.Bridge.Sysctls = linkSysctls(BridgeName, true, linkNoIPv6)
	s.WireGuard = WireGuardSpec{
		LinkSpec:   LinkSpec{Name: WireGuardName, Kind: "wireguard", MTU: s.MTU, Sysctls: linkSysctls(WireGuardName, false, linkNoIPv6)},
		ListenPort: cfg.Network.WireGuardPort,
		PublicKey:  publicKey,
		KeyFile:    KeyFile(cfg),
		Peers:      peers,
		Mode:       ModeUserspace,
		ModeReason: f.WireGuardReason,
	}
	if f.KernelWireGuard {
		s.WireGuard.Mode = ModeKernel
	}
	// wgkube carries the host IPs too (as single addresses; brkube holds
	// the subnets). Masquerade picks the outgoing interface's address: kube-
	// proxy masquerades the host's own connections to a Service, and with
	// no address on wgkube they would leave with the underlay address,
	// which no peer's AllowedIPs accept (as flannel's WireGuard backend,
	// which addresses its device too).
	for _, ip := range []netip.Addr{hostIPs[true], hostIPs[false]} {
		if ip.IsValid() {
			s.WireGuard.Addrs = append(s.WireGuard.Addrs, netip.PrefixFrom(ip, ip.BitLen()))
		}
	}
	for _, pe := range peers {
		for _, p := range pe.AllowedIPs {
			s.Routes = append(s.Routes, Route{Dst: p, Src: hostIPs[p.Addr().Is4()], Dev: WireGuardName})
		}
	}
	// The service ranges, so that the host's own connections to a Service
	// leave from its host IP: kube-proxy rewrites the destination to a pod
	// after this route chose the source, and a pod on another node is
	// reachable over wgkube only from an address in this node's CIDR (the
	// peers' AllowedIPs). Packets to a service IP kube-proxy does not
	// rewrite match no peer and are dropped by wgkube.
	for _, p := range cfg.ServiceCIDRs {
		s.Routes = append(s.Routes, Route{Dst: p, Src: hostIPs[p.Addr().Is4()], Dev: WireGuardName})
	}
	if v4 {
		s.Sysctls = append(s.Sysctls, Sysctl{"net/ipv4/conf/all/forwarding", "1"})
	}
	if v6 {
		s.Sysctls = append(s.Sysctls, Sysctl{"net/ipv6/conf/all/forwarding", "1"})
		// With forwarding on, accept_ra=1 ignores router advertisements and
		// the host would lose its SLAAC default route; 2 keeps taking them.
		if f.UnderlayAcceptRA == "1" {
			s.Sysctls = append(s.Sysctls, Sysctl{"net/ipv6/conf/" + f.Underlay + "/accept_ra", "2"})
		}
	}
	s.Table = firewall(cfg, s, peers, hostIPs)
	return s, nil
}

// checkFacts checks the host facts that do not depend on the node's index
// or peers (so a worker can check them before it joins) and returns the
// MTU of wgkube, brkube and pods, and how it was chosen.
func checkFacts(cfg *config.Config, f *Facts) (int, string, error) {
	v6 := false
	for _, p := range cfg.ClusterCIDRs {
		v6 = v6 || p.Addr().Is6()
	}
	if v6 && f.NoIPv6 {
		return 0, "", fmt.Errorf("ipFamily %s needs IPv6, which this kernel has disabled (ipv6.disable=1): enable it, or set ipFamily: ipv4", cfg.IPFamily)
	}
	if f.Underlay == "" {
		return 0, "", errors.New("no underlay interface: set network.underlayInterface or --node-ip")
	}
	if f.Underlay == BridgeName || f.Underlay == WireGuardName {
		return 0, "", fmt.Errorf("underlay interface %s is one of kubenode's own links; set network.underlayInterface or --node-ip to the host's real network", f.Underlay)
	}
	if !f.KernelWireGuard && f.NoTUN {
		return 0, "", fmt.Errorf("WireGuard: %s, and there is no /dev/net/tun for the userspace device: load the tun module (modprobe tun) or the wireguard module", f.WireGuardReason)
	}
	fits := f.UnderlayMTU - wireGuardOverhead
	// IPv6 pods need the underlay to carry 1280 plus WireGuard's overhead;
	// network.mtu cannot help below that.
	tooSmallForIPv6 := fmt.Sprintf("raise the underlay MTU to at least %d, or set ipFamily: ipv4", minIPv6MTU+wireGuardOverhead)
	mtu, source := fits, fmt.Sprintf("underlay %s mtu %d - %d", f.Underlay, f.UnderlayMTU, wireGuardOverhead)
	if cfg.Network.MTU != 0 {
		mtu, source = cfg.Network.MTU, "network.mtu"
		if mtu > fits {
			fix := "lower network.mtu or leave it out"
			if v6 && fits < minIPv6MTU {
				fix = fmt.Sprintf("that is below IPv6's minimum of %d, so %s with network.mtu at most %d or left out", minIPv6MTU, tooSmallForIPv6, fits)
			}
			return 0, "", fmt.Errorf("network.mtu %d does not fit the underlay: %s has mtu %d and WireGuard takes %d of it, so at most %d; %s", mtu, f.Underlay, f.UnderlayMTU, wireGuardOverhead, fits, fix)
		}
	}
	if v6 && mtu < minIPv6MTU {
		return 0, "", fmt.Errorf("wgkube mtu would be %d (%s), below IPv6's minimum of %d: %s", mtu, source, minIPv6MTU, tooSmallForIPv6)
	}
	if mtu < 576 {
		return 0, "", fmt.Errorf("wgkube mtu would be %d (%s): too small; raise the underlay MTU or set network.mtu", mtu, source)
	}
	return mtu, source, nil
}

// linkSysctls keep IPv6 autoconfiguration off kubenode's links, even in an
// IPv4-only cluster (a pod's router advertisement must not reach the host),
// unless the links have no IPv6 at all.
func linkSysctls(link string, noDAD, noIPv6 bool) []Sysctl {
	if noIPv6 {
		return nil
	}
	out := []Sysctl{
		{"net/ipv6/conf/" + link + "/addr_gen_mode", "1"},
		{"net/ipv6/conf/" + link + "/accept_ra", "0"},
	}
	if noDAD {
		out = append(out, Sysctl{"net/ipv6/conf/" + link + "/accept_dad", "0"})
	}
	return out
}
