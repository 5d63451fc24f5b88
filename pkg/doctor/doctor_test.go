package doctor

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/knftables"

	"github.com/kubenode/kubenode/pkg/check"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

const ruleset1 = `table inet kubenode { # handle 3
	chain forward { # handle 2
		type filter hook forward priority filter; policy accept;
		iifname "wgkube" drop comment "peers to anywhere else #1234" # handle 9
	}
}
table ip kube-proxy { # handle 4
	chain cluster-ips-check { # handle 5
		ip daddr 10.88.0.0/24 drop comment "Drop traffic to unallocated ClusterIPs" # handle 6
	}
}
table inet e2ewg { # handle 12
	chain in { # handle 1
		type filter hook input priority -10; policy accept;
		iifname "eth0" udp dport 51820 counter packets 7 bytes 1036 drop # handle 2
	}
}
table inet e2efwd { # handle 13
	chain fwd { # handle 1
		type filter hook forward priority filter; policy accept;
		iifname "brkube" counter packets 3 bytes 252 drop # handle 2
		iifname "docker0" drop # handle 3
		ip daddr 172.17.0.0/16 drop # handle 4
		jump more # handle 5
	}
	chain more { # handle 6
		meta l4proto tcp reject # handle 7
		iifname "eth0" accept # handle 8
	}
}
table ip filter { # handle 14
	chain FORWARD { # handle 1
		type filter hook forward priority filter; policy drop;
	}
}
`

func TestParseRuleset(t *testing.T) {
	rs := parseRuleset(ruleset1)
	var got []string
	for _, r := range rs.Drops {
		got = append(got, r.String())
	}
	want := []string{
		`table inet e2ewg chain in handle 2: "iifname \"eth0\" udp dport 51820 drop" (counter 7 packets)`,
		`table inet e2efwd chain fwd handle 2: "iifname \"brkube\" drop" (counter 3 packets)`,
		`table inet e2efwd chain fwd handle 3: "iifname \"docker0\" drop" (no counter)`,
		`table inet e2efwd chain fwd handle 4: "ip daddr 172.17.0.0/16 drop" (no counter)`,
		`table inet e2efwd chain more handle 7: "meta l4proto tcp reject" (no counter)`,
		`table ip filter chain FORWARD (hook forward): policy drop`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("drops (the node's own tables must be left out):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	fwd := forwardDrops(rs, []netip.Prefix{netip.MustParsePrefix("10.88.0.0/16"), netip.MustParsePrefix("fd88::/16")})
	wantFwd := []string{want[1], want[4], want[5]} // not docker0's, not 172.17/16, not the input table
	if strings.Join(fwd, "\n") != strings.Join(wantFwd, "\n") {
		t.Fatalf("forward drops:\n%s\nwant:\n%s", strings.Join(fwd, "\n"), strings.Join(wantFwd, "\n"))
	}

	after := parseRuleset(strings.Replace(ruleset1, "packets 7 bytes", "packets 9 bytes", 1))
	m := moved(rs.Drops, after.Drops)
	if len(m) != 1 || !strings.Contains(m[0], "e2ewg chain in handle 2") || !strings.Contains(m[0], "dropped 2 packet(s)") {
		t.Fatalf("moved: %q", m)
	}
}

func TestCaptures(t *testing.T) {
	cidr := netip.MustParsePrefix("10.88.2.0/24")
	p := netip.MustParsePrefix
	routes := []hostRoute{
		{Dst: p("10.88.2.0/24"), Dev: "wgkube", Table: tableMain},  // kubenode's
		{Dst: p("0.0.0.0/0"), Dev: "eth0", Table: tableMain},       // broader, main: longest prefix wins
		{Dst: p("10.88.2.1/32"), Dev: "wgkube", Table: tableLocal}, // local table
		{Dst: p("10.88.0.0/16"), Dev: "eth0", Table: 100},          // broader, chosen before main
		{Dst: p("0.0.0.0/0"), Dev: "tun0", Table: 200},             // rule after main
		{Dst: p("10.88.2.128/25"), Dev: "eth0", Table: tableMain},  // more specific
		{Dst: p("fd88:2::/32"), Dev: "eth0", Table: tableMain},     // other family
		{Dst: p("10.0.0.0/8"), Dev: "eth1", Table: 300},            // its rule is for elsewhere
	}
	rules := []hostRule{
		{Priority: 0, Table: tableLocal, Text: "0: from all lookup local"},
		{Priority: 100, Table: 100, Dst: p("10.88.2.0/24"), Text: "100: from all to 10.88.2.0/24 lookup 100"},
		{Priority: 150, Table: 300, Dst: p("192.168.0.0/16"), Text: "150: to 192.168.0.0/16 lookup 300"},
		{Priority: 32766, Table: tableMain, Text: "32766: from all lookup main"},
		{Priority: 32800, Table: 200, Text: "32800: from all lookup 200"},
	}
	own := func(r hostRoute) bool { return r.Table == tableMain && r.Dev == "wgkube" }
	got := captures(cidr, routes, rules, own)
	if len(got) != 2 || !strings.Contains(got[0], "10.88.0.0/16 dev eth0 table 100") || !strings.Contains(got[0], "100: from all to 10.88.2.0/24 lookup 100") ||
		!strings.Contains(got[1], "10.88.2.128/25 dev eth0 is as specific") {
		t.Fatalf("captures:\n%s", strings.Join(got, "\n"))
	}
	if got := captures(cidr, routes[:3], rules, own); len(got) != 0 {
		t.Fatalf("kubenode's own route and a main default route capture nothing: %q", got)
	}
}

func TestClock(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 300e6, time.UTC)
	a := APIAnswer{Date: now.Truncate(time.Second), Sent: now.Add(-10 * time.Millisecond), Received: now.Add(10 * time.Millisecond)}
	if r := clockResult(a); r.Status != check.OK {
		t.Fatalf("in step: %+v", r)
	}
	a.Date = a.Date.Add(-5 * time.Second)
	if r := clockResult(a); r.Status != check.Fail || !strings.Contains(r.Message, "4.8s off") {
		t.Fatalf("5s behind: %+v", r)
	}
}

func TestComponents(t *testing.T) {
	healthy := []supervisor.ComponentStatus{
		{Name: "etcd", State: supervisor.StateReady, Conditions: []supervisor.Condition{{Type: "NoAlarm", OK: true}}},
		{Name: "kubelet", State: supervisor.StateReady},
	}
	r := &run{in: Input{Running: true, Components: healthy}}
	if res := r.components(); res.Status != check.OK {
		t.Errorf("healthy node: %+v", res)
	}
	r.in.Running = false
	if res := r.components(); res.Status != check.Skip {
		t.Errorf("stopped node: %+v", res)
	}
	sick := []supervisor.ComponentStatus{
		healthy[1],
		{Name: "mesh", State: supervisor.StateDegraded, Conditions: []supervisor.Condition{{Type: "PeersApplied", Message: "3 applies failed"}}},
		{Name: "coredns", State: supervisor.StateFailed, Err: "listen: address in use"},
	}
	r = &run{in: Input{Running: true, Components: sick}}
	res := r.components()
	got := strings.Join(res.Evidence, "\n")
	want := "mesh: degraded\nmesh: PeersApplied: 3 applies failed\ncoredns: failed: listen: address in use"
	if res.Status != check.Fail || got != want {
		t.Errorf("sick node: status %s, evidence\n%s\nwant\n%s", res.Status, got, want)
	}
}

type lanHost struct{}

func (lanHost) Addrs() ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("192.168.77.2"), netip.MustParseAddr("fd77::2")}, nil
}
func (h lanHost) DefaultRouteSources() ([]netip.Addr, error) { return h.Addrs() }

