package netsetup

import "net/netip"

// Area says which part of the host a change of a plan touches, so that a
// report (kubenode doctor) can put each difference under the check it
// belongs to without reading the change's text.
type Area struct {
	Kind string       // one of the Area* kinds
	Link string       // the link, for link, mtu and address changes
	Dst  netip.Prefix // the destination, for a route change
	// Rebuild: a table change that builds the chains, whose text then
	// holds the whole table (otherwise it lists only set elements).
	Rebuild bool
}

// The kinds of Area.
const (
	AreaLink      = "link" // created, set up, MAC kept
	AreaMTU       = "mtu"
	AreaAddress   = "address"
	AreaRoute     = "route"
	AreaSysctl    = "sysctl"
	AreaTable     = "table"
	AreaWireGuard = "wireguard" // key, port and peers
)

// AreaOf returns the part of the host c changes.
func AreaOf(c Change) Area {
	switch c := c.(type) {
	case *createLink:
		return Area{Kind: AreaLink, Link: c.Link.Name}
	case *upChange:
		return Area{Kind: AreaLink, Link: c.Link}
	case *keepMACChange:
		return Area{Kind: AreaLink, Link: c.Link}
	case *mtuChange:
		return Area{Kind: AreaMTU, Link: c.Link}
	case *addrChange:
		return Area{Kind: AreaAddress, Link: c.Link}
	case *routeChange:
		return Area{Kind: AreaRoute, Link: c.Route.Dev, Dst: c.Route.Dst}
	case *sysctlChange:
		return Area{Kind: AreaSysctl}
	case *tableChange:
		return Area{Kind: AreaTable, Rebuild: c.Diff.Rebuild}
	case *wireGuardChange:
		return Area{Kind: AreaWireGuard, Link: WireGuardName}
	}
	return Area{}
}
