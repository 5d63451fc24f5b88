package doctor

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// nftRule is one rule of another table than kubenode's, read from
// `nft -a list ruleset`, for the rules that drop or reject.
type nftRule struct {
	Family, Table, Chain string
	Hook                 string // the chain's hook, "" for a regular chain
	Handle               int
	Text                 string // the rule without its counter and handle
	Packets              int64  // -1: the rule has no counter
	Policy               bool   // not a rule: the base chain's drop policy
}

func (r nftRule) key() string {
	return fmt.Sprintf("%s %s %s %d %v", r.Family, r.Table, r.Chain, r.Handle, r.Policy)
}

func (r nftRule) String() string {
	if r.Policy {
		return fmt.Sprintf("table %s %s chain %s (hook %s): policy drop", r.Family, r.Table, r.Chain, r.Hook)
	}
	counter := "no counter"
	if r.Packets >= 0 {
		counter = fmt.Sprintf("counter %d packets", r.Packets)
	}
	return fmt.Sprintf("table %s %s chain %s handle %d: %q (%s)", r.Family, r.Table, r.Chain, r.Handle, r.Text, counter)
}

var (
	tableLine   = regexp.MustCompile(`^table (\S+) (\S+) \{`)
	chainLine   = regexp.MustCompile(`^chain (\S+) \{`)
	hookLine    = regexp.MustCompile(`^type \S+ hook (\S+) .*policy (\S+);`)
	handleTail  = regexp.MustCompile(`\s*# handle (\d+)$`)
	counterPart = regexp.MustCompile(`\s*counter packets (\d+) bytes \d+`)
	dropVerdict = regexp.MustCompile(`(^|\s)(drop|reject)(\s|$)`)
)

// ownTables are the node's own: kubenode's and kube-proxy's (which runs in
// the node and drops traffic to Service IPs without endpoints on purpose).
var ownTables = map[string]bool{"inet kubenode": true, "ip kube-proxy": true, "ip6 kube-proxy": true}

// ruleset is what doctor needs of the tables that are not the node's own.
type ruleset struct {
	Drops []nftRule       // drop and reject rules, and drop policies
	Hooks map[string]bool // "FAMILY TABLE HOOK" for each base chain
}

// parseRuleset reads `nft -a list ruleset`.
func parseRuleset(text string) ruleset {
	rs := ruleset{Hooks: map[string]bool{}}
	var out []nftRule
	var fam, table, chain, hook string
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if m := tableLine.FindStringSubmatch(line); m != nil {
			fam, table, chain, hook = m[1], m[2], "", ""
			continue
		}
		if m := chainLine.FindStringSubmatch(line); m != nil {
			chain, hook = m[1], ""
			continue
		}
		if table == "" || chain == "" || ownTables[fam+" "+table] {
			continue
		}
		if m := hookLine.FindStringSubmatch(line); m != nil {
			hook = m[1]
			rs.Hooks[fam+" "+table+" "+hook] = true
			if m[2] == "drop" {
				out = append(out, nftRule{Family: fam, Table: table, Chain: chain, Hook: hook, Policy: true, Packets: -1})
			}
			continue
		}
		h := handleTail.FindStringSubmatch(line)
		if h == nil {
			continue
		}
		body := strings.TrimSpace(handleTail.ReplaceAllString(line, ""))
		if !dropVerdict.MatchString(body) {
			continue
		}
		r := nftRule{Family: fam, Table: table, Chain: chain, Hook: hook, Packets: -1}
		r.Handle, _ = strconv.Atoi(h[1])
		if c := counterPart.FindStringSubmatch(body); c != nil {
			r.Packets, _ = strconv.ParseInt(c[1], 10, 64)
			body = strings.TrimSpace(counterPart.ReplaceAllString(body, ""))
		}
		r.Text = body
		out = append(out, r)
	}
	rs.Drops = out
	return rs
}

// moved returns the rules whose counters grew between before and after:
// the ones that dropped a probe.
func moved(before, after []nftRule) []string {
	prev := map[string]int64{}
	for _, r := range before {
		prev[r.key()] = r.Packets
	}
	var out []string
	for _, r := range after {
		if p, ok := prev[r.key()]; ok && r.Packets > p {
			out = append(out, fmt.Sprintf("%s dropped %d packet(s) during the probe", r, r.Packets-p))
		}
	}
	return out
}

var (
	ifaceMatch = regexp.MustCompile(`\b[io]ifname (!= )?(\{[^}]*\}|"?[^" ]+"?)`)
	addrMatch  = regexp.MustCompile(`[0-9a-fA-F:.]+/\d+|\b\d+\.\d+\.\d+\.\d+\b`)
)

// dropsPodTraffic says whether a rule of a table hooked into forward can
// drop pod traffic that kubenode's forward chain accepts (from brkube, or
// from wgkube to this node's pods). A rule that names only other
// interfaces, or only addresses outside the cluster ranges, cannot.
func dropsPodTraffic(r nftRule, cluster []netip.Prefix) bool {
	if r.Policy {
		return true
	}
	if ifs := ifaceMatch.FindAllStringSubmatch(r.Text, -1); len(ifs) > 0 {
		ours := false
		for _, m := range ifs {
			if m[1] != "" || strings.Contains(m[2], "brkube") || strings.Contains(m[2], "wgkube") {
				ours = true // a negation, or one of kubenode's links
			}
		}
		if !ours {
			return false
		}
	}
	if addrs := addrMatch.FindAllString(r.Text, -1); len(addrs) > 0 {
		for _, a := range addrs {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				ip, err := netip.ParseAddr(a)
				if err != nil {
					return true // not sure: report it
				}
				p = netip.PrefixFrom(ip, ip.BitLen())
			}
			for _, c := range cluster {
				if c.Overlaps(p) {
					return true
				}
			}
		}
		return false
	}
	return true
}

// forwardDrops are the foreign rules in the tables hooked into forward
// that can drop pod traffic.
func forwardDrops(rs ruleset, cluster []netip.Prefix) []string {
	var out []string
	for _, r := range rs.Drops {
		// A regular chain of a table with a forward chain may be jumped to
		// from it; an input-only table cannot touch forwarded traffic.
		if r.Hook == "forward" || (r.Hook == "" && rs.Hooks[r.Family+" "+r.Table+" forward"]) {
			if dropsPodTraffic(r, cluster) {
				out = append(out, r.String())
			}
		}
	}
	return out
}
