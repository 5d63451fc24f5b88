package e2e

import (
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	podMTU        = 1420 // underlay 1500 - 80
	applyTimeout  = time.Minute
	holdingNotice = "holding wgkube in the foreground"
)

// meshNode is a host running the network phase with static peers.
type meshNode struct {
	*host
	index  int
	pubkey string
	apply  *process
}

// endpoint is the node's WireGuard endpoint as a peer's config lists it.
func (m *meshNode) endpoint() string {
	if m.addr4 != "" {
		return m.addr4
	}
	return "[" + m.addr6 + "]:51820"
}

// newMesh makes one host per index on a LAN, generates each node's key
// with `kubenode network pubkey`, and writes configs that list every other
// node as a static peer. family is "" (dual) or "ipv6".
func newMesh(t *testing.T, family string, indexes ...int) (*lan, []*meshNode) {
	t.Helper()
	return newMeshWith(t, family, hostOptions{noIPv4: family == "ipv6"}, indexes...)
}

// newMeshWith is newMesh on hosts with the given underlay.
func newMeshWith(t *testing.T, family string, o hostOptions, indexes ...int) (*lan, []*meshNode) {
	t.Helper()
	kubenodeBin(t)
	l := newLAN(t)
	var nodes []*meshNode
	for _, i := range indexes {
		h := l.addHostWith(i, o)
		m := &meshNode{host: h, index: i}
		out, err := h.run(append([]string{"network", "pubkey"}, h.nodeArgs()...)...)
		if err != nil {
			t.Fatalf("network pubkey on %s: %v\n%s", h.name, err, out)
		}
		m.pubkey = strings.TrimSpace(lastLine(out))
		nodes = append(nodes, m)
	}
	for _, m := range nodes {
		cfg := fmt.Sprintf("nodeIndex: %d\n", m.index)
		if family != "" {
			cfg += "ipFamily: " + family + "\n"
		}
		cfg += "network:\n  peers:\n"
		for _, p := range nodes {
			if p != m {
				cfg += fmt.Sprintf("  - {index: %d, publicKey: %q, endpoint: %q}\n", p.index, p.pubkey, p.endpoint())
			}
		}
		m.writeConfig(cfg)
	}
	return l, nodes
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// startApply runs `kubenode network apply`, which creates a userspace
// wgkube here (no kernel module) and so stays in the foreground holding it.
func (m *meshNode) startApply(t *testing.T) {
	t.Helper()
	m.apply = m.start(append([]string{"network", "apply"}, m.nodeArgs()...)...)
	m.apply.waitLog(holdingNotice, applyTimeout)
}

func (m *meshNode) network(args ...string) (string, error) {
	return m.run(append(append([]string{"network"}, args...), m.nodeArgs()...)...)
}

func (m *meshNode) mustNetwork(t *testing.T, args ...string) string {
	t.Helper()
	out, err := m.network(args...)
	if err != nil {
		t.Fatalf("kubenode network %s on %s: %v\n%s", strings.Join(args, " "), m.name, err, out)
	}
	return out
}

func (m *meshNode) reset(args ...string) (string, error) {
	return m.run(append(append([]string{"reset"}, args...), m.nodeArgs()...)...)
}

// underlayOnlyWireGuard checks a capture of an underlay: every IP packet
// is WireGuard (UDP 51820 on both ends) or neighbour discovery and
// multicast-listener chatter of the underlay itself; no pod or host IP of
// the cluster ranges appears in clear.
func underlayOnlyWireGuard(t *testing.T, lines []string) {
	t.Helper()
	wg := regexp.MustCompile(`^\S+ IP6? \S+\.51820 > \S+\.51820: UDP`)
	control := regexp.MustCompile(`ICMP6, (neighbor (solicitation|advertisement)|router (solicitation|advertisement)|multicast listener)|^\S+ ARP, `)
	n := 0
	for _, l := range lines {
		switch {
		case strings.Contains(l, "10.88.") || strings.Contains(l, "fd88:"):
			t.Errorf("cluster address in clear on the underlay: %s", l)
		case wg.MatchString(l):
			n++
		case control.MatchString(l):
		default:
			t.Errorf("not WireGuard on the underlay: %s", l)
		}
	}
	if n == 0 {
		t.Errorf("no WireGuard packets captured on the underlay:\n%s", strings.Join(lines, "\n"))
	}
}

// TestNetworkTwoHosts is the reference setup: two dual-stack hosts with
// static peers. Pods on each reach each other over wgkube, the underlay
// carries only WireGuard, masquerade applies to traffic leaving the
// cluster range only, a second apply changes nothing, and reset leaves the
// namespaces as they were, foreign objects included.
func TestNetworkTwoHosts(t *testing.T) {
	lan, nodes := newMesh(t, "", 1, 2)
	n1, n2 := nodes[0], nodes[1]

	// Objects of someone else's that apply and reset must leave alone.
	n1.mustExec("nft", "add table inet other; add chain inet other input { type filter hook input priority 10; policy accept; }; add rule inet other input tcp dport 9999 counter accept")
	n1.mustExec("ip", "link", "add", "other0", "type", "veth", "peer", "name", "other1")
	n1.mustExec("ip", "addr", "add", "172.31.9.1/24", "dev", "other0")
	n1.mustExec("ip", "link", "set", "other0", "up")
	before := map[*meshNode]string{n1: netSnapshot(t, n1.ns), n2: netSnapshot(t, n2.ns)}

	t.Run("plan changes nothing", func(t *testing.T) {
		out := n1.mustNetwork(t, "plan")
		for _, want := range []string{"+ link brkube: bridge, mtu 1420", "+ link wgkube: wireguard userspace", "+ route 10.88.2.0/24 dev wgkube src 10.88.1.1", "+ route fd88:2::/32 dev wgkube src fd88:1::1", "+ nftables: create table inet kubenode"} {
			if !strings.Contains(out, want) {
				t.Errorf("plan lacks %q:\n%s", want, out)
			}
		}
		if d := cmp.Diff(before[n1], netSnapshot(t, n1.ns)); d != "" {
			t.Errorf("plan changed the host (-before +after):\n%s", d)
		}
	})

	started := time.Now()
	for _, m := range nodes {
		m.startApply(t)
	}
	t.Logf("cold apply of two nodes: %s", time.Since(started).Round(time.Millisecond))
	if !strings.Contains(n1.apply.output(), "applied") {
		t.Errorf("apply output:\n%s", n1.apply.output())
	}
	applied := netSnapshot(t, n1.ns)

	t.Run("second apply changes nothing", func(t *testing.T) {
		out := n1.mustNetwork(t, "apply")
		if !strings.Contains(out, "no changes") || strings.Contains(out, holdingNotice) {
			t.Errorf("second apply:\n%s", out)
		}
		if d := cmp.Diff(applied, netSnapshot(t, n1.ns)); d != "" {
			t.Errorf("second apply changed the host (-first +second):\n%s", d)
		}
	})

	t.Run("brkube and routes", func(t *testing.T) {
		out := n1.mustExec("ip", "-d", "addr", "show", "dev", "brkube") + n1.mustExec("ip", "-d", "link", "show", "dev", "brkube")
		for _, want := range []string{"mtu 1420", "inet 10.88.1.1/24", "inet6 fd88:1::1/32", "inet6 fe80::1/64", "addrgenmode none"} {
			if !strings.Contains(out, want) {
				t.Errorf("brkube lacks %q:\n%s", want, out)
			}
		}
		if strings.Count(out, "inet6 ") != 2 {
			t.Errorf("brkube has link-local addresses other than fe80::1:\n%s", out)
		}
		for key, want := range map[string]string{"net.ipv6.conf.brkube.accept_ra": "0", "net.ipv6.conf.brkube.accept_dad": "0", "net.ipv4.conf.all.forwarding": "1", "net.ipv6.conf.all.forwarding": "1"} {
			if got := strings.TrimSpace(n1.mustExec("sysctl", "-n", key)); got != want {
				t.Errorf("%s = %s, want %s", key, got, want)
			}
		}
		// Exactly the peer's subnets and the service ranges via wgkube,
		// each with the host IP as source: nothing broader (seed 000); the
		// kernel's route for wgkube's own IPv6 host address.
		got := n1.mustExec("ip", "route", "show", "dev", "wgkube") + n1.mustExec("ip", "-6", "route", "show", "dev", "wgkube")
		want := "10.88.0.0/24 proto static scope link src 10.88.1.1 \n10.88.2.0/24 proto static scope link src 10.88.1.1 \n" +
			"fd88::/112 proto static src fd88:1::1 metric 1024 pref medium\nfd88:1::1 proto kernel metric 256 pref medium\n" +
			"fd88:2::/32 proto static src fd88:1::1 metric 1024 pref medium\n"
		if got != want {
			t.Errorf("routes via wgkube:\n%s\nwant:\n%s", got, want)
		}
		if mtu := n1.mustExec("cat", "/proc/sys/net/ipv6/conf/wgkube/mtu"); strings.TrimSpace(mtu) != "1420" {
			t.Errorf("wgkube mtu %s, want 1420", mtu)
		}
	})

	p1 := n1.addPod(1, 1, podMTU, true, true)
	p2 := n2.addPod(1, 2, podMTU, true, true)
	startTCPServer(t, p2.ns, net.JoinHostPort(p2.addr4, "8080"))
	startTCPServer(t, p2.ns, net.JoinHostPort(p2.addr6, "8080"))

	t.Run("pod to pod over wgkube", func(t *testing.T) {
		capt := startCapture(t, n1.ns, "eth0", "not arp")
		ping(t, p1.ns, p2.addr4)
		ping(t, p1.ns, p2.addr6)
		// The server sees the pod's own address: no masquerade inside the
		// cluster range.
		if got := tcpDial(t, p1.ns, net.JoinHostPort(p2.addr4, "8080")); got != p1.addr4 {
			t.Errorf("pod 2 saw the IPv4 connection from %s, want pod 1's %s", got, p1.addr4)
		}
		if got := tcpDial(t, p1.ns, net.JoinHostPort(p2.addr6, "8080")); got != p1.addr6 {
			t.Errorf("pod 2 saw the IPv6 connection from %s, want pod 1's %s", got, p1.addr6)
		}
		// Big enough to need the whole MTU, not one fragment more.
		if out, err := p1.exec("busybox", "ping", "-c", "1", "-W", "2", "-s", fmt.Sprint(podMTU-28), p2.addr4); err != nil {
			t.Errorf("full-MTU ping: %v\n%s", err, out)
		}
		underlayOnlyWireGuard(t, capt.stop())
	})

	t.Run("host traffic uses the host IP as source", func(t *testing.T) {
		if out := n1.mustExec("ip", "route", "get", p2.addr4); !strings.Contains(out, "dev wgkube src 10.88.1.1") {
			t.Errorf("ip route get %s: %s", p2.addr4, out)
		}
		// So the answer comes back over the mesh.
		if got := tcpDial(t, n1.ns, net.JoinHostPort(p2.addr4, "8080")); got != "10.88.1.1" {
			t.Errorf("pod 2 saw host 1 at %s, want its host IP 10.88.1.1", got)
		}
		if got := tcpDial(t, n1.ns, net.JoinHostPort(p2.addr6, "8080")); got != "fd88:1::1" {
			t.Errorf("pod 2 saw host 1 at %s, want its host IP fd88:1::1", got)
		}
	})

	t.Run("masquerade only out of the cluster range", func(t *testing.T) {
		// Outside the cluster range: a plain host of the LAN, no kubenode.
		out := lan.addHostWith(9, hostOptions{})
		startTCPServer(t, out.ns, net.JoinHostPort(out.addr4, "8080"))
		startTCPServer(t, out.ns, net.JoinHostPort(out.addr6, "8080"))
		if got := tcpDial(t, p1.ns, net.JoinHostPort(out.addr4, "8080")); got != n1.addr4 {
			t.Errorf("outside host saw pod 1 at %s, want host 1's underlay address %s", got, n1.addr4)
		}
		if got := tcpDial(t, p1.ns, net.JoinHostPort(out.addr6, "8080")); got != n1.addr6 {
			t.Errorf("outside host saw pod 1 at %s, want host 1's underlay address %s", got, n1.addr6)
		}
	})

	t.Run("show", func(t *testing.T) {
		out := n1.mustNetwork(t, "show")
		for _, want := range []string{"peer 2 " + n2.pubkey, "endpoint: 192.168.77.2:51820", "allowed ips: 10.88.2.0/24, fd88:2::/32", "mode: userspace", "10.88.2.0/24 dev wgkube src 10.88.1.1", "in sync with the config"} {
			if !strings.Contains(out, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "latest handshake: never") || strings.Contains(out, "transfer: 0 B received") {
			t.Errorf("show: no handshake or traffic with peer 2:\n%s", out)
		}
		// wg(8) sees the same device, given the node's socket directory
		// where it looks (see pkg/netsetup's doc).
		wgShow, err := n1.exec("unshare", "-m", "sh", "-c", "mount --bind "+filepath.Join(n1.runDir(), "wireguard")+" /var/run/wireguard && wg show wgkube")
		if err != nil || !strings.Contains(wgShow, "peer: "+n2.pubkey) || !strings.Contains(wgShow, "latest handshake") {
			t.Errorf("wg show: %v\n%s", err, wgShow)
		}
	})

	t.Run("reset refuses while apply holds wgkube", func(t *testing.T) {
		now := netSnapshot(t, n1.ns)
		out, err := n1.reset()
		if err == nil || !strings.Contains(out, "held by process") {
			t.Errorf("reset with a running apply: %v\n%s", err, out)
		}
		if d := cmp.Diff(now, netSnapshot(t, n1.ns)); d != "" {
			t.Errorf("refused reset changed the host:\n%s", d)
		}
	})

	t.Run("key kept across restarts", func(t *testing.T) {
		key, err := os.ReadFile(filepath.Join(n1.dataDir(), "wireguard", "private.key"))
		if err != nil {
			t.Fatal(err)
		}
		if info, _ := os.Stat(filepath.Join(n1.dataDir(), "wireguard", "private.key")); info.Mode().Perm() != 0o600 {
			t.Errorf("private key mode %v, want 0600", info.Mode().Perm())
		}
		if _, err := n1.apply.stop(20 * time.Second); err != nil {
			t.Fatalf("apply did not stop cleanly: %v\n%s", err, n1.apply.tail(20))
		}
		if !strings.Contains(n1.apply.output(), "released wgkube") {
			t.Errorf("apply did not say it released wgkube:\n%s", n1.apply.tail(5))
		}
		if out, _ := n1.exec("ip", "link", "show", "wgkube"); !strings.Contains(out, "does not exist") {
			t.Errorf("wgkube outlived the process that held it:\n%s", out)
		}
		n1.startApply(t)
		again, _ := os.ReadFile(filepath.Join(n1.dataDir(), "wireguard", "private.key"))
		if string(again) != string(key) {
			t.Error("the private key changed across a restart")
		}
		ping(t, p1.ns, p2.addr6)
	})

	t.Run("reset leaves the namespaces as they were", func(t *testing.T) {
		p1.remove()
		p2.remove()
		for _, m := range nodes {
			if _, err := m.apply.stop(20 * time.Second); err != nil {
				t.Fatalf("apply on %s did not stop cleanly: %v", m.name, err)
			}
			out, err := m.reset()
			if err != nil {
				t.Fatalf("reset on %s: %v\n%s", m.name, err, out)
			}
			for _, want := range []string{"removed nftables table inet kubenode", "removed link brkube", "restored sysctl net.ipv4.conf.all.forwarding = 0"} {
				if !strings.Contains(out, want) {
					t.Errorf("reset on %s did not say %q:\n%s", m.name, want, out)
				}
			}
			if d := cmp.Diff(before[m], netSnapshot(t, m.ns)); d != "" {
				t.Errorf("%s after reset differs from before apply (-before +after):\n%s", m.name, d)
			}
			for _, f := range []string{filepath.Join(m.runDir(), "network"), filepath.Join(m.runDir(), "wireguard"), filepath.Join(m.dataDir(), "wireguard", "private.key")} {
				if _, err := os.Stat(f); !os.IsNotExist(err) {
					t.Errorf("reset left %s", f)
				}
			}
			if out, _ := m.reset(); !strings.Contains(out, "nothing to remove") {
				t.Errorf("second reset on %s:\n%s", m.name, out)
			}
		}
	})
}

// TestNetworkThreeHosts checks a full mesh of three: each node peers with
// the two others, and pods reach each other across every pair.
func TestNetworkThreeHosts(t *testing.T) {
	_, nodes := newMesh(t, "", 1, 2, 3)
	for _, m := range nodes {
		m.startApply(t)
	}
	var pods []*pod
	for _, m := range nodes {
		pods = append(pods, m.addPod(1, m.index, podMTU, true, true))
	}
	capt := startCapture(t, nodes[2].ns, "eth0", "not arp")
	for i, from := range pods {
		for j, to := range pods {
			if i == j {
				continue
			}
			ping(t, from.ns, to.addr4)
			ping(t, from.ns, to.addr6)
		}
	}
	startTCPServer(t, pods[2].ns, net.JoinHostPort(pods[2].addr6, "8080"))
	if got := tcpDial(t, pods[0].ns, net.JoinHostPort(pods[2].addr6, "8080")); got != pods[0].addr6 {
		t.Errorf("pod 3 saw pod 1 at %s, want %s", got, pods[0].addr6)
	}
	underlayOnlyWireGuard(t, capt.stop())
	out := nodes[0].mustNetwork(t, "show")
	if strings.Count(out, "latest handshake: ") != 2 || strings.Contains(out, "never") {
		t.Errorf("node 1 should have handshaken with both peers:\n%s", out)
	}
	if out := nodes[2].mustNetwork(t, "apply"); !strings.Contains(out, "no changes") {
		t.Errorf("second apply on node 3:\n%s", out)
	}
}

// TestNetworkIPv6Only runs the mesh with no IPv4 anywhere: not on the
// underlay, not on brkube, not in the rules.
func TestNetworkIPv6Only(t *testing.T) {
	_, nodes := newMesh(t, "ipv6", 1, 2)
	before := netSnapshot(t, nodes[0].ns)
	for _, m := range nodes {
		m.startApply(t)
	}
	n1 := nodes[0]
	if out := n1.mustExec("ip", "-4", "addr", "show", "dev", "brkube"); strings.TrimSpace(out) != "" {
		t.Errorf("brkube has IPv4 in IPv6-only mode:\n%s", out)
	}
	if out := n1.mustExec("nft", "list", "table", "inet", "kubenode"); strings.Contains(out, " ip saddr") || strings.Contains(out, " ip daddr") {
		t.Errorf("IPv4 rules in IPv6-only mode:\n%s", out)
	}
	if v := strings.TrimSpace(n1.mustExec("sysctl", "-n", "net.ipv4.conf.all.forwarding")); v != "0" {
		t.Errorf("IPv4 forwarding turned on in IPv6-only mode: %s", v)
	}
	p1 := n1.addPod(1, 1, podMTU, false, true)
	p2 := nodes[1].addPod(1, 2, podMTU, false, true)
	// The kernel's own IGMP reports (from 0.0.0.0, for the all-hosts group
	// of any interface that comes up) are not traffic kubenode sends.
	capt := startCapture(t, n1.ns, "eth0", "not arp and not igmp")
	ping(t, p1.ns, p2.addr6)
	startTCPServer(t, p2.ns, net.JoinHostPort(p2.addr6, "8080"))
	if got := tcpDial(t, p1.ns, net.JoinHostPort(p2.addr6, "8080")); got != p1.addr6 {
		t.Errorf("pod 2 saw pod 1 at %s, want %s", got, p1.addr6)
	}
	if got := tcpDial(t, n1.ns, net.JoinHostPort(p2.addr6, "8080")); got != "fd88:1::1" {
		t.Errorf("pod 2 saw host 1 at %s, want its host IP fd88:1::1", got)
	}
	lines := capt.stop()
	underlayOnlyWireGuard(t, lines)
	for _, l := range lines {
		if strings.Contains(l, " IP ") {
			t.Errorf("IPv4 on an IPv6-only underlay: %s", l)
		}
	}
	if out := n1.mustNetwork(t, "apply"); !strings.Contains(out, "no changes") {
		t.Errorf("second apply:\n%s", out)
	}
	p1.remove()
	if _, err := n1.apply.stop(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	if out, err := n1.reset(); err != nil {
		t.Fatalf("reset: %v\n%s", err, out)
	}
	if d := cmp.Diff(before, netSnapshot(t, n1.ns)); d != "" {
		t.Errorf("after reset (-before +after):\n%s", d)
	}
}

// TestNetworkIPv4OnlySmallMTU: an IPv4-only node on an underlay whose MTU
// is below IPv6's minimum of 1280. The kernel gives brkube and wgkube (MTU
// 1200 - 80) no IPv6 at all, so apply must not touch any IPv6 setting.
func TestNetworkIPv4OnlySmallMTU(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h := l.addHostWith(1, hostOptions{noIPv6: true, mtu: 1200})
	h.writeConfig("nodeIndex: 1\nipFamily: ipv4\n")
	m := &meshNode{host: h, index: 1}
	m.startApply(t)
	defer m.apply.stop(20 * time.Second)
	for _, link := range []string{"brkube", "wgkube"} {
		out := h.mustExec("ip", "-o", "link", "show", "dev", link)
		if !strings.Contains(out, " mtu 1120 ") {
			t.Errorf("%s, want mtu 1120 (1200 - 80):\n%s", link, out)
		}
		if out := h.mustExec("ip", "-6", "addr", "show", "dev", link); strings.TrimSpace(out) != "" {
			t.Errorf("%s has IPv6 addresses in IPv4-only mode:\n%s", link, out)
		}
	}
	if out := h.mustExec("ip", "-4", "addr", "show", "dev", "brkube"); !strings.Contains(out, "inet 10.88.1.1/24") {
		t.Errorf("brkube lacks its host IP:\n%s", out)
	}
	if out := m.mustNetwork(t, "apply"); !strings.Contains(out, "no changes") {
		t.Errorf("second apply:\n%s", out)
	}
	if out := m.mustNetwork(t, "show"); !strings.Contains(out, "in sync with the config") {
		t.Errorf("show:\n%s", out)
	}
}

// TestNetworkSmallMTU: the smallest underlays, with no mtu in the config.
// On a 1280 underlay (IPv6's own minimum) wgkube, brkube and pods get 1200,
// which leaves room for IPv4 pods only; 1360 is the smallest underlay for
// IPv6 pods (1280 + 80), here IPv6-only, where WireGuard's 80 bytes are
// exact. Pod-to-pod transfers of 1 MiB never stall, either way, TCP
// announces the pods' MSS, full-size packets cross the tunnel, no
// WireGuard packet on the underlay is fragmented and no path MTU below the
// pods' is learnt.
func TestNetworkSmallMTU(t *testing.T) {
	for _, tc := range []struct {
		name     string
		family   string
		underlay hostOptions
		mtu      int
		outer    int // WireGuard's overhead with this underlay's endpoints
	}{
		// Short names: the run dir, and so wgkube's UAPI socket path, has
		// the test's name in it.
		{"1280-v4pods", "ipv4", hostOptions{mtu: 1280}, 1200, 60},
		{"1360-v6underlay", "", hostOptions{mtu: 1360, noIPv4: true}, 1280, 80},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, nodes := newMeshWith(t, tc.family, tc.underlay, 1, 2)
			for _, m := range nodes {
				m.startApply(t)
			}
			for _, link := range []string{"brkube", "wgkube"} {
				if out := nodes[0].mustExec("ip", "-o", "link", "show", "dev", link); !strings.Contains(out, fmt.Sprintf(" mtu %d ", tc.mtu)) {
					t.Errorf("%s, want mtu %d (underlay %d - 80):\n%s", link, tc.mtu, tc.underlay.mtu, out)
				}
			}
			v4, v6 := tc.family != "ipv6", tc.family != "ipv4"
			p1 := nodes[0].addPod(1, 1, tc.mtu, v4, v6)
			p2 := nodes[1].addPod(1, 2, tc.mtu, v4, v6)
			type path struct {
				from, to *pod
				addr     string
				mss      int
			}
			var paths []path
			if v4 {
				paths = append(paths, path{p1, p2, p2.addr4, tc.mtu - 40}, path{p2, p1, p1.addr4, tc.mtu - 40})
			}
			if v6 {
				paths = append(paths, path{p1, p2, p2.addr6, tc.mtu - 60}, path{p2, p1, p1.addr6, tc.mtu - 60})
			}
			for _, p := range paths {
				startHelperServer(t, p.to.ns, "tcp-echo", net.JoinHostPort(p.addr, "8080"))
				startTCPServer(t, p.to.ns, net.JoinHostPort(p.addr, "8081"))
			}

			// Each side's SYN announces the MSS of the pods' MTU, in
			// each family (paths come in pairs, one each way).
			for i := 0; i < len(paths); i += 2 {
				p := paths[i]
				syns := startCapture(t, p.to.ns, "eth0", "tcp port 8081")
				tcpDial(t, p.from.ns, net.JoinHostPort(p.addr, "8081"))
				n := 0
				for _, line := range syns.stop() {
					if strings.Contains(line, "Flags [S") {
						n++
						if !strings.Contains(line, fmt.Sprintf("mss %d,", p.mss)) {
							t.Errorf("SYN without mss %d: %s", p.mss, line)
						}
					}
				}
				if n != 2 {
					t.Errorf("captured %d SYN and SYN-ACK, want 2", n)
				}
			}

			frags := startCapture(t, "/run/netns/"+l.switch_, "br0", "(ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] == 44)")
			// Ethernet header, outer headers, the pods' whole MTU.
			full := startCapture(t, "/run/netns/"+l.switch_, "br0", fmt.Sprintf("udp port 51820 and greater %d", 14+tc.outer+tc.mtu))
			var slowest time.Duration
			for round := 0; round < 5; round++ {
				for _, p := range paths {
					d, err := transfer(p.from.ns, net.JoinHostPort(p.addr, "8080"))
					if err != nil {
						t.Errorf("1 MiB from %s to %s and back: %v", p.from.name, p.addr, err)
					}
					slowest = max(slowest, d)
				}
			}
			t.Logf("%d transfers of 1 MiB each way, the slowest took %s", 5*len(paths), slowest.Round(time.Millisecond))
			if lines := frags.stop(); len(lines) > 0 {
				t.Errorf("fragments on the underlay:\n%s", strings.Join(lines, "\n"))
			}
			if lines := full.stop(); len(lines) == 0 {
				t.Errorf("no WireGuard packet of %d bytes on the underlay: full-size pod packets did not cross", tc.outer+tc.mtu)
			}
			for _, p := range paths {
				for _, ns := range []string{p.from.ns, p.from.host.ns} {
					if out, _ := nsExec(ns, "ip", "route", "get", p.addr); strings.Contains(out, " mtu ") {
						t.Errorf("a path MTU was learnt towards %s: %s", p.addr, out)
					}
				}
			}

			for i := 0; i < len(paths); i += 2 {
				logThroughput(t, paths[i].from.ns, paths[i].to.ns, paths[i].addr)
			}
		})
	}
}

// TestNetworkBadInput: each bad input fails with a message that says what
// to fix, before anything on the host changes (not even the key file).
func TestNetworkBadInput(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h := l.addHostWith(1, hostOptions{})
	const key2 = "TPB2lwnWPjjAZ1Pnn5A6sdhGAePztE5VlbQ/RmU89w4="
	const key3 = "pHEYIfgWiJEgnR8zKYGnWlbZbQZ0xb5eEyzVSpzz3BM="
	peer := func(index int, key, endpoint string) string {
		return fmt.Sprintf("  - {index: %d, publicKey: %q, endpoint: %q}\n", index, key, endpoint)
	}
	cases := []struct {
		name, config string
		setup        []string // a command run in the host before apply, undone after
		undo         []string
		want         string
	}{
		{name: "malformed CIDR", config: "clusterCIDRv4: 10.88.0.0/33\n", want: `clusterCIDRv4 "10.88.0.0/33": not a CIDR`},
		{name: "cluster range overlaps the underlay", config: "clusterCIDRv4: 192.168.0.0/16\nserviceCIDRv4: 192.168.0.0/24\n", want: "node IP 192.168.77.1 lies inside the cluster range 192.168.0.0/16"},
		{name: "pod subnet overlaps a host network", config: "network:\n  peers:\n" + peer(2, key2, "192.168.77.2"),
			setup: []string{"ip", "addr", "add", "10.88.2.7/24", "dev", "eth0"}, undo: []string{"ip", "addr", "del", "10.88.2.7/24", "dev", "eth0"},
			want: "peer 2's subnet 10.88.2.0/24 overlaps 10.88.2.0/24 on eth0"},
		{name: "duplicate node index", config: "network:\n  peers:\n" + peer(2, key2, "192.168.77.2") + peer(2, key3, "192.168.77.3"), want: "index 2 is used twice"},
		{name: "own node index", config: "network:\n  peers:\n" + peer(1, key2, "192.168.77.2"), want: "index 1 is used twice"},
		{name: "bad public key", config: "network:\n  peers:\n" + peer(2, "bm90IGEga2V5", "192.168.77.2"), want: `publicKey "bm90IGEga2V5" is not a WireGuard key`},
		{name: "bad endpoint", config: "network:\n  peers:\n" + peer(2, key2, "192.168.77:51820"), want: `endpoint "192.168.77:51820": not IP:PORT`},
		{name: "MTU below 1280 with IPv6", config: "network:\n  mtu: 1200\n", want: "network.mtu 1200: IPv6 needs at least 1280"},
		{name: "underlay MTU too small for IPv6", setup: []string{"ip", "link", "set", "eth0", "mtu", "1340"}, undo: []string{"ip", "link", "set", "eth0", "mtu", "1500"},
			want: "wgkube mtu would be 1260 (underlay eth0 mtu 1340 - 80), below IPv6's minimum of 1280: raise the underlay MTU to at least 1360, or set ipFamily: ipv4"},
		// The setup: a 1280 underlay and network.mtu 1280, which
		// stalled pod traffic in the tunnel.
		{name: "MTU that does not fit a 1280 underlay", config: "network:\n  mtu: 1280\n", setup: []string{"ip", "link", "set", "eth0", "mtu", "1280"}, undo: []string{"ip", "link", "set", "eth0", "mtu", "1500"},
			want: "network.mtu 1280 does not fit the underlay: eth0 has mtu 1280 and WireGuard takes 80 of it, so at most 1200; that is below IPv6's minimum of 1280, so raise the underlay MTU to at least 1360, or set ipFamily: ipv4 with network.mtu at most 1200 or left out"},
		{name: "no such underlay interface", config: "network:\n  underlayInterface: eth9\n", want: `network.underlayInterface "eth9": no such interface`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.writeConfig("nodeIndex: 1\n" + tc.config)
			if tc.setup != nil {
				h.mustExec(tc.setup...)
				defer h.mustExec(tc.undo...)
			}
			before := netSnapshot(t, h.ns)
			out, err := h.run(append([]string{"network", "apply"}, h.nodeArgs()...)...)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Errorf("apply: %v, want an error with %q:\n%s", err, tc.want, out)
			}
			if d := cmp.Diff(before, netSnapshot(t, h.ns)); d != "" {
				t.Errorf("bad input changed the host (-before +after):\n%s", d)
			}
			if _, err := os.Stat(filepath.Join(h.dataDir(), "wireguard", "private.key")); !os.IsNotExist(err) {
				t.Errorf("bad input wrote the key file (%v)", err)
			}
		})
	}

	// A failure halfway through apply undoes what apply did: here nft
	// refuses to rebuild a leftover table whose input chain has another
	// hook, after the links and sysctls were already changed.
	t.Run("failure halfway is undone", func(t *testing.T) {
		h.writeConfig("nodeIndex: 1\n")
		h.mustExec("nft", "add table inet kubenode; add chain inet kubenode input { type filter hook output priority 0; }")
		defer h.mustExec("nft", "delete table inet kubenode")
		before := netSnapshot(t, h.ns)
		out, err := h.run(append([]string{"network", "apply"}, h.nodeArgs()...)...)
		if err == nil || !strings.Contains(out, "earlier changes were undone") {
			t.Errorf("apply: %v, want a failed table rebuild, undone:\n%s", err, out)
		}
		if d := cmp.Diff(before, netSnapshot(t, h.ns)); d != "" {
			t.Errorf("failed apply left changes (-before +after):\n%s", d)
		}
	})
}

