package coredns

import (
	"net"
	"slices"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/plugin/metrics"
	"github.com/coredns/coredns/plugin/metrics/vars"
)

// metricsDirective puts CoreDNS's metrics handler (plugin/metrics: request
// counts, durations, sizes and rcodes per server and zone) into the chain
// without the listener its "prometheus" directive opens. Its series land
// where all of CoreDNS's do, in Prometheus' default registry, which the
// node's metrics endpoint serves.
const metricsDirective = "kubenode_metrics"

func init() {
	// Right after "prometheus", the place CoreDNS gives its own metrics
	// handler, so that it sees every answer, errors and cache hits too.
	i := slices.Index(dnsserver.Directives, "prometheus")
	dnsserver.Directives = slices.Insert(dnsserver.Directives, i+1, metricsDirective)
	plugin.Register(metricsDirective, setupMetrics)
}

func setupMetrics(c *caddy.Controller) error {
	m := metrics.New("") // nothing listens: OnStartup is never called
	for c.Next() {
		if len(c.RemainingArgs()) != 0 {
			return plugin.Error(metricsDirective, c.ArgErr())
		}
	}
	for _, z := range plugin.OriginsFromArgsOrServerBlock(nil, c.ServerBlockKeys) {
		m.AddZone(z)
	}
	c.OnStartup(func() error {
		conf := dnsserver.GetConfig(c)
		for _, h := range conf.ListenHosts {
			addr := conf.Transport + "://" + net.JoinHostPort(h, conf.Port)
			for _, p := range conf.Handlers() {
				vars.PluginEnabled.WithLabelValues(addr, conf.Zone, conf.ViewName, p.Name()).Set(1)
			}
		}
		return nil
	})
	dnsserver.GetConfig(c).AddPlugin(func(next plugin.Handler) plugin.Handler {
		m.Next = next
		return m
	})
	return nil
}
