package netsetup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
	"sigs.k8s.io/knftables"
)

// FakeHost is an in-memory Host for tests. It behaves like the kernel where
// netsetup relies on it: creating what exists fails, a route needs its link
// up, a deleted link takes its sysctls, addresses and routes along, and the
// table goes through knftables' own fake.
type FakeHost struct {
	mu sync.Mutex
	// HostFacts is what Facts returns.
	HostFacts Facts
	Links     map[string]*LinkState
	Sysctls   map[string]string
	Routes    []Route
	WireGuard *WireGuardState
	NFT       *knftables.Fake
	Now       time.Time
	// Calls logs every mutating call, in order.
	Calls []string
	// FailOn makes the first mutating call whose log line starts with it
	// fail, to test undo.
	FailOn  string
	holding bool
}

var _ Host = (*FakeHost)(nil)

// NewFakeHost returns a host with the given facts and the global sysctls
// at the kernel's defaults.
func NewFakeHost(f Facts) *FakeHost {
	h := &FakeHost{
		HostFacts: f,
		Links:     map[string]*LinkState{},
		Sysctls: map[string]string{
			"net/ipv4/conf/all/forwarding": "0",
			"net/ipv6/conf/all/forwarding": "0",
		},
		NFT: knftables.NewFake(knftables.InetFamily, TableName),
		Now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	if f.Underlay != "" {
		h.Sysctls["net/ipv6/conf/"+f.Underlay+"/accept_ra"] = "1"
	}
	return h
}

func (h *FakeHost) call(format string, a ...any) error {
	line := fmt.Sprintf(format, a...)
	h.Calls = append(h.Calls, line)
	if h.FailOn != "" && strings.HasPrefix(line, h.FailOn) {
		h.FailOn = ""
		return errors.New("injected failure")
	}
	return nil
}

func (h *FakeHost) Facts(context.Context, FactsQuery) (*Facts, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.HostFacts
	f.UnderlayAcceptRA = h.Sysctls["net/ipv6/conf/"+f.Underlay+"/accept_ra"]
	return &f, nil
}

func (h *FakeHost) Observe(ctx context.Context, sysctls []string) (*State, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := &State{Links: map[string]*LinkState{}, Sysctls: map[string]string{}, Now: h.Now}
	for n, l := range h.Links {
		c := *l
		c.Addrs = slices.Clone(l.Addrs)
		st.Links[n] = &c
	}
	for _, k := range sysctls {
		if v, ok := h.Sysctls[k]; ok {
			st.Sysctls[k] = v
		}
	}
	st.Routes = slices.Clone(h.Routes)
	if h.WireGuard != nil {
		c := *h.WireGuard
		c.Peers = slices.Clone(h.WireGuard.Peers)
		st.WireGuard = &c
	}
	t, err := observeTable(ctx, h.NFT)
	st.Table = t
	return st, err
}

func (h *FakeHost) SetSysctl(key, value string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("sysctl %s=%s", key, value); err != nil {
		return err
	}
	if _, ok := h.Sysctls[key]; !ok {
		return fmt.Errorf("open /proc/sys/%s: no such file or directory", key)
	}
	h.Sysctls[key] = value
	return nil
}

func (h *FakeHost) addLink(name, kind string, mtu int) error {
	if h.Links[name] != nil {
		return fmt.Errorf("link %s: file exists", name)
	}
	h.Links[name] = &LinkState{Name: name, Kind: kind, MTU: mtu, MAC: fmt.Sprintf("02:00:00:00:00:%02x", len(h.Calls)%256)}
	h.linkIPv6(name, mtu)
	return nil
}

// linkIPv6 gives a link IPv6 (its /proc/sys/net/ipv6/conf/LINK) or takes
// it away as the kernel does: a link whose MTU is below 1280 has none.
func (h *FakeHost) linkIPv6(name string, mtu int) {
	_, has := h.Sysctls["net/ipv6/conf/"+name+"/addr_gen_mode"]
	switch {
	case h.HostFacts.NoIPv6:
	case mtu < minIPv6MTU:
		h.dropLinkIPv6(name)
		if l := h.Links[name]; l != nil {
			l.Addrs = slices.DeleteFunc(l.Addrs, func(p netip.Prefix) bool { return p.Addr().Is6() })
		}
	case !has:
		for k, v := range map[string]string{"addr_gen_mode": "0", "accept_ra": "1", "accept_dad": "1"} {
			h.Sysctls["net/ipv6/conf/"+name+"/"+k] = v
		}
	}
}

func (h *FakeHost) dropLinkIPv6(name string) {
	for k := range h.Sysctls {
		if strings.HasPrefix(k, "net/ipv6/conf/"+name+"/") {
			delete(h.Sysctls, k)
		}
	}
}

func (h *FakeHost) CreateBridge(name string, mtu int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("create bridge %s mtu %d", name, mtu); err != nil {
		return err
	}
	return h.addLink(name, "bridge", mtu)
}

func (h *FakeHost) CreateWireGuard(name string, mtu int, prefer Mode) (Mode, string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("create wireguard %s mtu %d %s", name, mtu, prefer); err != nil {
		return "", "", err
	}
	kind := "wireguard"
	if prefer != ModeKernel {
		kind = "tuntap"
		h.holding = true
	}
	if err := h.addLink(name, kind, mtu); err != nil {
		return "", "", err
	}
	h.WireGuard = &WireGuardState{Mode: prefer}
	if prefer == ModeUserspace {
		h.WireGuard.Socket, h.WireGuard.Holder = "/fake/"+name+".sock", 1
	}
	return prefer, "fake", nil
}

func (h *FakeHost) DeleteLink(name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("delete link %s", name); err != nil {
		return err
	}
	if h.Links[name] == nil {
		return fmt.Errorf("link %s: %w", name, fs.ErrNotExist)
	}
	delete(h.Links, name)
	h.dropLinkIPv6(name)
	h.Routes = slices.DeleteFunc(h.Routes, func(r Route) bool { return r.Dev == name })
	if name == WireGuardName {
		h.WireGuard, h.holding = nil, false
	}
	return nil
}

func (h *FakeHost) link(name string) (*LinkState, error) {
	l := h.Links[name]
	if l == nil {
		return nil, fmt.Errorf("link %s not found", name)
	}
	return l, nil
}

func (h *FakeHost) SetLinkMTU(name string, mtu int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("set %s mtu %d", name, mtu); err != nil {
		return err
	}
	l, err := h.link(name)
	if err == nil {
		l.MTU = mtu
		h.linkIPv6(name, mtu)
	}
	return err
}

func (h *FakeHost) KeepMAC(name string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("keep mac %s", name); err != nil {
		return "", err
	}
	l, err := h.link(name)
	if err != nil {
		return "", err
	}
	return l.MAC, nil
}

func (h *FakeHost) SetLinkUp(name string, up bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("set %s up=%t", name, up); err != nil {
		return err
	}
	l, err := h.link(name)
	if err != nil {
		return err
	}
	// No link-local address unless addr_gen_mode was set to none first.
	if gen, ok := h.Sysctls["net/ipv6/conf/"+name+"/addr_gen_mode"]; up && !l.Up && ok && gen != "1" {
		l.Addrs = append(l.Addrs, netip.MustParsePrefix("fe80::1/64"))
	}
	if !up {
		// Down drops the IPv6 addresses and the routes (keep_addr_on_down=0).
		l.Addrs = slices.DeleteFunc(l.Addrs, func(p netip.Prefix) bool { return p.Addr().Is6() })
		h.Routes = slices.DeleteFunc(h.Routes, func(r Route) bool { return r.Dev == name })
	}
	l.Up = up
	return nil
}

func (h *FakeHost) AddAddr(link string, p netip.Prefix) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("add address %s dev %s", p, link); err != nil {
		return err
	}
	l, err := h.link(link)
	if err != nil {
		return err
	}
	if slices.Contains(l.Addrs, p) {
		return fmt.Errorf("address %s: file exists", p)
	}
	if _, ok := h.Sysctls["net/ipv6/conf/"+link+"/addr_gen_mode"]; p.Addr().Is6() && !ok {
		return fmt.Errorf("address %s on %s: the link has no IPv6", p, link)
	}
	l.Addrs = append(l.Addrs, p)
	return nil
}