// logThroughput logs, for the record, what iperf3 (TCP, 3 s), run from
// namespace from to a server on addr in namespace to, measures; nothing
// when the host has no iperf3.
func logThroughput(t *testing.T, from, to, addr string) {
	t.Helper()
	if _, err := exec.LookPath("iperf3"); err != nil {
		return
	}
	srv := exec.Command("nsenter", "--net="+to, "--", "iperf3", "-s", "-1", "-B", addr)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Wait()
	defer srv.Process.Kill()
	time.Sleep(300 * time.Millisecond)
	out, err := nsExec(from, "iperf3", "-c", addr, "-t", "3", "-f", "m")
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "receiver") || err != nil {
			t.Logf("iperf3 to %s: %s %v", addr, strings.Join(strings.Fields(line), " "), err)
		}
	}
}

// podNetns returns a path to the network namespace of pod, running on
// host h: /proc/PID/ns/net of a process in the pod's cgroup (under the
// cgroup root runtimeConfig gives the node).
func podNetns(t *testing.T, h, api *host, pod string) string {
	t.Helper()
	uid := strings.TrimSpace(api.mustKubectl("get", "pod", pod, "-o", "jsonpath={.metadata.uid}"))
	var ns string
	filepath.WalkDir("/sys/fs/cgroup/pids/"+h.name, func(p string, e fs.DirEntry, err error) error {
		if err != nil || ns != "" || !e.IsDir() || !strings.Contains(strings.ReplaceAll(e.Name(), "_", "-"), uid) {
			return nil
		}
		filepath.WalkDir(p, func(q string, e fs.DirEntry, err error) error {
			if err == nil && ns == "" && e.Name() == "cgroup.procs" {
				data, _ := os.ReadFile(q)
				if f := strings.Fields(string(data)); len(f) > 0 {
					ns = "/proc/" + f[0] + "/ns/net"
				}
			}
			return nil
		})
		return filepath.SkipDir
	})
	if ns == "" {
		t.Fatalf("no process of pod %s (uid %s) under /sys/fs/cgroup/pids/%s", pod, uid, h.name)
	}
	return ns
}

