package netsetup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
	"sigs.k8s.io/knftables"

	"github.com/kubenode/kubenode/pkg/config"
)

// linuxHost is the real Host: netlink for links, addresses and routes,
// wgctrl for WireGuard, knftables for the table, /proc/sys for sysctls. It
// acts on the network namespace the process runs in. Nothing is opened
// before the first call, so New never touches the host.
type linuxHost struct {
	log     logr.Logger
	sockDir string
	pidFile string // of this node's wgkube helper
	// user runs a userspace wgkube: in this process or in a helper.
	user wireGuardBackend

	mu  sync.Mutex
	wg  *wgClient
	nft knftables.Interface
}

var _ Host = (*linuxHost)(nil)

func newLinuxHost(cfg *config.Config, log logr.Logger, helper bool) *linuxHost {
	h := &linuxHost{log: log, sockDir: SocketDir(cfg), pidFile: HelperPIDFile(cfg)}
	if helper {
		h.user = newHelperBackend(cfg, log)
	} else {
		h.user = newInProcessBackend(h.sockDir, log)
	}
	return h
}

func (h *linuxHost) wgctl() (*wgClient, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.wg == nil {
		c, err := newWGClient(h.sockDir)
		if err != nil {
			return nil, fmt.Errorf("wgctrl: %w", err)
		}
		h.wg = c
	}
	return h.wg, nil
}

func (h *linuxHost) nftables() (knftables.Interface, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.nft == nil {
		nft, err := knftables.New(knftables.InetFamily, TableName)
		if err != nil {
			return nil, fmt.Errorf("nftables: %w (kubenode needs the nft command and root: apt-get install nftables)", err)
		}
		h.nft = nft
	}
	return h.nft, nil
}

func (h *linuxHost) Facts(_ context.Context, q FactsQuery) (*Facts, error) {
	links, err := netlink.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	names := map[int]string{}
	var underlay netlink.Link
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
		if q.Underlay != "" && l.Attrs().Name == q.Underlay {
			underlay = l
		}
	}
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	f := &Facts{}
	switch {
	case q.Underlay != "" && underlay == nil:
		return nil, fmt.Errorf("network.underlayInterface %q: no such interface here (see ip link); fix the config", q.Underlay)
	case q.Underlay == "":
		for _, a := range addrs {
			if ip, ok := netip.AddrFromSlice(a.IP); ok && ip.Unmap() == q.NodeIP {
				underlay, _ = netlink.LinkByIndex(a.LinkIndex)
				break
			}
		}
		if underlay == nil {
			return nil, fmt.Errorf("no interface holds the node IP %s; pass --node-ip with an address of this host or set network.underlayInterface", q.NodeIP)
		}
	}
	f.Underlay, f.UnderlayMTU = underlay.Attrs().Name, underlay.Attrs().MTU
	if _, err := os.Stat("/proc/sys/net/ipv6"); errors.Is(err, os.ErrNotExist) {
		f.NoIPv6 = true
	}
	if q.IPv6 && !f.NoIPv6 {
		f.UnderlayAcceptRA, _ = readSysctl("net/ipv6/conf/" + f.Underlay + "/accept_ra")
	}
	for _, a := range addrs {
		name := names[a.LinkIndex]
		if name == "lo" || name == BridgeName || name == WireGuardName {
			continue
		}
		p, ok := prefixOf(a.IPNet)
		if !ok || p.Addr().IsLinkLocalUnicast() || p.Addr().IsLoopback() {
			continue
		}
		f.HostPrefixes = append(f.HostPrefixes, HostPrefix{Link: name, Prefix: p.Masked()})
	}
	f.KernelWireGuard, f.WireGuardReason = kernelWireGuard()
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		f.NoTUN = true
	}
	return f, nil
}

// kernelWireGuard tells whether `ip link add type wireguard` can work: the
// module is loaded or built in, or can be loaded on demand.
func kernelWireGuard() (bool, string) {
	if _, err := os.Stat("/sys/module/wireguard"); err == nil {
		return true, "kernel module wireguard is loaded"
	}
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	rel := unix.ByteSliceToString(uts.Release[:])
	for _, name := range []string{"modules.builtin", "modules.dep"} {
		data, err := os.ReadFile(filepath.Join("/lib/modules", rel, name))
		if err == nil && bytes.Contains(data, []byte("/wireguard.ko")) {
			return true, "kernel module wireguard is available"
		}
	}
	return false, "kernel " + rel + " has no wireguard module"
}

func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(ip.Unmap(), ones), true
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func readSysctl(key string) (string, error) {
	data, err := os.ReadFile("/proc/sys/" + key)
	return strings.TrimSpace(string(data)), err
}

