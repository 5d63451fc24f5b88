package netsetup

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/knftables"
)

// worker2 is node 2 with the primary (node 1) at 192.168.77.1 and node 3
// as peers, applied on a fake host.
func worker2(t *testing.T) (*Network, *FakeHost) {
	t.Helper()
	cfg := node(t, "nodeIndex: 2\n", priv2)
	h := NewFakeHost(lanFacts())
	n := newNet(t, cfg, workerPeers(t, "192.168.77.1"), h)
	if _, err := n.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return n, h
}

func workerPeers(t testing.TB, primary string) []Peer {
	return []Peer{{Index: 1, PublicKey: pub(t, priv1), Endpoint: primary}, {Index: 3, PublicKey: pub(t, priv3), Endpoint: "192.168.77.3"}}
}

// elements returns the live elements of a set of the fake table.
func elements(t *testing.T, h *FakeHost, set string) []string {
	t.Helper()
	st, err := observeTable(context.Background(), h.NFT)
	if err != nil {
		t.Fatal(err)
	}
	out := slices.Clone(st.Sets[set])
	slices.Sort(out)
	return out
}

// onlyElements fails unless the table's last transaction touched set
// elements alone: no chain flushed, no rule added.
func onlyElements(t *testing.T, tx *knftables.Transaction, want ...string) {
	t.Helper()
	s := tx.String()
	for _, bad := range []string{"flush", "add rule", "add chain", "delete chain"} {
		if strings.Contains(s, bad) {
			t.Errorf("transaction has %q, want set elements only:\n%s", bad, s)
		}
	}
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("transaction lacks %q:\n%s", w, s)
		}
	}
}

// The primary moving, leaving and coming back changes only the elements
// of primary-v4 and primary-v6; another peer's change leaves the table
// alone.
func TestPeerChangeChangesOnlySetElements(t *testing.T) {
	ctx := context.Background()
	n, h := worker2(t)
	if got := elements(t, h, "primary-v4"); !slices.Equal(got, []string{"10.88.1.1", "192.168.77.1"}) {
		t.Fatalf("primary-v4 = %q", got)
	}
	steps := []struct {
		name   string
		peers  []Peer
		want   []string // in the transaction
		v4, v6 []string // the sets after
	}{
		{"primary moves", workerPeers(t, "192.168.77.10"),
			[]string{"add element inet kubenode primary-v4 { 192.168.77.10 }", "delete element inet kubenode primary-v4 { 192.168.77.1 }"},
			[]string{"10.88.1.1", "192.168.77.10"}, []string{"fd88:1::1"}},
		{"primary moves to IPv6", workerPeers(t, "fd77::1"),
			[]string{"add element inet kubenode primary-v6 { fd77::1 }", "delete element inet kubenode primary-v4 { 192.168.77.10 }"},
			[]string{"10.88.1.1"}, []string{"fd77::1", "fd88:1::1"}},
		{"primary leaves the peer list", workerPeers(t, "fd77::1")[1:],
			[]string{"delete element inet kubenode primary-v6 { fd77::1 }"},
			[]string{"10.88.1.1"}, []string{"fd88:1::1"}},
		{"primary comes back", workerPeers(t, "192.168.77.1"),
			[]string{"add element inet kubenode primary-v4 { 192.168.77.1 }"},
			[]string{"10.88.1.1", "192.168.77.1"}, []string{"fd88:1::1"}},
	}
	for _, s := range steps {
		if err := n.SetPeers(ctx, s.peers); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		onlyElements(t, h.NFT.LastTransaction, s.want...)
		if got := elements(t, h, "primary-v4"); !slices.Equal(got, s.v4) {
			t.Errorf("%s: primary-v4 = %q, want %q", s.name, got, s.v4)
		}
		if got := elements(t, h, "primary-v6"); !slices.Equal(got, s.v6) {
			t.Errorf("%s: primary-v6 = %q, want %q", s.name, got, s.v6)
		}
	}

	// Node 3 moves and node 4 joins: the table does not change.
	calls := len(h.Calls)
	peers := append(workerPeers(t, "192.168.77.1")[:1], Peer{Index: 3, PublicKey: pub(t, priv3), Endpoint: "192.168.77.33"}, Peer{Index: 4, PublicKey: pub(t, priv4), Endpoint: "192.168.77.4"})
	if err := n.SetPeers(ctx, peers); err != nil {
		t.Fatal(err)
	}
	for _, c := range h.Calls[calls:] {
		if strings.HasPrefix(c, "sync table") {
			t.Errorf("a change of another peer touched the table: %q", h.Calls[calls:])
		}
	}
}

