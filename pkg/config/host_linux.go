package config

import (
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// LiveHost reads addresses and routes of the current network namespace.
type LiveHost struct{}

func (LiveHost) Addrs() ([]netip.Addr, error) {
	list, err := netlink.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(list))
	for _, a := range list {
		if ip, ok := netip.AddrFromSlice(a.IP); ok {
			out = append(out, ip.Unmap())
		}
	}
	return out, nil
}

func (LiveHost) DefaultRouteSources() ([]netip.Addr, error) {
	var out []netip.Addr
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		routes, err := netlink.RouteListFiltered(fam, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return nil, err
		}
		for _, r := range routes {
			if r.Dst != nil {
				if ones, _ := r.Dst.Mask.Size(); ones != 0 {
					continue
				}
			}
			// Ask the kernel which source it would use, as `ip route get` does.
			probe := netip.MustParseAddr("192.0.2.1")
			if fam == unix.AF_INET6 {
				probe = netip.MustParseAddr("2001:db8::1")
			}
			got, err := netlink.RouteGet(probe.AsSlice())
			if err != nil || len(got) == 0 {
				continue
			}
			if ip, ok := netip.AddrFromSlice(got[0].Src); ok && ip.IsValid() && !ip.IsUnspecified() {
				out = append(out, ip.Unmap())
			}
			break
		}
	}
	return out, nil
}
