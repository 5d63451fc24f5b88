package netsetup

import (
	"context"
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/kubenode/kubenode/pkg/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Fixed keys keep the golden plans stable; they protect nothing.
const (
	priv1 = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
	priv2 = "OOr0GwT4Tn3/6iRdeDG/0RFIlYpaApZsuwbxDVSRJFs="
	priv3 = "kKbmOfqEHflv8kIvaQD2sG6QyKGnaGF6o0XgPBPzQlU="
	priv4 = "mN4C6RaVHGP9vwn0M7Ca1kF6xyd/6CBG+dM5WuF04Uo="
)

func pub(t testing.TB, priv string) string {
	t.Helper()
	k, err := wgtypes.ParseKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey().String()
}

type cfgHost struct{ addrs []netip.Addr }

func (h cfgHost) Addrs() ([]netip.Addr, error)               { return h.addrs, nil }
func (h cfgHost) DefaultRouteSources() ([]netip.Addr, error) { return h.addrs, nil }

// node resolves a config for node index on the 192.168.77.0/24 underlay,
// with its data and run dirs in a temporary directory, and writes the
// fixed private key of that node when priv is set.
func node(t testing.TB, yaml string, priv string) *config.Config {
	t.Helper()
	root := t.TempDir()
	f, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	f.DataDir, f.RunDir = filepath.Join(root, "data"), filepath.Join(root, "run")
	cfg, err := f.Resolve(cfgHost{addrs: []netip.Addr{netip.MustParseAddr("192.168.77.1"), netip.MustParseAddr("fd77::1")}})
	if err != nil {
		t.Fatal(err)
	}
	if priv != "" {
		if err := os.MkdirAll(filepath.Dir(KeyFile(cfg)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(KeyFile(cfg), []byte(priv+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

func lanFacts() Facts {
	return Facts{
		Underlay:        "eth0",
		UnderlayMTU:     1500,
		WireGuardReason: "kernel 6.1.0 has no wireguard module",
		HostPrefixes: []HostPrefix{
			{Link: "eth0", Prefix: netip.MustParsePrefix("192.168.77.0/24")},
			{Link: "eth0", Prefix: netip.MustParsePrefix("fd77::/64")},
		},
	}
}

func peers23(t *testing.T) []Peer {
	return []Peer{
		{Index: 3, PublicKey: pub(t, priv3), Endpoint: "192.168.77.3"},
		{Index: 2, PublicKey: pub(t, priv2), Endpoint: "192.168.77.2:51820"},
	}
}

func newNet(t testing.TB, cfg *config.Config, peers []Peer, h Host) *Network {
	t.Helper()
	n, err := New(cfg, peers, logr.Discard(), WithHost(h))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, d)
	}
}

func TestPlanGolden(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, yaml string
		facts      func() Facts
	}{
		{"dual-node1", "nodeIndex: 1\n", lanFacts},
		{"ipv6-node1", "nodeIndex: 1\nipFamily: ipv6\n", lanFacts},
		{"ipv4-node1-mtu1200", "nodeIndex: 1\nipFamily: ipv4\n", func() Facts {
			f := lanFacts()
			f.UnderlayMTU = 1200
			return f
		}},
		{"dual-node1-kernel", "nodeIndex: 1\n", func() Facts {
			f := lanFacts()
			f.KernelWireGuard, f.WireGuardReason = true, "kernel module wireguard is available"
			return f
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := node(t, tc.yaml, priv1)
			n := newNet(t, cfg, peers23(t), NewFakeHost(tc.facts()))
			p, err := n.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".plan", p.String())
		})
	}
}

// The firewall of a node other than the primary lets kubelet's port in
// only from the primary's addresses.
func TestFirewallOfWorker(t *testing.T) {
	cfg := node(t, "nodeIndex: 2\n", priv2)
	peers := []Peer{{Index: 1, PublicKey: pub(t, priv1), Endpoint: "192.168.77.1"}, {Index: 3, PublicKey: pub(t, priv3), Endpoint: "192.168.77.3"}}
	n := newNet(t, cfg, peers, NewFakeHost(lanFacts()))
	p, err := n.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "dual-node2.nft", p.Spec.Table.String())
}

func TestPlanWithoutKeyChangesNothing(t *testing.T) {
	cfg := node(t, "nodeIndex: 1\n", "")
	h := NewFakeHost(lanFacts())
	p, err := newNet(t, cfg, peers23(t), h).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.String(), "public key (generated at first apply into "+KeyFile(cfg)+")") {
		t.Errorf("plan does not say the key will be generated:\n%s", p)
	}
	if _, err := os.Stat(KeyFile(cfg)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("plan wrote the key file: %v", err)
	}
	if len(h.Calls) > 0 {
		t.Errorf("plan changed the host: %q", h.Calls)
	}
}

func TestApplyTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\n", "")
	h := NewFakeHost(lanFacts())
	n := newNet(t, cfg, peers23(t), h)
	p, err := n.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Empty() {
		t.Fatal("first apply changed nothing")
	}
	info, err := os.Stat(KeyFile(cfg))
	if err != nil {
		t.Fatalf("key not generated: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v, want 0600", info.Mode().Perm())
	}
	calls := len(h.Calls)
	p, err = n.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() || len(h.Calls) != calls {
		t.Fatalf("second apply changed %q:\n%s", h.Calls[calls:], p)
	}
	if n.MTU() != 1420 {
		t.Errorf("MTU %d, want 1420", n.MTU())
	}
	if !n.Holding() {
		t.Error("userspace device not held")
	}

	got := map[string]any{
		"routes":  h.Routes,
		"brkube":  h.Links[BridgeName].Addrs,
		"sysctls": h.Sysctls,
		"peers":   len(h.WireGuard.Peers),
		"key":     h.WireGuard.PublicKey.String(),
	}
	k, _ := loadKey(KeyFile(cfg))
	want := map[string]any{
		"routes": []Route{
			{netip.MustParsePrefix("10.88.2.0/24"), netip.MustParseAddr("10.88.1.1"), WireGuardName},
			{netip.MustParsePrefix("fd88:2::/32"), netip.MustParseAddr("fd88:1::1"), WireGuardName},
			{netip.MustParsePrefix("10.88.3.0/24"), netip.MustParseAddr("10.88.1.1"), WireGuardName},
			{netip.MustParsePrefix("fd88:3::/32"), netip.MustParseAddr("fd88:1::1"), WireGuardName},
			{netip.MustParsePrefix("10.88.0.0/24"), netip.MustParseAddr("10.88.1.1"), WireGuardName},
			{netip.MustParsePrefix("fd88::/112"), netip.MustParseAddr("fd88:1::1"), WireGuardName},
		},
		"brkube": []netip.Prefix{netip.MustParsePrefix("10.88.1.1/24"), netip.MustParsePrefix("fd88:1::1/32"), BridgeLinkLocal},
		"sysctls": map[string]string{
			"net/ipv4/conf/all/forwarding":       "1",
			"net/ipv6/conf/all/forwarding":       "1",
			"net/ipv6/conf/eth0/accept_ra":       "2",
			"net/ipv6/conf/brkube/addr_gen_mode": "1",
			"net/ipv6/conf/brkube/accept_ra":     "0",
			"net/ipv6/conf/brkube/accept_dad":    "0",
			"net/ipv6/conf/wgkube/addr_gen_mode": "1",
			"net/ipv6/conf/wgkube/accept_ra":     "0",
			"net/ipv6/conf/wgkube/accept_dad":    "1",
		},
		"peers": 2,
		"key":   k.PublicKey().String(),
	}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("host after apply (-want +got):\n%s", d)
	}
}

