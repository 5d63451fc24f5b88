package netsetup

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"sigs.k8s.io/knftables"

	"github.com/kubenode/kubenode/pkg/config"
)

const kubeletPort = 10250

// TableSpec is kubenode's nftables table. Its chains are static for a
// given config: what changes at run time (the peers) lives in named sets
// that the rules refer to ("ip saddr @primary-v4"), so a peer change only
// adds and deletes set elements. The chains are rebuilt, as a whole, only
// when a rule differs (an upgrade, a config change).
type TableSpec struct {
	Family knftables.Family
	Name   string
	Sets   []SetSpec
	Chains []ChainSpec
}

// SetSpec is a named set of addresses of one family.
type SetSpec struct {
	Name     string
	Type     string   // ipv4_addr or ipv6_addr
	Elements []string // sorted, as nft prints them
}

// ChainSpec is a base chain with its rules in order.
type ChainSpec struct {
	Name     string
	Type     knftables.BaseChainType
	Hook     knftables.BaseChainHook
	Priority knftables.BaseChainPriority
	Rules    []RuleSpec
}

// RuleSpec is one rule; Comment carries a short hash of Rule so that the
// diff can tell from `nft -j list` (which knftables reads back as comments
// only) whether the rule text is what the config asks for.
type RuleSpec struct {
	Rule    string
	Comment string
}

func rule(why, text string) RuleSpec {
	h := sha256.Sum256([]byte(text))
	return RuleSpec{Rule: text, Comment: why + " #" + hex.EncodeToString(h[:4])}
}

// firewall is kubenode's table. Every chain's policy is accept: the table
// must not break the host, and an accept here cannot override another
// table's drop anyway. So it only drops what is kubenode's to restrict:
// WireGuard from anywhere but the underlay, kubelet from anyone but the
// primary, and peers forwarding anywhere but this node's pods. The accept
// rules before those say, in one place, what traffic the node needs.
func firewall(cfg *config.Config, s *Spec, peers []WireGuardPeer, hostIPs map[bool]netip.Addr) TableSpec {
	own := cfg.NodeCIDRs(cfg.NodeIndex)
	wgPort := cfg.Network.WireGuardPort
	fam := func(p netip.Addr) string {
		if p.Is4() {
			return "ip"
		}
		return "ip6"
	}

	input := []RuleSpec{
		rule("return traffic", "ct state established,related accept"),
		rule("loopback, incl. the node's own components", `iifname "lo" accept`),
		rule("ICMP and ICMPv6, incl. neighbour discovery and PMTU", "meta l4proto { icmp, ipv6-icmp } accept"),
		rule("WireGuard from the underlay", fmt.Sprintf(`iifname %q udp dport %d accept`, s.Underlay, wgPort)),
		rule("WireGuard from anywhere else", fmt.Sprintf("udp dport %d drop", wgPort)),
	}
	var sets []SetSpec
	if cfg.NodeIndex != 1 {
		// The primary reaches kubelet over the mesh from its host IPs, or
		// over the underlay from its endpoint address, which comes with the
		// peer list: so a set, one per family that has addresses.
		primary := map[bool][]netip.Addr{} // by Is4
		for _, a := range cfg.HostIPsOf(1) {
			primary[a.Is4()] = append(primary[a.Is4()], a)
		}
		for _, p := range peers {
			if p.Index == 1 {
				a := p.Endpoint.Addr()
				primary[a.Is4()] = append(primary[a.Is4()], a)
			}
		}
		for _, is4 := range []bool{true, false} {
			if len(primary[is4]) == 0 {
				continue
			}
			set := addrSet("primary", is4, primary[is4])
			sets = append(sets, set)
			input = append(input, rule("kubelet from the primary",
				fmt.Sprintf("%s saddr @%s tcp dport %d accept", fam(primary[is4][0]), set.Name, kubeletPort)))
		}
	}
	input = append(input,
		rule("kubelet from anyone else", fmt.Sprintf("tcp dport %d drop", kubeletPort)),
		rule("Kubernetes API", fmt.Sprintf("tcp dport %d accept", cfg.APIPort)),
	)
	for _, p := range cfg.ServiceCIDRs {
		input = append(input, rule("service IPs", fmt.Sprintf("%s daddr %s accept", fam(p.Addr()), p)))
	}
	for _, is4 := range []bool{true, false} {
		if ip, ok := hostIPs[is4]; ok {
			input = append(input, rule("DNS from pods to the node's host IP",
				fmt.Sprintf(`iifname %q %s daddr %s meta l4proto { tcp, udp } th dport 53 accept`, BridgeName, fam(ip), ip)))
		}
	}

	forward := []RuleSpec{
		rule("return traffic", "ct state established,related accept"),
		rule("Service traffic after kube-proxy's DNAT", "ct status dnat accept"),
		rule("pods out, incl. pod to pod on the bridge", fmt.Sprintf(`iifname %q accept`, BridgeName)),
	}
	for _, p := range own {
		forward = append(forward, rule("peers to this node's pods",
			fmt.Sprintf(`iifname %q %s daddr %s accept`, WireGuardName, fam(p.Addr()), p)))
	}
	forward = append(forward, rule("peers to anywhere else", fmt.Sprintf(`iifname %q drop`, WireGuardName)))

	var post []RuleSpec
	for i, p := range own {
		post = append(post, rule("pods leaving the cluster range",
			fmt.Sprintf(`iifname %q %s saddr %s %s daddr != %s masquerade`, BridgeName, fam(p.Addr()), p, fam(p.Addr()), cfg.ClusterCIDRs[i])))
	}

	return TableSpec{
		Family: knftables.InetFamily,
		Name:   TableName,
		Sets:   sets,
		Chains: []ChainSpec{
			{Name: "input", Type: knftables.FilterType, Hook: knftables.InputHook, Priority: knftables.FilterPriority, Rules: input},
			{Name: "forward", Type: knftables.FilterType, Hook: knftables.ForwardHook, Priority: knftables.FilterPriority, Rules: forward},
			{Name: "postrouting", Type: knftables.NATType, Hook: knftables.PostroutingHook, Priority: knftables.SNATPriority, Rules: post},
		},
	}
}

