// Package coredns runs CoreDNS in process, as the node's DNS server for pods:
// no DNS pod, no Deployment, no Service of its own. It listens on the node's
// host addresses on the pod bridge (the kubelet's clusterDNS), serves the
// static names of the cluster (nodeN.k8s.internal, api.k8s.internal) with the
// hosts plugin, the Services and pods of the cluster domain with the
// kubernetes plugin, and forwards everything else to the host's real
// resolvers (see Upstreams).
//
// CoreDNS is started from a rendered Corefile (see CoreDNS.Corefile) with
// caddy.Start, the way CoreDNS documents embedding. Only the plugins the
// Corefile uses are linked in (blank imports below; core/plugin would pull in
// every plugin and several cloud SDKs), plus a minimal bind (bind.go), which
// the vendored module lacks.
//
// # RBAC
//
// The kubernetes plugin, as configured here (pods insecure, no
// multicluster, no namespace or label selectors that change this), runs
// informers over all namespaces and needs exactly:
//
//	apiGroups: [""]                   resources: ["services"]       verbs: ["list", "watch"]
//	apiGroups: ["discovery.k8s.io"]   resources: ["endpointslices"] verbs: ["list", "watch"]
//	apiGroups: [""]                   resources: ["namespaces"]     verbs: ["list", "watch"]
//
// Not needed, although kubeadm's system:coredns role has them: pods (the pod
// informer runs only with "pods verified"), endpoints (the plugin reads
// EndpointSlices only since 1.9), nodes (GetNodeByName exists but nothing
// calls it), and serviceimports (multicluster only). No get, create or
// update: the plugin never writes. Read from plugin/kubernetes/controller.go
// of CoreDNS v1.14.7.
//
// # Process-wide effects
//
// CoreDNS and caddy are written to be a program of their own. In kubenode's
// process they touch these globals:
//
//   - Logging: CoreDNS's plugins (plugin/pkg/log) and caddy write through the
//     standard library's default logger (package log: "[INFO] plugin/x:
//     ..."). That is process-wide, so main points it at klog's output once
//     (logging.StdLog: component=coredns, plugin=x, the line's level); this
//     package's own lines go to CoreDNS.Log.
//   - klog: upstream's kubernetes plugin sets klog's logger (the whole
//     process's: apiserver, kubelet, ...) to an adapter of its own at each
//     setup, unsynchronised with every goroutine logging through klog.
//     Vendor patch 0011 takes that call out; klog stays klog's.
//   - client-go metrics: the kubernetes plugin's init calls
//     k8s.io/client-go/tools/metrics.Register, which takes effect once per
//     process, for whoever calls it first. Nothing else in kubenode's vendor
//     tree calls it (component-base's restclient adapter is not linked), so
//     every client-go client in the process (kubelet, controller-manager,
//     scheduler, the apiserver's loopback client) records its request
//     latencies and results in CoreDNS's coredns_kubernetes_rest_client_*
//     collectors. Those, like all CoreDNS metrics, sit in Prometheus'
//     default registry, which the node's metrics endpoint serves (package
//     nodemetrics labels them as the process's, not CoreDNS's).
//   - Directives: init (metrics.go) inserts kubenode_metrics into
//     dnsserver.Directives after prometheus and registers its plugin.
//   - Flags: coremain, imported by the kubernetes plugin for its version
//     string, registers -conf, -plugins, -pidfile, -version, -quiet,
//     -dns.port and -p on the standard library's flag.CommandLine at init,
//     and sets caddy.Quiet. Harmless while nothing parses flag.CommandLine;
//     adding it to a pflag set would expose them (and clash on "version").
//   - Signals: none. caddy.TrapSignals is never called (it would catch
//     SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1 and SIGUSR2 and call
//     os.Exit); kubenode owns signals. Do not call coremain.Run either.
//   - Environment: caddy.Start reads CADDY__UPGRADE; when it is "1" caddy
//     expects listener file descriptors from a parent on stdin. Never set it.
//   - stdout: dnsserver prints a banner of zones and ports at start unless
//     dnsserver.Quiet; init below sets it.
//   - caddy keeps its instances, plugin registry and server types in package
//     globals. One CoreDNS per process at a time: starting it again after
//     Stop works (the tests do), two at once is not supported here.
//   - Sockets: CoreDNS sets SO_REUSEPORT on its listeners, so a second
//     process of the same user can bind the same address and port without
//     an error and take a share of the queries.
package coredns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/go-logr/logr"
	"github.com/miekg/dns"
	"k8s.io/client-go/tools/clientcmd"

	// The plugins the Corefile uses, and no others.
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

func init() {
	dnsserver.Quiet = true
}