// On an underlay whose MTU leaves wgkube below IPv6's minimum of 1280 the
// kernel gives kubenode's links no IPv6 at all, so an IPv4-only plan there
// holds no IPv6 item: no sysctl under net/ipv6, no IPv6 address or route.
func TestIPv4OnlySmallMTUHasNoIPv6(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\nipFamily: ipv4\n", "")
	f := lanFacts()
	f.UnderlayMTU = 1200
	h := NewFakeHost(f)
	n := newNet(t, cfg, peers23(t), h)
	p, err := n.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range sysctlKeys(p.Spec) {
		if strings.HasPrefix(k, "net/ipv6/") {
			t.Errorf("IPv4-only plan sets %s", sysctlName(k))
		}
	}
	for _, c := range p.Changes {
		switch c := c.(type) {
		case *sysctlChange:
			if strings.HasPrefix(c.Key, "net/ipv6/") {
				t.Errorf("IPv4-only plan changes %s", c)
			}
		case *addrChange:
			if c.Prefix.Addr().Is6() {
				t.Errorf("IPv4-only plan changes %s", c)
			}
		case *routeChange:
			if c.Route.Dst.Addr().Is6() {
				t.Errorf("IPv4-only plan changes %s", c)
			}
		}
	}
	for _, call := range h.Calls {
		if strings.Contains(call, "ipv6") || strings.Contains(call, "fe80:") || strings.Contains(call, "fd88:") {
			t.Errorf("apply touched IPv6: %s", call)
		}
	}
	if n.MTU() != 1120 || h.Links[BridgeName].MTU != 1120 || h.Links[WireGuardName].MTU != 1120 {
		t.Errorf("mtu %d, brkube %d, wgkube %d, want 1120 (1200 - 80)", n.MTU(), h.Links[BridgeName].MTU, h.Links[WireGuardName].MTU)
	}
	calls := len(h.Calls)
	if p, err = n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if !p.Empty() || len(h.Calls) != calls {
		t.Fatalf("second apply changed %q:\n%s", h.Calls[calls:], p)
	}
}

