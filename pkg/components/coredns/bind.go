package coredns

import (
	"net/netip"
	"slices"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
)

// The vendored CoreDNS module does not include plugin/bind, and without bind
// a server listens on the wildcard address. This is the part of it kubenode
// needs: "bind ADDR..." with IP addresses only (no interface names, no
// except block). It sets the same config field as upstream's plugin, so the
// kubernetes plugin's view of the bound addresses is the same too.
//
// If plugin/bind is ever vendored and imported, delete this file and import
// it instead: two registrations under one name panic, and which of the two
// init functions runs first depends on import paths.
func init() {
	if slices.Contains(caddy.ListPlugins()["others"], "dns.bind") {
		return // upstream's plugin is linked in and initialised first; use it
	}
	plugin.Register("bind", setupBind)
}

func setupBind(c *caddy.Controller) error {
	var all []string
	for c.Next() {
		args := c.RemainingArgs()
		if len(args) == 0 {
			return plugin.Error("bind", c.ArgErr())
		}
		for _, a := range args {
			if _, err := netip.ParseAddr(a); err != nil {
				return plugin.Error("bind", c.Errf("not an IP address: %q", a))
			}
			all = append(all, a)
		}
		if c.NextBlock() {
			return plugin.Error("bind", c.Errf("unknown property %q", c.Val()))
		}
	}
	dnsserver.GetConfig(c).ListenHosts = all
	return nil
}