// HostEntry is a static name served by the hosts plugin, with all its
// addresses (A and AAAA records; PTR records for them come along).
type HostEntry struct {
	Name string // e.g. node1.k8s.internal
	IPs  []net.IP
}

// CoreDNS is the node's DNS server. The exported fields are its
// configuration, set before Init and not changed afterwards.
type CoreDNS struct {
	// ListenIPs are the only addresses CoreDNS binds, e.g. the node's
	// addresses on the pod bridge (10.88.1.1 and fd88:1::1). Ready asks the
	// first one.
	ListenIPs []net.IP
	// Port is the port on every ListenIP; 0 means 53.
	Port int
	// ClusterDomain is the kubernetes plugin's zone, e.g. "k8s.internal".
	ClusterDomain string
	// Kubeconfig is the kubernetes plugin's kubeconfig, with a client
	// certificate for system:kubenode:coredns (see RBAC above).
	Kubeconfig string
	// Hosts are the static names. At least one: Ready asks for the first.
	Hosts []HostEntry
	// HostsFile, if set, is a file in /etc/hosts format with more names
	// (the other nodes of the mesh), re-read within a second of a change.
	HostsFile string
	// Upstreams are the resolvers names outside the cluster are forwarded
	// to, as IP:port (see Upstreams). Empty means no forwarding: such names
	// get SERVFAIL, and Init logs a warning. An upstream equal to one of
	// our own addresses would loop and is left out with a warning.
	Upstreams []string
	// StartupTimeout is how long the kubernetes plugin waits for its first
	// list of services, endpointslices and namespaces before it serves
	// anyway (cluster names then get SERVFAIL until it has synced). 0 means
	// DefaultStartupTimeout. Start does not block on it; Ready does.
	StartupTimeout time.Duration
	// ConfigDir, if set, gets the rendered Corefile (ConfigDir/Corefile,
	// 0644) for inspection. CoreDNS runs from the rendered text, not the
	// file.
	ConfigDir string
	// Log receives this package's own lines (CoreDNS's go to the standard
	// logger). The zero value discards them.
	Log logr.Logger

	corefile string // rendered by Init

	mu       sync.Mutex
	started  chan struct{}   // closed once the start goroutine serves or failed
	inst     *caddy.Instance // set when started closes; may be set on failure too
	startErr error           // set when started closes
	stopping bool            // Stop was called; the servers' end is expected
	done     <-chan error    // the start goroutine's result (supervisor.Go)

	shutOnce sync.Once
	shutDone chan struct{} // closed once the instance is stopped and its callbacks ran
}

var (
	_ supervisor.Component = (*CoreDNS)(nil)
	_ supervisor.Readier   = (*CoreDNS)(nil)
	_ supervisor.Exiter    = (*CoreDNS)(nil)
)

func (c *CoreDNS) Name() string { return "coredns" }

func (c *CoreDNS) log() logr.Logger {
	if c.Log.GetSink() == nil {
		return logr.Discard()
	}
	return c.Log
}

// Init validates the configuration, renders the Corefile and writes it to
// ConfigDir if set.
func (c *CoreDNS) Init(context.Context) error {
	if err := c.validate(); err != nil {
		return err
	}
	_, dropped := c.forwardTo()
	for _, u := range dropped {
		c.log().Info("upstream resolver left out: it is this DNS server itself (a loop)", "upstream", u)
	}
	if len(c.Upstreams) == len(dropped) {
		c.log().Info("upstream resolvers missing: names outside the cluster will not resolve (SERVFAIL)")
	}
	c.corefile = c.Corefile()
	if c.ConfigDir != "" {
		if err := os.MkdirAll(c.ConfigDir, 0o755); err != nil {
			return fmt.Errorf("coredns: create config dir: %w", err)
		}
		path := filepath.Join(c.ConfigDir, "Corefile")
		if err := os.WriteFile(path, []byte(c.corefile), 0o644); err != nil {
			return fmt.Errorf("coredns: write Corefile: %w", err)
		}
		// WriteFile keeps the mode of an existing file, and the umask applies.
		if err := os.Chmod(path, 0o644); err != nil {
			return fmt.Errorf("coredns: %w", err)
		}
	}
	return nil
}