func (h *FakeHost) DelAddr(link string, p netip.Prefix) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("delete address %s dev %s", p, link); err != nil {
		return err
	}
	l, err := h.link(link)
	if err != nil {
		return fmt.Errorf("%v: %w", err, fs.ErrNotExist)
	}
	i := slices.Index(l.Addrs, p)
	if i < 0 {
		return fmt.Errorf("address %s: %w", p, fs.ErrNotExist)
	}
	l.Addrs = slices.Delete(l.Addrs, i, i+1)
	return nil
}

func (h *FakeHost) ConfigureWireGuard(name string, cfg wgtypes.Config) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("configure wireguard %s (%d peers)", name, len(cfg.Peers)); err != nil {
		return err
	}
	wg := h.WireGuard
	if name != WireGuardName || wg == nil {
		return fmt.Errorf("wireguard device %s: file does not exist", name)
	}
	if cfg.PrivateKey != nil {
		wg.PublicKey = cfg.PrivateKey.PublicKey()
	}
	if cfg.ListenPort != nil {
		wg.ListenPort = *cfg.ListenPort
	}
	for _, pc := range cfg.Peers {
		i := slices.IndexFunc(wg.Peers, func(p PeerState) bool { return p.PublicKey == pc.PublicKey })
		if pc.Remove {
			if i >= 0 {
				wg.Peers = slices.Delete(wg.Peers, i, i+1)
			}
			continue
		}
		if i < 0 {
			wg.Peers = append(wg.Peers, PeerState{PublicKey: pc.PublicKey})
			i = len(wg.Peers) - 1
		}
		p := &wg.Peers[i]
		if pc.Endpoint != nil {
			p.Endpoint = pc.Endpoint.AddrPort()
			p.Endpoint = netip.AddrPortFrom(p.Endpoint.Addr().Unmap(), p.Endpoint.Port())
		}
		if pc.ReplaceAllowedIPs {
			p.AllowedIPs = nil
		}
		for _, a := range pc.AllowedIPs {
			ip, _ := netip.AddrFromSlice(a.IP)
			ones, _ := a.Mask.Size()
			p.AllowedIPs = append(p.AllowedIPs, netip.PrefixFrom(ip.Unmap(), ones))
		}
		if pc.PersistentKeepaliveInterval != nil {
			p.Keepalive = *pc.PersistentKeepaliveInterval
		}
	}
	return nil
}

