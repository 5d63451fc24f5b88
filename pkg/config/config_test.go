package config

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type fakeHost struct {
	addrs, defaults []string
}

func addrs(ss []string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func (f fakeHost) Addrs() ([]netip.Addr, error)               { return addrs(f.addrs), nil }
func (f fakeHost) DefaultRouteSources() ([]netip.Addr, error) { return addrs(f.defaults), nil }

var lanHost = fakeHost{addrs: []string{"127.0.0.1", "192.168.1.10", "2001:db8::10"}, defaults: []string{"192.168.1.10", "2001:db8::10"}}

func resolve(t *testing.T, yaml string, h Host) (*Config, error) {
	t.Helper()
	f, err := Parse([]byte(yaml))
	if err != nil {
		return nil, err
	}
	return f.Resolve(h)
}

func strs[T interface{ String() string }](in []T) []string {
	var out []string
	for _, v := range in {
		out = append(out, v.String())
	}
	return out
}

func TestDefaultsFollowTheAddressPlan(t *testing.T) {
	c, err := resolve(t, "", lanHost)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{
		"nodeIPs":    strs(c.NodeIPs),
		"node1":      strs(c.NodeCIDRs(1)),
		"node2":      strs(c.NodeCIDRs(2)),
		"node255":    strs(c.NodeCIDRs(255)),
		"hostIPs":    strs(c.HostIPs()),
		"services":   strs(c.ServiceCIDRs),
		"apiService": strs(c.APIServiceIPs()),
		"name":       {c.NodeName, c.APIName()},
		"dirs":       {c.DataDir, c.RunDir, c.AdminKubeconfig(), c.EtcdSocket()},
	}
	want := map[string][]string{
		"nodeIPs":    {"192.168.1.10", "2001:db8::10"},
		"node1":      {"10.88.1.0/24", "fd88:1::/32"},
		"node2":      {"10.88.2.0/24", "fd88:2::/32"},
		"node255":    {"10.88.255.0/24", "fd88:ff::/32"},
		"hostIPs":    {"10.88.1.1", "fd88:1::1"},
		"services":   {"10.88.0.0/24", "fd88::/112"},
		"apiService": {"10.88.0.1", "fd88::1"},
		"name":       {"node1.k8s.internal", "api.k8s.internal"},
		"dirs":       {"/var/lib/kubenode", "/run/kubenode", "/var/lib/kubenode/admin.kubeconfig", "/run/kubenode/etcd.sock"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("address plan (-want +got):\n%s", d)
	}
}

func TestIPv6Only(t *testing.T) {
	c, err := resolve(t, "ipFamily: ipv6\nnodeIndex: 3\n", lanHost)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"2001:db8::10"}, strs(c.NodeIPs)); d != "" {
		t.Fatal(d)
	}
	if d := cmp.Diff([]string{"fd88:3::/32"}, strs(c.NodeCIDRs(3))); d != "" {
		t.Fatal(d)
	}
	if d := cmp.Diff([]string{"fd88::1"}, strs(c.APIServiceIPs())); d != "" {
		t.Fatal(d)
	}
}

// Seed 003: IPv6-only hosts, dual-stack pods. The Service range of the
// node IPs' family comes first, so the kubernetes Service and the
// apiserver's advertise address share a family; the pod ranges keep their
// order.
func TestIPv6UnderlayDualStackPods(t *testing.T) {
	v6Host := fakeHost{addrs: []string{"127.0.0.1", "2001:db8::10"}, defaults: []string{"2001:db8::10"}}
	c, err := resolve(t, "", v6Host)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"fd88::/112", "10.88.0.0/24"}, strs(c.ServiceCIDRs)); d != "" {
		t.Fatal(d)
	}
	if d := cmp.Diff([]string{"fd88::1", "10.88.0.1"}, strs(c.APIServiceIPs())); d != "" {
		t.Fatal(d)
	}
	if d := cmp.Diff([]string{"10.88.1.0/24", "fd88:1::/32"}, strs(c.NodeCIDRs(1))); d != "" {
		t.Fatal(d)
	}
	c, err = resolve(t, "", lanHost)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"10.88.0.0/24", "fd88::/112"}, strs(c.ServiceCIDRs)); d != "" {
		t.Fatalf("a dual-stack underlay keeps IPv4 first: %s", d)
	}
}