func (c *CoreDNS) validate() error {
	if len(c.ListenIPs) == 0 {
		return errors.New("coredns: no listen addresses; set the node's host IPs on the pod bridge")
	}
	seen := map[string]bool{}
	for _, ip := range c.ListenIPs {
		if ip == nil || ip.IsUnspecified() {
			return fmt.Errorf("coredns: listen address %q: give a specific address, not the wildcard", ip)
		}
		if seen[ip.String()] {
			return fmt.Errorf("coredns: listen address %s given twice", ip)
		}
		seen[ip.String()] = true
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("coredns: port %d out of range", c.Port)
	}
	if err := checkName(c.ClusterDomain); err != nil || strings.Trim(c.ClusterDomain, ".") == "" {
		return fmt.Errorf("coredns: cluster domain %q is not a domain name", c.ClusterDomain)
	}
	if c.Kubeconfig == "" {
		return errors.New("coredns: no kubeconfig for the kubernetes plugin")
	}
	if strings.ContainsAny(c.Kubeconfig, " \t\n\"{}#") {
		return fmt.Errorf("coredns: kubeconfig path %q: spaces, quotes, braces and # do not fit in a Corefile", c.Kubeconfig)
	}
	if _, err := clientcmd.LoadFromFile(c.Kubeconfig); err != nil {
		return fmt.Errorf("coredns: kubeconfig: %w", err)
	}
	if len(c.Hosts) == 0 {
		return errors.New("coredns: no static host names; Ready needs one to ask for")
	}
	for _, h := range c.Hosts {
		if err := checkName(h.Name); err != nil {
			return fmt.Errorf("coredns: host name %q: %w", h.Name, err)
		}
		if len(h.IPs) == 0 {
			return fmt.Errorf("coredns: host name %q has no addresses", h.Name)
		}
		for _, ip := range h.IPs {
			if ip == nil {
				return fmt.Errorf("coredns: host name %q: invalid address", h.Name)
			}
		}
	}
	for _, u := range c.Upstreams {
		if _, err := netip.ParseAddrPort(u); err != nil {
			return fmt.Errorf("coredns: upstream %q: want IP:port, e.g. 192.0.2.1:53 or [2001:db8::1]:53: %w", u, err)
		}
	}
	return nil
}

// checkName accepts a DNS name of letters, digits, hyphens and dots, the
// only kind that is safe to put into a Corefile as is.
func checkName(name string) error {
	if name == "" {
		return errors.New("empty")
	}
	if _, ok := dns.IsDomainName(name); !ok {
		return errors.New("not a domain name")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return fmt.Errorf("character %q not allowed", r)
		}
	}
	return nil
}

// forwardTo splits Upstreams into those to forward to and those that are
// one of our own listen addresses.
func (c *CoreDNS) forwardTo() (keep, dropped []string) {
	own := c.addrs()
	for _, u := range c.Upstreams {
		ap, err := netip.ParseAddrPort(u)
		if err == nil && slices.Contains(own, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()) {
			dropped = append(dropped, u)
			continue
		}
		keep = append(keep, u)
	}
	return keep, dropped
}

// Start starts CoreDNS in the background and returns at once: caddy.Start
// blocks until the kubernetes plugin has synced or given up waiting
// (StartupTimeout), and that wait belongs to Ready. Errors of the start
// (a taken port, a rejected Corefile) come from Ready and Exited.
func (c *CoreDNS) Start(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corefile == "" {
		return errors.New("coredns: Start before Init")
	}
	if c.started != nil {
		return errors.New("coredns: started twice; CoreDNS cannot run twice in one process object")
	}
	path := "Corefile"
	if c.ConfigDir != "" {
		path = filepath.Join(c.ConfigDir, "Corefile")
	}
	input := caddy.CaddyfileInput{ServerTypeName: "dns", Filepath: path, Contents: []byte(c.corefile)}
	c.started = make(chan struct{})
	c.shutDone = make(chan struct{})
	c.done = supervisor.Go(func() error { return c.run(input) })
	return nil
}

// run is the start goroutine: it starts the servers, waits until they
// answer, and then until they end.
func (c *CoreDNS) run(input caddy.Input) (err error) {
	begin := time.Now()
	var inst *caddy.Instance
	published := false
	publish := func() {
		c.mu.Lock()
		c.inst, c.startErr = inst, err
		stopping := c.stopping
		c.mu.Unlock()
		close(c.started)
		published = true
		if err != nil || stopping {
			// Servers that listen already, plugins that started (the
			// kubernetes plugin's informers) are released here.
			c.shutdown(inst)
		}
	}
	defer func() {
		if !published { // a panic; supervisor.Go reports it
			err = errors.New("coredns: start panicked")
			publish()
		}
	}()

	inst, err = caddy.Start(input)
	if err == nil {
		err = c.awaitServing()
	}
	if err != nil {
		err = fmt.Errorf("coredns: start: %w", err)
	}
	publish()
	if err != nil {
		return err
	}
	c.log().Info("CoreDNS serving", "addresses", c.addrs(), "elapsed", time.Since(begin).Round(time.Millisecond))
	inst.Wait()
	c.mu.Lock()
	stopping := c.stopping
	c.mu.Unlock()
	if stopping {
		return nil
	}
	return errors.New("coredns: DNS servers stopped unexpectedly; see CoreDNS's log lines before")
}

