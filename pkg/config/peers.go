package config

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
)

// WireGuardKeyLen is the length of a WireGuard (Curve25519) key in bytes.
const WireGuardKeyLen = 32

// ParseWireGuardKey decodes a key as wg(8) prints it: 44 characters of
// standard base64.
func ParseWireGuardKey(s string) ([WireGuardKeyLen]byte, error) {
	var k [WireGuardKeyLen]byte
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != WireGuardKeyLen {
		return k, fmt.Errorf("%q is not a WireGuard key (44 characters of base64, as printed by \"kubenode network pubkey\" or \"wg pubkey\")", s)
	}
	copy(k[:], b)
	return k, nil
}

// ParseEndpoint parses a peer's underlay endpoint: IP:PORT, [IPv6]:PORT, or
// a bare IP that takes defaultPort. Names are not accepted: the network
// phase runs before DNS is up and must not depend on it.
func ParseEndpoint(s string, defaultPort int) (netip.AddrPort, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return netip.AddrPortFrom(a.Unmap(), uint16(defaultPort)), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 || ap.Addr().Zone() != "" {
		return netip.AddrPort{}, fmt.Errorf("endpoint %q: not IP:PORT (examples: 192.168.1.11:%d, [2001:db8::11]:%d)", s, defaultPort, defaultPort)
	}
	a := ap.Addr().Unmap()
	if a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() {
		return netip.AddrPort{}, fmt.Errorf("endpoint %q: must be a unicast address of the peer's underlay", s)
	}
	return netip.AddrPortFrom(a, ap.Port()), nil
}

// NodeSubnets returns the pod subnets of node index i, v4 first, or an
// error when i does not fit in the cluster ranges (NodeCIDRs assumes it
// does).
func (c *Config) NodeSubnets(i int) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, cl := range c.ClusterCIDRs {
		p, err := c.nodeSubnet(cl, i)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// validatePeers checks the static peers' keys and endpoints and that every
// index, ours included, has a subnet in the cluster ranges.
func (c *Config) validatePeers() []error {
	var errs []error
	if _, err := c.NodeSubnets(c.NodeIndex); err != nil {
		errs = append(errs, fmt.Errorf("nodeIndex %d: %w; use a larger cluster range or a smaller index", c.NodeIndex, err))
	}
	keys := map[[WireGuardKeyLen]byte]int{}
	for n, p := range c.Network.Peers {
		field := "network.peers[" + strconv.Itoa(n) + "] (index " + strconv.Itoa(p.Index) + ")"
		if _, err := c.NodeSubnets(p.Index); err != nil && p.Index >= 1 && p.Index <= 255 {
			errs = append(errs, fmt.Errorf("%s: %w; use a larger cluster range or a smaller index", field, err))
		}
		if k, err := ParseWireGuardKey(p.PublicKey); err != nil {
			errs = append(errs, fmt.Errorf("%s: publicKey %w", field, err))
		} else if other, dup := keys[k]; dup {
			errs = append(errs, fmt.Errorf("%s: publicKey is also the key of index %d; each node has its own key", field, other))
		} else {
			keys[k] = p.Index
		}
		ep, err := ParseEndpoint(p.Endpoint, c.Network.WireGuardPort)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", field, err))
			continue
		}
		for _, cl := range c.ClusterCIDRs {
			if cl.Contains(ep.Addr()) {
				errs = append(errs, fmt.Errorf("%s: endpoint %s lies inside the cluster range %s; the underlay and the cluster range must not overlap", field, ep, cl))
			}
		}
	}
	return errs
}

// validateOverlap rejects node IPs inside the cluster ranges: pod routes
// would then capture the underlay's own traffic.
func (c *Config) validateOverlap() []error {
	var errs []error
	for _, a := range c.NodeIPs {
		for _, cl := range c.ClusterCIDRs {
			if cl.Contains(a) {
				errs = append(errs, fmt.Errorf("node IP %s lies inside the cluster range %s; choose a clusterCIDR that does not overlap the underlay network", a, cl))
			}
		}
	}
	return errs
}