// A change that fails undoes the earlier ones: the host is as it was.
func TestFailedApplyUndoes(t *testing.T) {
	for _, failOn := range []string{"create bridge", "sysctl net/ipv6/conf/brkube", "create wireguard", "configure wireguard", "add route 10.88.3.0/24", "sync table"} {
		t.Run(failOn, func(t *testing.T) {
			ctx := context.Background()
			cfg := node(t, "nodeIndex: 1\n", priv1)
			h := NewFakeHost(lanFacts())
			before := snapshot(t, h)
			h.FailOn = failOn
			_, err := newNet(t, cfg, peers23(t), h).Sync(ctx)
			if err == nil || !strings.Contains(err.Error(), "injected failure") || !strings.Contains(err.Error(), "earlier changes were undone") {
				t.Fatalf("error %v, want the injected failure, undone", err)
			}
			if d := cmp.Diff(before, snapshot(t, h)); d != "" {
				t.Errorf("host after a failed apply (-before +after):\n%s", d)
			}
		})
	}
}

func snapshot(t *testing.T, h *FakeHost) string {
	t.Helper()
	st, err := h.Observe(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, name := range []string{BridgeName, WireGuardName} {
		if l := st.Links[name]; l != nil {
			b.WriteString(name + " " + l.Kind + " " + joinPrefixes(l.Addrs) + "\n")
		}
	}
	for _, r := range h.Routes {
		b.WriteString("route " + r.String() + "\n")
	}
	for _, k := range sortedKeys(h.Sysctls) {
		b.WriteString("sysctl " + k + "=" + h.Sysctls[k] + "\n")
	}
	b.WriteString(h.NFT.Dump())
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestSetPeersChangesOnlyWhatDiffers(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\n", priv1)
	h := NewFakeHost(lanFacts())
	n := newNet(t, cfg, peers23(t), h)
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// Peer 2 moves, peer 3 leaves, peer 4 joins.
	if err := n.SetPeers(ctx, []Peer{
		{Index: 2, PublicKey: pub(t, priv2), Endpoint: "192.168.77.20"},
		{Index: 4, PublicKey: pub(t, priv4), Endpoint: "192.168.77.4"},
	}); err != nil {
		t.Fatal(err)
	}
	p, err := n.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() {
		t.Fatalf("not converged:\n%s", p)
	}
	// Replay to see the plan SetPeers carried out.
	h2 := NewFakeHost(lanFacts())
	n2 := newNet(t, cfg, peers23(t), h2)
	if _, err := n2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	n2.peers, _ = validatePeers(cfg, []Peer{
		{Index: 2, PublicKey: pub(t, priv2), Endpoint: "192.168.77.20"},
		{Index: 4, PublicKey: pub(t, priv4), Endpoint: "192.168.77.4"},
	})
	p, err = n2.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "set-peers.plan", p.String())

	// Bad peers leave the previous list in force.
	if err := n.SetPeers(ctx, []Peer{{Index: 2, PublicKey: "nope", Endpoint: "192.168.77.2"}}); err == nil {
		t.Fatal("SetPeers accepted a bad key")
	}
	if p, _ := n.Plan(ctx); !p.Empty() {
		t.Fatalf("a rejected peer list changed the plan:\n%s", p)
	}
}

// A peer that roamed (recent handshake from another address) keeps the
// endpoint WireGuard learnt.
func TestRoamedPeerIsLeftAlone(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\n", priv1)
	h := NewFakeHost(lanFacts())
	n := newNet(t, cfg, peers23(t), h)
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.WireGuard.Peers[0].Endpoint = netip.MustParseAddrPort("203.0.113.9:40000")
	h.WireGuard.Peers[0].LastHandshake = h.Now.Add(-time.Minute)
	if p, _ := n.Plan(ctx); !p.Empty() {
		t.Fatalf("plan pulls a roamed peer back:\n%s", p)
	}
	h.WireGuard.Peers[0].LastHandshake = h.Now.Add(-time.Hour)
	p, _ := n.Plan(ctx)
	if len(p.Changes) != 1 || !strings.Contains(p.Changes[0].String(), "endpoint 203.0.113.9:40000 -> 192.168.77.") {
		t.Fatalf("plan does not restore a stale endpoint:\n%s", p)
	}
}

func TestResetRemovesOnlyWhatKubenodeMade(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\n", "")
	h := NewFakeHost(lanFacts())
	h.Sysctls["net/ipv4/conf/all/forwarding"] = "1" // the host forwarded already
	before := snapshot(t, h)
	n := newNet(t, cfg, peers23(t), h)
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := Reset(ctx, cfg, logr.Discard(), ResetOptions{Host: h}); err == nil || !strings.Contains(err.Error(), "held by process 1") {
		t.Fatalf("reset while a process holds wgkube: %v, want a refusal", err)
	}
	if err := n.Release(); err != nil {
		t.Fatal(err)
	}
	done, err := Reset(ctx, cfg, logr.Discard(), ResetOptions{Host: h})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, snapshot(t, h)); d != "" {
		t.Errorf("host after reset (-before +after):\n%s", d)
	}
	want := []string{
		"removed nftables table inet kubenode",
		"removed link brkube (bridge) with its addresses and routes",
		"restored sysctl net.ipv6.conf.all.forwarding = 0",
		"restored sysctl net.ipv6.conf.eth0.accept_ra = 1",
		"removed " + filepath.Join(cfg.RunDir, "network", "state.json"),
		"removed " + filepath.Join(cfg.RunDir, "network"),
		"removed " + KeyFile(cfg),
		"removed " + filepath.Dir(KeyFile(cfg)),
	}
	if d := cmp.Diff(want, done); d != "" {
		t.Errorf("reset report (-want +got):\n%s", d)
	}
	// Nothing left: a second reset does nothing.
	if done, err := Reset(ctx, cfg, logr.Discard(), ResetOptions{Host: h}); err != nil || len(done) != 0 {
		t.Errorf("second reset: %q, %v", done, err)
	}
}