// awaitServing waits until every listener, UDP and TCP, has answered one
// query. Once caddy.Start returns the sockets are bound, but the goroutines
// that serve them may not have begun yet; a dnsserver.Server stopped before
// then skips them, and they would serve on forever. An answer, of any rcode,
// proves the server is past that point.
func (c *CoreDNS) awaitServing() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	q, _ := c.probe()
	for _, addr := range c.addrs() {
		for _, network := range []string{"udp", "tcp"} {
			for {
				_, err := exchange(ctx, network, addr, q)
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					return fmt.Errorf("%s %s does not answer: %w", network, addr, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	return nil
}

// probe asks for the first static name, A if it has an IPv4 address, else
// AAAA, and returns the query with the addresses a correct answer has.
func (c *CoreDNS) probe() (*dns.Msg, []string) {
	name := c.Hosts[0].Name
	qtype := dns.TypeAAAA
	for _, ip := range c.Hosts[0].IPs {
		if ip.To4() != nil {
			qtype = dns.TypeA
			break
		}
	}
	var want []string
	for _, h := range c.Hosts {
		if !strings.EqualFold(dns.Fqdn(h.Name), dns.Fqdn(name)) {
			continue
		}
		for _, ip := range h.IPs {
			if (ip.To4() != nil) == (qtype == dns.TypeA) {
				want = append(want, ip.String())
			}
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	return m, want
}

func exchange(ctx context.Context, network, addr string, q *dns.Msg) (*dns.Msg, error) {
	cl := &dns.Client{Net: network, Timeout: time.Second}
	r, _, err := cl.ExchangeContext(ctx, q.Copy(), addr)
	return r, err
}

// Ready asks the first listen address for the first static name and
// requires exactly its addresses back.
func (c *CoreDNS) Ready(ctx context.Context) error {
	c.mu.Lock()
	started, startErr := c.started, c.startErr
	c.mu.Unlock()
	if started == nil {
		return errors.New("coredns: not started")
	}
	select {
	case <-started:
	default:
		return errors.New("coredns: starting (the kubernetes plugin waits for its first sync)")
	}
	if startErr != nil {
		return startErr
	}
	q, want := c.probe()
	addr := c.addrs()[0]
	r, err := exchange(ctx, "udp", addr, q)
	if err != nil {
		return fmt.Errorf("coredns: ask %s for %s: %w", addr, q.Question[0].Name, err)
	}
	if r.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("coredns: %s answers %s for %s", addr, dns.RcodeToString[r.Rcode], q.Question[0].Name)
	}
	var got []string
	for _, rr := range r.Answer {
		switch rr := rr.(type) {
		case *dns.A:
			got = append(got, rr.A.String())
		case *dns.AAAA:
			got = append(got, rr.AAAA.String())
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Errorf("coredns: %s answers %v for %s, want %v", addr, got, q.Question[0].Name, want)
	}
	return nil
}

// Exited yields the start goroutine's error: a failed start, the servers
// ending without Stop, or a panic.
func (c *CoreDNS) Exited() <-chan error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done
}

// Stop stops the servers and the plugins' background work (informers,
// upstream health checks) and waits for both, at most until ctx ends. A
// start still in progress is waited for first; if ctx ends before, the start
// goroutine stops the servers itself once they run.
func (c *CoreDNS) Stop(ctx context.Context) error {
	c.mu.Lock()
	c.stopping = true
	started, done, shutDone := c.started, c.done, c.shutDone
	c.mu.Unlock()
	if started == nil {
		return nil
	}
	select {
	case <-started:
	case <-ctx.Done():
		return fmt.Errorf("coredns: stop: still starting: %w", ctx.Err())
	}
	c.mu.Lock()
	inst := c.inst
	c.mu.Unlock()
	go c.shutdown(inst)
	select {
	case <-shutDone:
	case <-ctx.Done():
		return fmt.Errorf("coredns: stop: %w", ctx.Err())
	}
	// The start goroutine ends once inst.Wait returns. Its channel is
	// closed after its one value, so this returns even if the supervisor
	// took the value.
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("coredns: stop: servers still running: %w", ctx.Err())
	}
	return nil
}

// shutdown stops inst's servers (each waits for its connections up to 5s,
// dnsserver's grace time) and runs the plugins' shutdown callbacks, once.
// caddy's Instance.Stop runs no callbacks itself.
func (c *CoreDNS) shutdown(inst *caddy.Instance) {
	c.shutOnce.Do(func() {
		defer close(c.shutDone)
		if inst == nil {
			return
		}
		if err := inst.Stop(); err != nil {
			c.log().Error(err, "DNS servers did not stop cleanly")
		}
		for _, err := range inst.ShutdownCallbacks() {
			c.log().Error(err, "CoreDNS plugin shutdown failed")
		}
	})
}