func (h *FakeHost) AddRoute(r Route) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("add route %s", r); err != nil {
		return err
	}
	l, err := h.link(r.Dev)
	if err != nil {
		return err
	}
	if !l.Up {
		return errors.New("network is down")
	}
	if slices.ContainsFunc(h.Routes, func(x Route) bool { return x.Dst == r.Dst }) {
		return fmt.Errorf("route %s: file exists", r.Dst)
	}
	local := false
	for _, l := range h.Links {
		for _, a := range l.Addrs {
			local = local || a.Addr() == r.Src
		}
	}
	if !local {
		return fmt.Errorf("route %s: invalid preferred source %s", r.Dst, r.Src)
	}
	h.Routes = append(h.Routes, r)
	return nil
}

func (h *FakeHost) DelRoute(r Route) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("delete route %s", r); err != nil {
		return err
	}
	i := slices.Index(h.Routes, r)
	if i < 0 {
		return fmt.Errorf("route %s: %w", r, fs.ErrNotExist)
	}
	h.Routes = slices.Delete(h.Routes, i, i+1)
	return nil
}

func (h *FakeHost) SyncTable(ctx context.Context, t *TableSpec, d tableDiff) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("sync table %s %s", t.Family, t.Name); err != nil {
		return err
	}
	return syncTable(ctx, h.NFT, t, d)
}

func (h *FakeHost) DeleteTable(ctx context.Context) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.call("delete table"); err != nil {
		return false, err
	}
	return deleteTable(ctx, h.NFT)
}

func (h *FakeHost) Holding(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return name == WireGuardName && h.holding
}

// Teardown drops a userspace device as stopping its holder would.
func (h *FakeHost) Teardown() error { return h.Close() }

// Close drops a userspace device as the process exit would.
func (h *FakeHost) Close() error {
	h.mu.Lock()
	holding := h.holding
	h.mu.Unlock()
	if holding {
		return h.DeleteLink(WireGuardName)
	}
	return nil
}
