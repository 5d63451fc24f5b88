package netsetup

import (
	"context"

	"github.com/vishvananda/netlink"
)

// HostChanges reports, until ctx ends, every change of a link, an address
// or a route in this process's network namespace, coalesced: the channel
// holds at most one pending signal. Pods coming and going (their veths)
// signal too; a plan of an unchanged host is cheap.
func HostChanges(ctx context.Context) (<-chan struct{}, error) {
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	links := make(chan netlink.LinkUpdate, 16)
	addrs := make(chan netlink.AddrUpdate, 16)
	routes := make(chan netlink.RouteUpdate, 16)
	done := ctx.Done()
	if err := netlink.LinkSubscribeWithOptions(links, done, netlink.LinkSubscribeOptions{}); err != nil {
		return nil, err
	}
	if err := netlink.AddrSubscribeWithOptions(addrs, done, netlink.AddrSubscribeOptions{}); err != nil {
		return nil, err
	}
	if err := netlink.RouteSubscribeWithOptions(routes, done, netlink.RouteSubscribeOptions{}); err != nil {
		return nil, err
	}
	go func() {
		// The subscriptions close their channels once done is closed.
		for links != nil || addrs != nil || routes != nil {
			select {
			case _, ok := <-links:
				if !ok {
					links = nil
					continue
				}
			case _, ok := <-addrs:
				if !ok {
					addrs = nil
					continue
				}
			case _, ok := <-routes:
				if !ok {
					routes = nil
					continue
				}
			}
			signal()
		}
	}()
	return out, nil
}