// The plan names the elements that differ, and the next apply puts back
// an element deleted by hand and removes one added by hand, leaving the
// chains alone.
func TestSetElementChangedByHandIsRepaired(t *testing.T) {
	ctx := context.Background()
	n, h := worker2(t)
	tx := h.NFT.NewTransaction()
	tx.Delete(&knftables.Element{Set: "primary-v4", Key: []string{"192.168.77.1"}})
	tx.Add(&knftables.Element{Set: "primary-v6", Key: []string{"fd77::99"}})
	if err := h.NFT.Run(ctx, tx); err != nil {
		t.Fatal(err)
	}
	p, err := n.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 {
		t.Fatalf("plan has %d changes, want the table's:\n%s", len(p.Changes), p)
	}
	want := "~ nftables: table inet kubenode, set elements:\n    + 192.168.77.1 in set primary-v4\n    - fd77::99 in set primary-v6"
	if got := p.Changes[0].String(); got != want {
		t.Errorf("change:\n%s\nwant:\n%s", got, want)
	}
	if a := AreaOf(p.Changes[0]); a.Kind != AreaTable || a.Rebuild {
		t.Errorf("area %+v, want the table's, without a rebuild", a)
	}
	st, err := n.Show(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := st.String(); !strings.Contains(s, "\n  set primary-v4: 10.88.1.1\n  set primary-v6: fd77::99, fd88:1::1\n") {
		t.Errorf("show does not name the live elements:\n%s", s)
	}
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	onlyElements(t, h.NFT.LastTransaction, "add element inet kubenode primary-v4 { 192.168.77.1 }", "delete element inet kubenode primary-v6 { fd77::99 }")
	if p, _ := n.Plan(ctx); !p.Empty() {
		t.Fatalf("not repaired:\n%s", p)
	}
}

// oldTable is the table as kubenode wrote it before the sets: the
// primary's addresses as literal sets in the rules.
func oldTable(t testing.TB, spec TableSpec) TableSpec {
	t.Helper()
	old := spec
	old.Sets = nil
	old.Chains = slices.Clone(spec.Chains)
	for i, c := range old.Chains {
		old.Chains[i].Rules = slices.Clone(c.Rules)
		for j, r := range c.Rules {
			for _, set := range spec.Sets {
				if strings.Contains(r.Rule, "@"+set.Name+" ") {
					why, _, _ := strings.Cut(r.Comment, " #")
					old.Chains[i].Rules[j] = rule(why, strings.Replace(r.Rule, "@"+set.Name, "{ "+strings.Join(set.Elements, ", ")+" }", 1))
				}
			}
		}
	}
	return old
}

// A table with the literal addresses of an older kubenode is converted:
// the sets are added and the chains rebuilt in one transaction.
func TestOldTableIsConverted(t *testing.T) {
	ctx := context.Background()
	n, h := worker2(t)
	p, err := n.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := oldTable(t, p.Spec.Table)
	// The rules and comments the old code wrote (testdata/dual-node2.nft
	// before the sets).
	var rules []string
	for _, r := range old.Chains[0].Rules {
		if strings.HasPrefix(r.Comment, "kubelet from the primary") {
			rules = append(rules, fmt.Sprintf("%s comment %q", r.Rule, r.Comment))
		}
	}
	if d := strings.Join(rules, "\n"); d != `ip saddr { 10.88.1.1, 192.168.77.1 } tcp dport 10250 accept comment "kubelet from the primary #4c5eaf8a"`+"\n"+`ip6 saddr { fd88:1::1 } tcp dport 10250 accept comment "kubelet from the primary #8062762d"` {
		t.Fatalf("old rules:\n%s", d)
	}
	tx := h.NFT.NewTransaction()
	tx.Delete(&knftables.Table{})
	old.transaction(tx, old.diff(nil))
	if err := h.NFT.Run(ctx, tx); err != nil {
		t.Fatal(err)
	}

	if p, err = n.Plan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || !strings.HasPrefix(p.Changes[0].String(), "~ nftables: rebuild table inet kubenode (3 chains, 21 rules, 2 sets)") {
		t.Fatalf("plan for an old table, want a rebuild:\n%s", p)
	}
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(h.NFT.LastTransaction.String(), "flush chain"); got != 3 {
		t.Errorf("conversion flushed %d chains, want all 3 in one transaction:\n%s", got, h.NFT.LastTransaction)
	}
	dump := h.NFT.Dump()
	for _, want := range []string{"add set inet kubenode primary-v4 { type ipv4_addr ; }", "add element inet kubenode primary-v4 { 192.168.77.1 }", "ip saddr @primary-v4 tcp dport 10250 accept"} {
		if !strings.Contains(dump, want) {
			t.Errorf("converted table lacks %q:\n%s", want, dump)
		}
	}
	if strings.Contains(dump, "saddr {") {
		t.Errorf("converted table still has literal addresses:\n%s", dump)
	}
	if p, _ := n.Plan(ctx); !p.Empty() {
		t.Fatalf("not converged:\n%s", p)
	}
}

// A set the spec no longer has (a node that became the primary, or a
// newer kubenode's) goes, after the chains that may refer to it.
func TestStaleSetIsRemoved(t *testing.T) {
	ctx := context.Background()
	_, h := worker2(t)
	cfg := node(t, "nodeIndex: 1\n", priv1)
	n := newNet(t, cfg, peers23(t), h)
	p, err := n.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) == 0 || !strings.Contains(p.String(), "~ nftables: rebuild table inet kubenode (3 chains, 19 rules)") {
		t.Fatalf("plan does not rebuild the table:\n%s", p)
	}
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := observeTable(ctx, h.NFT)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Sets) != 0 {
		t.Errorf("sets left: %v", st.Sets)
	}
}