// addrSet is the set NAME-v4 or NAME-v6 holding addrs.
func addrSet(name string, is4 bool, addrs []netip.Addr) SetSpec {
	set := SetSpec{Name: name + "-v6", Type: "ipv6_addr"}
	if is4 {
		set = SetSpec{Name: name + "-v4", Type: "ipv4_addr"}
	}
	addrs = slices.Clone(addrs)
	slices.SortFunc(addrs, netip.Addr.Compare)
	for _, a := range slices.Compact(addrs) {
		set.Elements = append(set.Elements, a.String())
	}
	return set
}

// TableState is what `nft -j list table inet kubenode` shows, as knftables
// reads it back: chain names and rule comments in order, and the elements
// of each set.
type TableState struct {
	Chains map[string][]string
	Sets   map[string][]string
}

// tableDiff is what turns the live table into the spec.
type tableDiff struct {
	Create bool // there is no table
	// Rebuild: a chain's rules differ, or the table has a chain or set the
	// spec lacks (from another version of kubenode): every chain is
	// flushed and filled again.
	Rebuild     bool
	StaleChains []string
	StaleSets   []string
	// Elements to add to and delete from the sets (a set the table lacks
	// is added with all its elements).
	Elements []elementChange
}

type elementChange struct {
	Set  string
	Elem string
	Add  bool
}

func (d *tableDiff) empty() bool { return !d.Create && !d.Rebuild && len(d.Elements) == 0 }