// TestWorkerSmallMTU: a primary and a worker on a 1280 underlay, IPv4
// pods, no mtu in the config: the pods' eth0 gets 1200 (1280 - 80), and
// pod-to-pod transfers of 1 MiB between the nodes never stall.
func TestWorkerSmallMTU(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHostWith(1, hostOptions{mtu: 1280}), l.addHostWith(2, hostOptions{mtu: 1280})
	for _, h := range []*host{h1, h2} {
		writeBusyboxArchive(t, h)
		h.writeConfig("ipFamily: ipv4\n")
	}
	startPrimary(t, h1)
	startWorker(t, h2, createToken(t, h1))
	manifest := filepath.Join(h1.root, "ds.yaml")
	write(t, manifest, clientDaemonSet)
	h1.mustKubectl("apply", "-f", manifest)
	h1.mustKubectl("rollout", "status", "ds/client", "--timeout=120s")

	type podOn struct{ name, ip, ns string }
	pods := map[string]*podOn{}
	out := h1.mustKubectl("get", "pods", "-l", "app=client", "-o", `jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\n"}{end}`)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 {
			pods[f[1]] = &podOn{name: f[0], ip: f[2]}
		}
	}
	p1, p2 := pods["node1.k8s.internal"], pods["node2.k8s.internal"]
	if p1 == nil || p2 == nil {
		t.Fatalf("client pods:\n%s", out)
	}
	p1.ns, p2.ns = podNetns(t, h1, h1, p1.name), podNetns(t, h2, h1, p2.name)
	for _, p := range []*podOn{p1, p2} {
		if out, err := nsExec(p.ns, "ip", "-o", "link", "show", "dev", "eth0"); err != nil || !strings.Contains(out, " mtu 1200 ") {
			t.Fatalf("pod %s: eth0 %v, want mtu 1200 (underlay 1280 - 80):\n%s", p.name, err, out)
		}
		startHelperServer(t, p.ns, "tcp-echo", net.JoinHostPort(p.ip, "8080"))
	}
	for round := 0; round < 5; round++ {
		for _, p := range [][2]*podOn{{p1, p2}, {p2, p1}} {
			if _, err := transfer(p[0].ns, net.JoinHostPort(p[1].ip, "8080")); err != nil {
				t.Errorf("1 MiB from pod %s to %s and back: %v", p[0].name, p[1].ip, err)
			}
		}
	}
	logThroughput(t, p1.ns, p2.ns, p2.ip)
}
