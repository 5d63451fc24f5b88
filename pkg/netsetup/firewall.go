package netsetup

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"

	"sigs.k8s.io/knftables"

	"github.com/kubenode/kubenode/pkg/config"
)

const kubeletPort = 10250

// TableSpec is kubenode's nftables table, rebuilt as a whole when any rule
// differs.
type TableSpec struct {
	Family knftables.Family
	Name   string
	Chains []ChainSpec
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
	if cfg.NodeIndex != 1 {
		// The primary reaches kubelet over the mesh from its host IPs, or
		// over the underlay from its endpoint address.
		primary := map[string][]string{}
		for _, a := range cfg.HostIPsOf(1) {
			primary[fam(a)] = append(primary[fam(a)], a.String())
		}
		for _, p := range peers {
			if p.Index == 1 {
				a := p.Endpoint.Addr()
				primary[fam(a)] = append(primary[fam(a)], a.String())
			}
		}
		for _, f := range []string{"ip", "ip6"} {
			if len(primary[f]) > 0 {
				input = append(input, rule("kubelet from the primary",
					fmt.Sprintf("%s saddr { %s } tcp dport %d accept", f, strings.Join(primary[f], ", "), kubeletPort)))
			}
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
		Chains: []ChainSpec{
			{Name: "input", Type: knftables.FilterType, Hook: knftables.InputHook, Priority: knftables.FilterPriority, Rules: input},
			{Name: "forward", Type: knftables.FilterType, Hook: knftables.ForwardHook, Priority: knftables.FilterPriority, Rules: forward},
			{Name: "postrouting", Type: knftables.NATType, Hook: knftables.PostroutingHook, Priority: knftables.SNATPriority, Rules: post},
		},
	}
}

// transaction adds to tx what rebuilds the table: add the table, then per
// chain add and flush, then the rules; Run applies it atomically. Chains the
// table has but the spec lacks (from an older kubenode) are dropped.
func (t *TableSpec) transaction(tx *knftables.Transaction, existing []string) {
	tx.Add(&knftables.Table{Comment: knftables.PtrTo("kubenode: rebuilt by `kubenode network apply`, removed by `kubenode reset`")})
	want := map[string]bool{}
	for _, c := range t.Chains {
		want[c.Name] = true
	}
	for _, name := range existing {
		if !want[name] {
			tx.Flush(&knftables.Chain{Name: name})
			tx.Delete(&knftables.Chain{Name: name})
		}
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
}

// String prints the table as an nft script, for plans.
func (t *TableSpec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s %s {\n", t.Family, t.Name)
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

// TableState is what `nft -j list table inet kubenode` shows, as knftables
// reads it back: chain names and rule comments in order.
type TableState struct {
	Chains map[string][]string
}

// inSync reports whether the table already holds exactly the spec's rules.
func (t *TableSpec) inSync(st *TableState) bool {
	if st == nil || len(st.Chains) != len(t.Chains) {
		return false
	}
	for _, c := range t.Chains {
		got, ok := st.Chains[c.Name]
		if !ok || len(got) != len(c.Rules) {
			return false
		}
		for i, r := range c.Rules {
			if got[i] != r.Comment {
				return false
			}
		}
	}
	return true
}
