package doctor

import (
	"fmt"
	"net/netip"
	"slices"
)

// Routing tables with fixed meanings.
const (
	tableDefault = 253
	tableMain    = 254
	tableLocal   = 255
)

// hostRoute is a route from any table, as doctor reads it.
type hostRoute struct {
	Dst   netip.Prefix
	Dev   string
	Via   netip.Addr
	Table int
	Src   netip.Addr
}

func (r hostRoute) String() string {
	s := r.Dst.String()
	if r.Via.IsValid() {
		s += " via " + r.Via.String()
	}
	if r.Dev != "" {
		s += " dev " + r.Dev
	}
	if r.Src.IsValid() {
		s += " src " + r.Src.String()
	}
	switch r.Table {
	case tableMain:
	case tableLocal:
		s += " table local"
	default:
		s += fmt.Sprintf(" table %d", r.Table)
	}
	return s
}

// hostRule is a policy routing rule that looks up a table.
type hostRule struct {
	Priority int
	Table    int
	Dst      netip.Prefix // invalid: any destination
	Text     string
}

// captures finds the routes other than kubenode's own that take traffic
// for cidr elsewhere than planned: a route in any table that is as
// specific as cidr or more (seed 000's shadowing routes), and a broader
// route (a VPN's default route, say) in a table that a rule consults before
// the main table for destinations in cidr. own are kubenode's routes
// (main table, on wgkube or brkube).
func captures(cidr netip.Prefix, routes []hostRoute, rules []hostRule, own func(hostRoute) bool) []string {
	mainPrio := 32766
	for _, r := range rules {
		if r.Table == tableMain {
			mainPrio = r.Priority
			break
		}
	}
	before := map[int]hostRule{} // tables consulted before main for cidr
	for _, r := range rules {
		if r.Priority >= mainPrio || r.Table == tableMain || r.Table == tableLocal || r.Table == tableDefault {
			continue
		}
		if r.Dst.IsValid() && !r.Dst.Overlaps(cidr) {
			continue
		}
		if _, seen := before[r.Table]; !seen {
			before[r.Table] = r
		}
	}
	var out []string
	for _, rt := range routes {
		if rt.Table == tableLocal || !rt.Dst.IsValid() || rt.Dst.Addr().Is4() != cidr.Addr().Is4() || own(rt) {
			continue
		}
		switch {
		case rt.Dst.Bits() >= cidr.Bits() && cidr.Contains(rt.Dst.Addr()):
			out = append(out, fmt.Sprintf("route %s is as specific as %s or more, so it takes (part of) its traffic", rt, cidr))
		case rt.Dst.Bits() < cidr.Bits() && rt.Dst.Contains(cidr.Addr()):
			if rule, ok := before[rt.Table]; ok {
				out = append(out, fmt.Sprintf("route %s covers %s, and rule %q sends the traffic to its table before the main table's route via wgkube", rt, cidr, rule.Text))
			}
		}
	}
	slices.Sort(out)
	return out
}