func (h *linuxHost) Observe(ctx context.Context, sysctls []string) (*State, error) {
	st := &State{Links: map[string]*LinkState{}, Sysctls: map[string]string{}, Now: time.Now()}
	for _, name := range []string{BridgeName, WireGuardName} {
		l, err := netlink.LinkByName(name)
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("link %s: %w", name, err)
		}
		a := l.Attrs()
		ls := &LinkState{Name: name, Kind: l.Type(), MTU: a.MTU, MAC: a.HardwareAddr.String(), Up: a.Flags&net.FlagUp != 0, Carrier: a.RawFlags&unix.IFF_LOWER_UP != 0}
		addrs, err := netlink.AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return nil, fmt.Errorf("link %s: addresses: %w", name, err)
		}
		for _, ad := range addrs {
			if p, ok := prefixOf(ad.IPNet); ok {
				ls.Addrs = append(ls.Addrs, p)
			}
		}
		st.Links[name] = ls
		if name == WireGuardName {
			routes, err := netlink.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{LinkIndex: a.Index, Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
			if err != nil {
				return nil, fmt.Errorf("routes on %s: %w", name, err)
			}
			for _, r := range routes {
				dst, ok := prefixOf(r.Dst)
				if r.Protocol == unix.RTPROT_KERNEL || !ok {
					continue
				}
				src, _ := netip.AddrFromSlice(r.Src)
				st.Routes = append(st.Routes, Route{Dst: dst, Src: src.Unmap(), Dev: name})
			}
		}
	}
	for _, k := range sysctls {
		if v, err := readSysctl(k); err == nil {
			st.Sysctls[k] = v
		}
	}
	if st.Links[WireGuardName] != nil {
		wg, err := h.observeWireGuard()
		if err != nil {
			return nil, err
		}
		st.WireGuard = wg
	}
	nft, err := h.nftables()
	if err != nil {
		return nil, err
	}
	if st.Table, err = observeTable(ctx, nft); err != nil {
		return nil, fmt.Errorf("nftables: %w", err)
	}
	return st, nil
}

func (h *linuxHost) observeWireGuard() (*WireGuardState, error) {
	c, err := h.wgctl()
	if err != nil {
		return nil, err
	}
	var d *wgtypes.Device
	err = c.do(func(cl *wgctrl.Client) error {
		var err error
		d, err = cl.Device(WireGuardName)
		return err
	})
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wireguard %s: %w", WireGuardName, err)
	}
	wg := &WireGuardState{Mode: ModeKernel, PublicKey: d.PublicKey, ListenPort: d.ListenPort}
	if d.Type != wgtypes.LinuxKernel {
		wg.Mode = ModeUserspace
		wg.Socket = filepath.Join(h.sockDir, WireGuardName+".sock")
		wg.Holder = socketHolder(wg.Socket)
		// A one-shot command only names the helper; the node adopts it.
		wg.Helper = h.user.owns(WireGuardName, wg.Holder) || (wg.Holder != 0 && isHelper(wg.Holder, h.pidFile) == nil)
	}
	for _, p := range d.Peers {
		ps := PeerState{PublicKey: p.PublicKey, Keepalive: p.PersistentKeepaliveInterval, LastHandshake: p.LastHandshakeTime, ReceiveBytes: p.ReceiveBytes, TransmitBytes: p.TransmitBytes}
		if p.Endpoint != nil {
			ap := p.Endpoint.AddrPort()
			ps.Endpoint = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		}
		for _, a := range p.AllowedIPs {
			if pr, ok := prefixOf(&a); ok {
				ps.AllowedIPs = append(ps.AllowedIPs, pr)
			}
		}
		wg.Peers = append(wg.Peers, ps)
	}
	return wg, nil
}

func (h *linuxHost) SetSysctl(key, value string) error {
	f, err := os.OpenFile("/proc/sys/"+key, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (h *linuxHost) CreateBridge(name string, mtu int) error {
	return netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name, MTU: mtu}})
}

func (h *linuxHost) CreateWireGuard(name string, mtu int, prefer Mode) (Mode, string, error) {
	reason := ""
	if prefer == ModeKernel {
		var kernel wireGuardBackend = kernelBackend{}
		err := kernel.create(name, mtu)
		if err == nil {
			return ModeKernel, "", nil
		}
		if !errors.Is(err, unix.EOPNOTSUPP) {
			return "", "", err
		}
		reason = "the kernel refused a wireguard link: " + err.Error()
	}
	if err := h.user.create(name, mtu); err != nil {
		return "", "", err
	}
	return ModeUserspace, reason, nil
}

// DeleteLink stops a userspace device's holder when it is this process or
// this node's helper (the link goes with it), and deletes other links.
func (h *linuxHost) DeleteLink(name string) error {
	held := h.user.holding(name)
	if !held && name == WireGuardName {
		if _, err := netlink.LinkByName(name); err == nil {
			held = h.user.owns(name, socketHolder(filepath.Join(h.sockDir, name+".sock")))
		}
	}
	if held {
		if _, err := h.user.teardown(name); err != nil {
			return err
		}
		if err := waitLinkGone(name, time.Second); err == nil {
			return nil
		}
	}
	return deleteLink(name)
}

// waitLinkGone waits for the kernel to remove a TUN link whose last file
// closed.
func waitLinkGone(name string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		_, err := netlink.LinkByName(name)
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("link %s still exists", name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *linuxHost) SetLinkMTU(name string, mtu int) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	return netlink.LinkSetMTU(l, mtu)
}