// diff compares the live table (nil: none) with the spec.
func (t *TableSpec) diff(st *TableState) tableDiff {
	if st == nil {
		st = &TableState{}
		d := t.diff(st)
		d.Create, d.Rebuild = true, true
		return d
	}
	var d tableDiff
	want := map[string]bool{}
	for _, c := range t.Chains {
		want[c.Name] = true
		if got, ok := st.Chains[c.Name]; !ok || !slices.Equal(got, c.comments()) {
			d.Rebuild = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(st.Chains)) {
		if !want[name] {
			d.StaleChains = append(d.StaleChains, name)
		}
	}
	want = map[string]bool{}
	for _, set := range t.Sets {
		want[set.Name] = true
		have := map[string]bool{}
		for _, e := range st.Sets[set.Name] {
			have[e] = true
		}
		for _, e := range set.Elements {
			if !have[e] {
				d.Elements = append(d.Elements, elementChange{Set: set.Name, Elem: e, Add: true})
			}
			delete(have, e)
		}
		for _, e := range slices.Sorted(maps.Keys(have)) {
			d.Elements = append(d.Elements, elementChange{Set: set.Name, Elem: e})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(st.Sets)) {
		if !want[name] {
			d.StaleSets = append(d.StaleSets, name)
		}
	}
	if len(d.StaleChains) > 0 || len(d.StaleSets) > 0 {
		// A stale set may still be referenced by a rule: it goes after the
		// chains are flushed.
		d.Rebuild = true
	}
	return d
}

func (c *ChainSpec) comments() []string {
	out := make([]string, len(c.Rules))
	for i, r := range c.Rules {
		out[i] = r.Comment
	}
	return out
}

// transaction adds to tx what turns the table into the spec, given d; Run
// applies it atomically. The sets come first, as the rules refer to them;
// without a rebuild, the chains are left alone.
func (t *TableSpec) transaction(tx *knftables.Transaction, d tableDiff) {
	tx.Add(&knftables.Table{Comment: knftables.PtrTo("kubenode: rebuilt by `kubenode network apply`, removed by `kubenode reset`")})
	for _, set := range t.Sets {
		tx.Add(&knftables.Set{Name: set.Name, Type: set.Type})
	}
	for _, e := range d.Elements {
		el := &knftables.Element{Set: e.Set, Key: []string{e.Elem}}
		if e.Add {
			tx.Add(el)
		} else {
			tx.Delete(el)
		}
	}
	if !d.Rebuild {
		return
	}
	for _, name := range d.StaleChains {
		tx.Flush(&knftables.Chain{Name: name})
		tx.Delete(&knftables.Chain{Name: name})
	}
	for _, c := range t.Chains {
		tx.Add(&knftables.Chain{
			Name:     c.Name,
			Type:     knftables.PtrTo(c.Type),
			Hook:     knftables.PtrTo(c.Hook),
			Priority: knftables.PtrTo(c.Priority),
			Policy:   knftables.PtrTo(knftables.AcceptPolicy),
		})
		tx.Flush(&knftables.Chain{Name: c.Name})
		for _, r := range c.Rules {
			tx.Add(&knftables.Rule{Chain: c.Name, Rule: r.Rule, Comment: knftables.PtrTo(r.Comment)})
		}
	}
	for _, name := range d.StaleSets {
		tx.Delete(&knftables.Set{Name: name})
	}
}

// String prints the table as an nft script, for plans.
func (t *TableSpec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s %s {\n", t.Family, t.Name)
	for _, s := range t.Sets {
		fmt.Fprintf(&b, "\tset %s {\n\t\ttype %s\n\t\telements = { %s }\n\t}\n", s.Name, s.Type, strings.Join(s.Elements, ", "))
	}
	for _, c := range t.Chains {
		fmt.Fprintf(&b, "\tchain %s {\n\t\ttype %s hook %s priority %s; policy accept;\n", c.Name, c.Type, c.Hook, c.Priority)
		for _, r := range c.Rules {
			fmt.Fprintf(&b, "\t\t%s comment %q\n", r.Rule, r.Comment)
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return b.String()
}