func TestExplicitNodeIP(t *testing.T) {
	c, err := resolve(t, "nodeIPs: [192.168.1.10]\n", lanHost)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"192.168.1.10"}, strs(c.NodeIPs)); d != "" {
		t.Fatal(d)
	}
}

func TestBadInput(t *testing.T) {
	noRoute := fakeHost{addrs: []string{"127.0.0.1", "192.168.1.10"}}
	cases := []struct {
		name, yaml string
		host       Host
		want       string
	}{
		{"unknown field", "nodeIdx: 1\n", lanHost, `unknown field "nodeIdx"`},
		{"malformed", "nodeIndex: [1\n", lanHost, "yaml"},
		{"index range", "nodeIndex: 300\n", lanHost, "nodeIndex 300: must be between 1 and 255"},
		{"bad cidr", "clusterCIDRv4: 10.88.0.0/33\n", lanHost, `clusterCIDRv4 "10.88.0.0/33": not a CIDR`},
		{"wrong family", "clusterCIDRv4: fd00::/16\n", lanHost, "wrong address family"},
		{"host bits", "clusterCIDRv4: 10.88.1.0/16\n", lanHost, "did you mean 10.88.0.0/16"},
		{"service outside subnet 0", "serviceCIDRv4: 10.88.5.0/24\n", lanHost, "must lie inside 10.88.0.0/24"},
		{"cluster too small", "clusterCIDRv4: 10.88.0.0/24\n", lanHost, "must be /23 or larger"},
		{"family", "ipFamily: both\n", lanHost, `ipFamily "both"`},
		{"mtu ipv6", "network:\n  mtu: 1200\n", lanHost, "IPv6 needs at least 1280"},
		{"bad node ip", "nodeIPs: [300.1.1.1]\n", lanHost, `"300.1.1.1": not an IP address`},
		{"node ip not here", "nodeIPs: [192.0.2.5]\n", lanHost, "192.0.2.5 is not an address of this host (it has 192.168.1.10, 2001:db8::10)"},
		{"loopback node ip", "nodeIPs: [127.0.0.1]\n", lanHost, "routable unicast"},
		{"no default route", "", noRoute, "no default route"},
		{"duplicate peer", "network:\n  peers:\n  - {index: 2, publicKey: a, endpoint: b}\n  - {index: 2, publicKey: c, endpoint: d}\n", lanHost, "index 2 is used twice"},
		{"snapshot interval", "etcd:\n  snapshotInterval: 12 hours\n", lanHost, `etcd.snapshotInterval "12 hours": not a duration`},
		{"snapshot interval short", "etcd:\n  snapshotInterval: 10s\n", lanHost, "at least 1m0s"},
		{"snapshot retain", "etcd:\n  snapshotRetain: -1\n", lanHost, "etcd.snapshotRetain -1: must be at least 1"},
		{"api version", "apiVersion: kubenode.io/v2\nkind: Config\n", lanHost, `apiVersion "kubenode.io/v2": this kubenode reads kubenode.io/v1alpha1`},
		{"kind", "apiVersion: kubenode.io/v1alpha1\nkind: Node\n", lanHost, `kind "Node": a kubenode config file is kind Config`},
		{"lb selector", "loadBalancer:\n  nodeSelector: \"a in (b\"\n", lanHost, `loadBalancer.nodeSelector "a in (b"`},
		{"peer is self", "nodeIndex: 3\nnetwork:\n  peers:\n  - {index: 3, publicKey: a, endpoint: b}\n", lanHost, "index 3 is used twice"},
		{"relative dir", "dataDir: data\n", lanHost, "must be an absolute path"},
		{"bad peer key", "network:\n  peers:\n  - {index: 2, publicKey: notakey, endpoint: 192.168.1.11}\n", lanHost, `publicKey "notakey" is not a WireGuard key`},
		{"short peer key", "network:\n  peers:\n  - {index: 2, publicKey: " + shortKey + ", endpoint: 192.168.1.11}\n", lanHost, "is not a WireGuard key"},
		{"same key twice", "network:\n  peers:\n  - {index: 2, publicKey: " + key2 + ", endpoint: 192.168.1.11}\n  - {index: 3, publicKey: " + key2 + ", endpoint: 192.168.1.12}\n", lanHost, "also the key of index 2"},
		{"bad endpoint", "network:\n  peers:\n  - {index: 2, publicKey: " + key2 + ", endpoint: \"192.168.1:51820\"}\n", lanHost, `endpoint "192.168.1:51820": not IP:PORT`},
		{"endpoint name", "network:\n  peers:\n  - {index: 2, publicKey: " + key2 + ", endpoint: \"node2:51820\"}\n", lanHost, "not IP:PORT"},
		{"endpoint port 0", "network:\n  peers:\n  - {index: 2, publicKey: " + key2 + ", endpoint: \"192.168.1.11:0\"}\n", lanHost, "not IP:PORT"},
		{"endpoint in cluster range", "network:\n  peers:\n  - {index: 2, publicKey: " + key2 + ", endpoint: \"10.88.7.7:51820\"}\n", lanHost, "lies inside the cluster range 10.88.0.0/16"},
		{"node ip in cluster range", "clusterCIDRv4: 192.168.0.0/16\nserviceCIDRv4: 192.168.0.0/24\n", lanHost, "node IP 192.168.1.10 lies inside the cluster range 192.168.0.0/16"},
		{"index does not fit", "clusterCIDRv4: 10.88.0.0/20\nnodeIndex: 20\n", lanHost, "nodeIndex 20: node index 20 does not fit in 10.88.0.0/20"},
		{"relative kubelet root", "runtime:\n  kubeletRootDir: kubelet\n", lanHost, `runtime.kubeletRootDir "kubelet": must be an absolute path`},
		{"relative cni dir", "runtime:\n  cniPluginDir: cni\n", lanHost, `runtime.cniPluginDir "cni": must be an absolute path`},
		{"primary taint", "runtime:\n  primaryTaint: sometimes\n", lanHost, `runtime.primaryTaint "sometimes": must be one of auto, always, never`},
		{"dns upstream name", "runtime:\n  dnsUpstreams: [dns.example]\n", lanHost, `runtime.dnsUpstreams "dns.example": not an IP address or IP:port`},
		{"wireguard port too large", "network:\n  wireguardPort: 70000\n", lanHost, "network.wireguardPort 70000: must be between 1 and 65535"},
		{"wireguard port negative", "network:\n  wireguardPort: -5\n", lanHost, "network.wireguardPort -5: must be between 1 and 65535"},
		{"wireguard port is DNS", "network:\n  wireguardPort: 53\n", lanHost, "network.wireguardPort 53: CoreDNS answers on UDP port 53"},
		{"api port negative", "apiPort: -1\n", lanHost, "apiPort -1: must be between 1 and 65535"},
		{"api port too large", "apiPort: 65536\n", lanHost, "apiPort 65536: must be between 1 and 65535"},
		{"api port is the kubelet's", "apiPort: 10250\n", lanHost, "apiPort 10250: the kubelet API listens there"},
		{"node index negative", "nodeIndex: -1\n", lanHost, "nodeIndex -1: must be between 1 and 255"},
		{"mtu too small", "ipFamily: ipv4\nnetwork:\n  mtu: 100\n", lanHost, "network.mtu 100: must be between 576 and 65535"},
		{"mtu too large", "network:\n  mtu: 70000\n", lanHost, "network.mtu 70000: must be between 576 and 65535"},
		{"underlay name with a slash", "network:\n  underlayInterface: eth0/1\n", lanHost, `network.underlayInterface "eth0/1": interface names hold no '/'`},
		{"underlay name too long", "network:\n  underlayInterface: enp0s31f6-uplink0\n", lanHost, `network.underlayInterface "enp0s31f6-uplink0": longer than 15 characters`},
		{"underlay is kubenode's", "network:\n  underlayInterface: wgkube\n", lanHost, `network.underlayInterface "wgkube": must be the host's own network interface`},
		{"data dir is /", "dataDir: /\n", lanHost, `dataDir "/": must be a directory of its own`},
		{"run dir is the data dir", "dataDir: /srv/kn\nrunDir: /srv/kn/\n", lanHost, "dataDir and runDir are both /srv/kn: they must differ"},
		{"service range v4 too small", "serviceCIDRv4: 10.88.0.0/31\n", lanHost, "serviceCIDRv4 10.88.0.0/31: too small"},
		{"service range v6 too small", "serviceCIDRv6: fd88::/127\n", lanHost, "serviceCIDRv6 fd88::/127: too small"},
		{"cluster range v6 too small", "clusterCIDRv6: fd88::/32\n", lanHost, "clusterCIDRv6 fd88::/32: must be /31 or larger"},
		{"two v4 node ips", "nodeIPs: [192.168.1.10, 192.168.1.11]\n", lanHost, `nodeIPs "192.168.1.11": at most one IPv4 and one IPv6 address`},
		{"dns upstream port 0", "runtime:\n  dnsUpstreams: [\"192.0.2.53:0\"]\n", lanHost, `runtime.dnsUpstreams "192.0.2.53:0": port 0`},
		{"dns upstream unspecified", "runtime:\n  dnsUpstreams: [0.0.0.0]\n", lanHost, `runtime.dnsUpstreams "0.0.0.0": not a resolver's unicast address`},
		{"relative pod logs dir", "runtime:\n  podLogsDir: logs\n", lanHost, `runtime.podLogsDir "logs": must be an absolute path`},
		{"relative cgroup root", "runtime:\n  cgroupRoot: kubepods\n", lanHost, `runtime.cgroupRoot "kubepods": must be an absolute path`},
		{"relative runc", "runtime:\n  runcPath: runc\n", lanHost, `runtime.runcPath "runc": must be an absolute path`},
		{"relative conmon", "runtime:\n  conmonPath: conmon\n", lanHost, `runtime.conmonPath "conmon": must be an absolute path`},
		{"relative run dir", "runDir: run\n", lanHost, `runDir "run": must be an absolute path`},
		{"bad domain", "clusterDomain: k8s_internal\n", lanHost, `clusterDomain "k8s_internal": not a DNS domain name`},
		{"relative local path", "storage:\n  localPath: volumes\n", lanHost, `storage.localPath "volumes": must be an absolute path`},
		{"local path is /", "storage:\n  localPath: /\n", lanHost, `storage.localPath "/": must be a directory of its own`},
		{"local path in run dir", "storage:\n  localPath: /run/kubenode/vol\n", lanHost, `storage.localPath "/run/kubenode/vol": inside runDir /run/kubenode, which does not survive a reboot`},
		{"local path is the data dir", "dataDir: /srv/kn\nstorage:\n  localPath: /srv/kn/\n", lanHost, `storage.localPath "/srv/kn": inside dataDir /srv/kn, which holds kubenode's own state; use /srv/kn/volumes`},
		{"local path in the etcd dir", "storage:\n  localPath: /var/lib/kubenode/etcd/v\n", lanHost, "inside dataDir /var/lib/kubenode"},
		{"local path in the kubelet's", "storage:\n  localPath: /var/lib/kubelet/pv\n", lanHost, "inside the kubelet's root dir /var/lib/kubelet"},
		{"peer index negative", "network:\n  peers:\n  - {index: -2, publicKey: " + key2 + ", endpoint: 192.168.1.11}\n", lanHost, "network.peers: index -2: must be between 1 and 255"},
		{"peer index does not fit", "clusterCIDRv4: 10.88.0.0/20\nnetwork:\n  peers:\n  - {index: 16, publicKey: " + key2 + ", endpoint: 192.168.1.11}\n", lanHost, "index 16): node index 16 does not fit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolve(t, tc.yaml, tc.host)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

const (
	key2     = "TPB2lwnWPjjAZ1Pnn5A6sdhGAePztE5VlbQ/RmU89w4="
	key3     = "pHEYIfgWiJEgnR8zKYGnWlbZbQZ0xb5eEyzVSpzz3BM="
	shortKey = "AAAA"
)

func TestStaticPeers(t *testing.T) {
	c, err := resolve(t, "network:\n  peers:\n  - {index: 2, publicKey: "+key2+", endpoint: 192.168.1.11}\n  - {index: 3, publicKey: "+key3+", endpoint: \"[2001:db8::12]:5000\"}\n", lanHost)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Network.Peers {
		ep, err := ParseEndpoint(p.Endpoint, c.Network.WireGuardPort)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ep.String())
	}
	if d := cmp.Diff([]string{"192.168.1.11:51820", "[2001:db8::12]:5000"}, got); d != "" {
		t.Fatal(d)
	}
	if _, err := c.NodeSubnets(256); err == nil {
		t.Fatal("NodeSubnets(256) in a /16 with /24 subnets: want an error")
	}
}

// A worker's config that lists the primary (index 1) as a static peer and
// sets no nodeIndex resolves: its index comes from the join, not from the
// default 1.
func TestWorkerListsPrimaryAsPeer(t *testing.T) {
	c, err := resolve(t, "network:\n  peers:\n  - {index: 1, publicKey: "+key2+", endpoint: 192.168.1.11}\n", lanHost)
	if err != nil {
		t.Fatalf("a static peer 1 without nodeIndex: %v", err)
	}
	if len(c.Network.Peers) != 1 || c.Network.Peers[0].Index != 1 {
		t.Fatalf("peers: %+v", c.Network.Peers)
	}
}

func TestRuntimeDefaultsAndIndex(t *testing.T) {
	c, err := resolve(t, "runtime:\n  dnsUpstreams: [192.0.2.53, \"[2001:db8::53]:5353\"]\n", lanHost)
	if err != nil {
		t.Fatal(err)
	}
	if c.Storage.LocalPath != "/var/lib/kubenode/volumes" {
		t.Fatalf("storage.localPath default %q, want /var/lib/kubenode/volumes", c.Storage.LocalPath)
	}
	for in, want := range map[string]string{"dataDir: /srv/kn\n": "/srv/kn/volumes", "storage:\n  localPath: /srv/pv/\n": "/srv/pv",
		"storage:\n  localPath: /var/lib/kubenode/volumes/ssd\n": "/var/lib/kubenode/volumes/ssd"} {
		c, err := resolve(t, in, lanHost)
		if err != nil || c.Storage.LocalPath != want {
			t.Fatalf("%q: localPath %v (%v), want %s", in, c, err, want)
		}
	}
	if c.Runtime.PrimaryTaint != TaintAuto || c.KubeletRootDir() != "/var/lib/kubelet" {
		t.Fatalf("runtime defaults: taint %q, kubelet root %q", c.Runtime.PrimaryTaint, c.KubeletRootDir())
	}
	if c.Runtime.KeepPodsRunning == nil || !*c.Runtime.KeepPodsRunning {
		t.Fatalf("runtime.keepPodsRunning resolved to %v, want true by default", c.Runtime.KeepPodsRunning)
	}
	if c, err := resolve(t, "runtime:\n  keepPodsRunning: false\n", lanHost); err != nil || c.Runtime.KeepsPods() {
		t.Fatalf("runtime.keepPodsRunning: false resolved to keep=%v (%v)", c != nil && c.Runtime.KeepsPods(), err)
	}
	w := c.WithIndex(3)
	if w.NodeName != "node3.k8s.internal" || w.NodeCIDRs(w.NodeIndex)[0].String() != "10.88.3.0/24" || c.NodeIndex != 1 {
		t.Fatalf("WithIndex(3): %s %v; original index %d", w.NodeName, w.NodeCIDRs(w.NodeIndex), c.NodeIndex)
	}
}

// Every range problem is reported at once, not one per run.
func TestBadInputAllAtOnce(t *testing.T) {
	_, err := resolve(t, "apiPort: 70000\nnodeIndex: 256\nnetwork:\n  wireguardPort: -5\n  mtu: 10\n", lanHost)
	for _, want := range []string{"apiPort 70000", "nodeIndex 256", "network.wireguardPort -5", "network.mtu 10"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

func TestEtcdSnapshotSettings(t *testing.T) {
	c, err := resolve(t, "", lanHost)
	if err != nil {
		t.Fatal(err)
	}
	if c.Etcd.SnapshotInterval != 12*time.Hour || c.Etcd.SnapshotRetain != 5 || c.SnapshotDir() != filepath.Join(c.DataDir, "snapshots") {
		t.Errorf("defaults: %+v, dir %s", c.Etcd, c.SnapshotDir())
	}
	c, err = resolve(t, "etcd:\n  snapshotInterval: \"off\"\n  snapshotRetain: 2\n", lanHost)
	if err != nil {
		t.Fatal(err)
	}
	if c.Etcd.SnapshotInterval != 0 || c.Etcd.SnapshotRetain != 2 {
		t.Errorf("off, 2: %+v", c.Etcd)
	}
}