func (h *linuxHost) KeepMAC(name string) (string, error) {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return "", err
	}
	mac := l.Attrs().HardwareAddr
	if len(mac) == 0 {
		return "", fmt.Errorf("link %s has no MAC address", name)
	}
	// Setting the address it has marks it as set by the user, which is
	// what stops a bridge from following its ports.
	if err := netlink.LinkSetHardwareAddr(l, mac); err != nil {
		return "", err
	}
	return mac.String(), nil
}

func (h *linuxHost) SetLinkUp(name string, up bool) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	if up {
		return netlink.LinkSetUp(l)
	}
	return netlink.LinkSetDown(l)
}

func nlAddr(p netip.Prefix) *netlink.Addr {
	a := &netlink.Addr{IPNet: ipNet(p)}
	if p.Addr().Is6() {
		// Never tentative: the address is the source of routes to peers.
		a.Flags = unix.IFA_F_NODAD
	}
	return a
}

func (h *linuxHost) AddAddr(link string, p netip.Prefix) error {
	l, err := netlink.LinkByName(link)
	if err != nil {
		return err
	}
	return netlink.AddrAdd(l, nlAddr(p))
}

func (h *linuxHost) DelAddr(link string, p netip.Prefix) error {
	l, err := netlink.LinkByName(link)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("link %s: %w", link, fs.ErrNotExist)
	}
	if err != nil {
		return err
	}
	err = netlink.AddrDel(l, nlAddr(p))
	if errors.Is(err, unix.EADDRNOTAVAIL) {
		return fmt.Errorf("address %s on %s: %w", p, link, fs.ErrNotExist)
	}
	return err
}

func (h *linuxHost) ConfigureWireGuard(name string, cfg wgtypes.Config) error {
	c, err := h.wgctl()
	if err != nil {
		return err
	}
	return c.do(func(cl *wgctrl.Client) error { return cl.ConfigureDevice(name, cfg) })
}

func nlRoute(r Route) (*netlink.Route, error) {
	l, err := netlink.LinkByName(r.Dev)
	if err != nil {
		return nil, err
	}
	nr := &netlink.Route{LinkIndex: l.Attrs().Index, Dst: ipNet(r.Dst), Protocol: unix.RTPROT_STATIC, Table: unix.RT_TABLE_MAIN}
	if r.Src.IsValid() {
		nr.Src = r.Src.AsSlice()
	}
	if r.Dst.Addr().Is4() {
		nr.Scope = netlink.SCOPE_LINK
	}
	return nr, nil
}

func (h *linuxHost) AddRoute(r Route) error {
	nr, err := nlRoute(r)
	if err != nil {
		return err
	}
	return netlink.RouteAdd(nr)
}

func (h *linuxHost) DelRoute(r Route) error {
	nr, err := nlRoute(r)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("route %s: %w", r, fs.ErrNotExist)
	}
	if err != nil {
		return err
	}
	err = netlink.RouteDel(nr)
	if errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("route %s: %w", r, fs.ErrNotExist)
	}
	return err
}

func (h *linuxHost) SyncTable(ctx context.Context, t *TableSpec, d tableDiff) error {
	nft, err := h.nftables()
	if err != nil {
		return err
	}
	return syncTable(ctx, nft, t, d)
}

func (h *linuxHost) DeleteTable(ctx context.Context) (bool, error) {
	nft, err := h.nftables()
	if err != nil {
		return false, err
	}
	return deleteTable(ctx, nft)
}

func (h *linuxHost) Holding(name string) bool { return h.user.holding(name) }

// Lost yields when this node's wgkube helper ends on its own (nil without
// a helper backend).
func (h *linuxHost) Lost() <-chan error {
	if b, ok := h.user.(*helperBackend); ok {
		return b.lost
	}
	return nil
}

func (h *linuxHost) Close() error {
	h.user.release()
	h.mu.Lock()
	wg := h.wg
	h.wg = nil
	h.mu.Unlock()
	if wg != nil {
		wg.Close()
	}
	return nil
}

func (h *linuxHost) Teardown() error {
	stopped, err := h.user.teardown(WireGuardName)
	if err != nil || !stopped {
		return err
	}
	return waitLinkGone(WireGuardName, time.Second)
}

// checkWireGuardPort fails when another program holds the WireGuard UDP
// port, unless that is a wgkube of ours (a kernel device that outlives the
// process, or a userspace one that `kubenode network apply` holds).
func checkWireGuardPort(port int, v6 bool) error {
	if _, err := netlink.LinkByName(WireGuardName); err == nil {
		return nil
	}
	nets := []string{"udp4"}
	if v6 {
		nets = append(nets, "udp6")
	}
	for _, n := range nets {
		c, err := net.ListenUDP(n, &net.UDPAddr{Port: port})
		if err != nil {
			if errors.Is(err, unix.EADDRINUSE) {
				return fmt.Errorf("WireGuard port %d/udp is in use by another program (ss -lunp 'sport = :%d'): stop it or set network.wireguardPort", port, port)
			}
			continue // e.g. no IPv6 address family: WireGuard does without it too
		}
		c.Close()
	}
	return nil
}