// A set element missing from kubenode's table is one difference, named.
func TestNFTablesElementDifference(t *testing.T) {
	ctx := context.Background()
	f, err := config.Parse([]byte("nodeIndex: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	f.DataDir, f.RunDir = filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "run")
	cfg, err := f.Resolve(lanHost{})
	if err != nil {
		t.Fatal(err)
	}
	h := netsetup.NewFakeHost(netsetup.Facts{Underlay: "eth0", UnderlayMTU: 1500})
	primary := []netsetup.Peer{{Index: 1, PublicKey: "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=", Endpoint: "192.168.77.1"}}
	n, err := netsetup.New(cfg, primary, logr.Discard(), netsetup.WithHost(h))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	tx := h.NFT.NewTransaction()
	tx.Delete(&knftables.Element{Set: "primary-v4", Key: []string{"192.168.77.1"}})
	if err := h.NFT.Run(ctx, tx); err != nil {
		t.Fatal(err)
	}
	st, err := n.Show(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := &run{cfg: cfg, status: st, byArea: map[string][]string{}}
	r.classify()
	res := r.planOnly(check.NFTables, "as planned")
	got := strings.Join(res.Evidence, "\n")
	if res.Status != check.Fail || res.Message != "1 difference(s) from kubenode's plan" || got != "plan: + 192.168.77.1 in set primary-v4" {
		t.Errorf("status %s, %q, evidence:\n%s", res.Status, res.Message, got)
	}
}