func TestForeignLinkIsNeverTouched(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\n", priv1)
	h := NewFakeHost(lanFacts())
	h.Links[BridgeName] = &LinkState{Name: BridgeName, Kind: "dummy", MTU: 1500}
	_, err := newNet(t, cfg, peers23(t), h).Sync(ctx)
	if err == nil || !strings.Contains(err.Error(), "link brkube exists but is a dummy, not a bridge") {
		t.Fatalf("error %v, want a refusal to use a foreign brkube", err)
	}
	done, err := Reset(ctx, cfg, logr.Discard(), ResetOptions{Host: h, KeepKey: true})
	if err != nil {
		t.Fatal(err)
	}
	if h.Links[BridgeName] == nil || len(done) != 1 || !strings.Contains(done[0], "left link brkube alone") {
		t.Fatalf("reset touched a foreign link: %q", done)
	}
}

// Bad input fails before the host is touched: no call, no key file.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, yaml string
		peers      func(t *testing.T) []Peer
		facts      func(f *Facts)
		want       string
	}{
		{name: "bad key", peers: func(t *testing.T) []Peer {
			return []Peer{{Index: 2, PublicKey: "AAAA", Endpoint: "192.168.77.2"}}
		}, want: `peer 2: public key "AAAA" is not a WireGuard key`},
		{name: "own index", peers: func(t *testing.T) []Peer {
			return []Peer{{Index: 1, PublicKey: pub(t, priv2), Endpoint: "192.168.77.2"}}
		}, want: "peer 1: index 1 is this node's own index"},
		{name: "duplicate index", peers: func(t *testing.T) []Peer {
			return []Peer{{Index: 2, PublicKey: pub(t, priv2), Endpoint: "192.168.77.2"}, {Index: 2, PublicKey: pub(t, priv3), Endpoint: "192.168.77.3"}}
		}, want: "peer 2: index 2 is listed twice"},
		{name: "duplicate key", peers: func(t *testing.T) []Peer {
			return []Peer{{Index: 2, PublicKey: pub(t, priv2), Endpoint: "192.168.77.2"}, {Index: 3, PublicKey: pub(t, priv2), Endpoint: "192.168.77.3"}}
		}, want: "peer 3: public key is also the key of peer 2"},
		{name: "own key", peers: func(t *testing.T) []Peer {
			return []Peer{{Index: 2, PublicKey: pub(t, priv1), Endpoint: "192.168.77.2"}}
		}, want: "peer 2 has this node's own public key"},
		{name: "bad endpoint", peers: func(t *testing.T) []Peer {
			return []Peer{{Index: 2, PublicKey: pub(t, priv2), Endpoint: "192.168.77:51820"}}
		}, want: `peer 2: endpoint "192.168.77:51820": not IP:PORT`},
		{name: "endpoint in cluster range", peers: func(t *testing.T) []Peer {
			return []Peer{{Index: 2, PublicKey: pub(t, priv2), Endpoint: "10.88.9.9"}}
		}, want: "endpoint 10.88.9.9:51820 lies inside the cluster range 10.88.0.0/16"},
		{name: "index out of range", peers: func(t *testing.T) []Peer {
			return []Peer{{Index: 256, PublicKey: pub(t, priv2), Endpoint: "192.168.77.2"}}
		}, want: "peer 256: index must be between 1 and 255"},
		{name: "underlay mtu too small for ipv6", facts: func(f *Facts) { f.UnderlayMTU = 1340 },
			want: "wgkube mtu would be 1260 (underlay eth0 mtu 1340 - 80), below IPv6's minimum of 1280: raise the underlay MTU to at least 1360, or set ipFamily: ipv4"},
		{name: "mtu that fits an underlay too small for ipv6", yaml: "network:\n  mtu: 1280\n", facts: func(f *Facts) { f.UnderlayMTU = 1280 },
			want: "network.mtu 1280 does not fit the underlay: eth0 has mtu 1280 and WireGuard takes 80 of it, so at most 1200; that is below IPv6's minimum of 1280, so raise the underlay MTU to at least 1360, or set ipFamily: ipv4 with network.mtu at most 1200 or left out"},
		{name: "mtu too large for an ipv4-only node", yaml: "ipFamily: ipv4\nnetwork:\n  mtu: 1280\n", facts: func(f *Facts) { f.UnderlayMTU = 1280 },
			want: "network.mtu 1280 does not fit the underlay: eth0 has mtu 1280 and WireGuard takes 80 of it, so at most 1200; lower network.mtu or leave it out"},
		{name: "the smallest underlay for ipv6 pods", facts: func(f *Facts) { f.UnderlayMTU = 1360 }},
		{name: "mtu larger than the underlay allows", yaml: "network:\n  mtu: 1500\n",
			want: "network.mtu 1500 does not fit the underlay: eth0 has mtu 1500 and WireGuard takes 80 of it, so at most 1420; lower network.mtu or leave it out"},
		{name: "no kernel WireGuard and no TUN", facts: func(f *Facts) {
			f.KernelWireGuard, f.WireGuardReason, f.NoTUN = false, "kernel 6.1 has no wireguard module", true
		},
			want: "WireGuard: kernel 6.1 has no wireguard module, and there is no /dev/net/tun"},
		{name: "kernel WireGuard needs no TUN", facts: func(f *Facts) { f.KernelWireGuard, f.NoTUN = true, true }},
		{name: "small mtu fine for ipv4 only", yaml: "ipFamily: ipv4\n", facts: func(f *Facts) { f.UnderlayMTU = 1340 }},
		{name: "pod subnet overlaps a host network", facts: func(f *Facts) {
			f.HostPrefixes = append(f.HostPrefixes, HostPrefix{Link: "eth1", Prefix: netip.MustParsePrefix("10.88.3.0/24")})
		}, want: "peer 3's subnet 10.88.3.0/24 overlaps 10.88.3.0/24 on eth1"},
		{name: "own subnet overlaps a host network", facts: func(f *Facts) {
			f.HostPrefixes = append(f.HostPrefixes, HostPrefix{Link: "docker0", Prefix: netip.MustParsePrefix("10.0.0.0/8")})
		}, want: "this node's subnet 10.88.1.0/24 overlaps 10.0.0.0/8 on docker0"},
		{name: "underlay is brkube", facts: func(f *Facts) { f.Underlay = BridgeName }, want: "one of kubenode's own links"},
		{name: "kernel without IPv6", facts: func(f *Facts) { f.NoIPv6 = true }, want: "ipFamily dual needs IPv6, which this kernel has disabled"},
		{name: "ipv4 only on a kernel without IPv6", yaml: "ipFamily: ipv4\n", facts: func(f *Facts) { f.NoIPv6 = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := node(t, "nodeIndex: 1\n"+tc.yaml, "")
			if tc.name == "own key" {
				cfg = node(t, "nodeIndex: 1\n", priv1)
			}
			f := lanFacts()
			if tc.facts != nil {
				tc.facts(&f)
			}
			h := NewFakeHost(f)
			peers := peers23(t)
			if tc.peers != nil {
				peers = tc.peers(t)
			}
			_, hadKey := os.Stat(KeyFile(cfg))
			n, err := New(cfg, peers, logr.Discard(), WithHost(h))
			if err == nil {
				_, err = n.Sync(ctx)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if len(h.Calls) > 0 {
				t.Errorf("bad input changed the host: %q", h.Calls)
			}
			if _, err := os.Stat(KeyFile(cfg)); hadKey != nil && err == nil {
				t.Error("bad input wrote the key file")
			}
		})
	}
}

func TestEndpointDefaultPortAndIPv6(t *testing.T) {
	cfg := node(t, "nodeIndex: 1\n", priv1)
	v, err := validatePeers(cfg, []Peer{
		{Index: 2, PublicKey: pub(t, priv2), Endpoint: "fd77::2"},
		{Index: 3, PublicKey: pub(t, priv3), Endpoint: "[fd77::3]:4000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{v[0].Endpoint.String(), v[1].Endpoint.String(), joinPrefixes(v[0].AllowedIPs)}
	if d := cmp.Diff([]string{"[fd77::2]:51820", "[fd77::3]:4000", "10.88.2.0/24, fd88:2::/32"}, got); d != "" {
		t.Error(d)
	}
}

func TestShow(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\n", priv1)
	h := NewFakeHost(lanFacts())
	n := newNet(t, cfg, peers23(t), h)
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	h.Links[BridgeName].Carrier = false
	h.WireGuard.Peers[0].LastHandshake = h.Now.Add(-12 * time.Second)
	h.WireGuard.Peers[0].ReceiveBytes, h.WireGuard.Peers[0].TransmitBytes = 92, 3*1024*1024/2
	s, err := n.Show(ctx)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "show.txt", s.String())
}
