package doctor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// linkNames maps link indexes to names.
func linkNames() map[int]string {
	out := map[int]string{}
	links, _ := netlink.LinkList()
	for _, l := range links {
		out[l.Attrs().Index] = l.Attrs().Name
	}
	return out
}

func prefixOf(n *net.IPNet, family int) netip.Prefix {
	if n == nil {
		if family == unix.AF_INET6 {
			return netip.MustParsePrefix("::/0")
		}
		return netip.MustParsePrefix("0.0.0.0/0")
	}
	a, _ := netip.AddrFromSlice(n.IP)
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones).Masked()
}

func addrOf(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// allRoutes reads the unicast routes of every table, both families.
func allRoutes() ([]hostRoute, error) {
	names := linkNames()
	var out []hostRoute
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		rs, err := netlink.RouteListFiltered(fam, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return nil, fmt.Errorf("list routes: %w", err)
		}
		for _, r := range rs {
			if r.Type != unix.RTN_UNICAST && r.Type != 0 {
				continue
			}
			out = append(out, hostRoute{Dst: prefixOf(r.Dst, fam), Dev: names[r.LinkIndex], Via: addrOf(r.Gw), Table: r.Table, Src: addrOf(r.Src)})
		}
	}
	return out, nil
}

// allRules reads the policy rules that look up a table.
func allRules() ([]hostRule, error) {
	var out []hostRule
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		rs, err := netlink.RuleList(fam)
		if err != nil {
			return nil, fmt.Errorf("list rules: %w", err)
		}
		for _, r := range rs {
			if r.Table == 0 || r.Invert {
				continue
			}
			hr := hostRule{Priority: r.Priority, Table: r.Table, Text: strings.TrimSpace(r.String())}
			if r.Dst != nil {
				hr.Dst = prefixOf(r.Dst, fam)
			}
			out = append(out, hr)
		}
	}
	return out, nil
}

// routeVia says which link the kernel sends traffic for dst through.
func routeVia(dst netip.Addr) (string, error) {
	rs, err := netlink.RouteGet(dst.AsSlice())
	if err != nil {
		return "", err
	}
	if len(rs) == 0 {
		return "", errors.New("no route")
	}
	l, err := netlink.LinkByIndex(rs[0].LinkIndex)
	if err != nil {
		return "", err
	}
	return l.Attrs().Name, nil
}

// linkInfo returns a link's MTU, up state and addresses.
func linkInfo(name string) (mtu int, up bool, addrs []netip.Prefix, err error) {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return 0, false, nil, err
	}
	as, err := netlink.AddrList(l, netlink.FAMILY_ALL)
	if err != nil {
		return 0, false, nil, err
	}
	for _, a := range as {
		ones, _ := a.Mask.Size()
		addrs = append(addrs, netip.PrefixFrom(addrOf(a.IP), ones))
	}
	return l.Attrs().MTU, l.Attrs().Flags&net.FlagUp != 0, addrs, nil
}

// bridgePorts returns the MTU of each link enslaved to the bridge (the
// host ends of the pods' veths).
func bridgePorts(bridge string) (map[string]int, error) {
	br, err := netlink.LinkByName(bridge)
	if err != nil {
		return nil, err
	}
	links, err := netlink.LinkList()
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, l := range links {
		if l.Attrs().MasterIndex == br.Attrs().Index {
			out[l.Attrs().Name] = l.Attrs().MTU
		}
	}
	return out, nil
}

// readRuleset lists every nftables table with rule handles and counters.
func readRuleset(ctx context.Context) (ruleset, error) {
	out, err := exec.CommandContext(ctx, "nft", "-a", "list", "ruleset").Output()
	if err != nil {
		return ruleset{}, fmt.Errorf("nft -a list ruleset: %w", err)
	}
	return parseRuleset(string(out)), nil
}

// ping sends one ICMP echo of size bytes (IP header included, don't
// fragment) from src to dst out of dev, whatever the routes say, and waits
// for the reply until timeout.
func ping(dev string, src, dst netip.Addr, size int, timeout time.Duration) error {
	fam, proto, hdr, req, rep := unix.AF_INET, unix.IPPROTO_ICMP, 20, byte(8), byte(0)
	if dst.Is6() {
		fam, proto, hdr, req, rep = unix.AF_INET6, unix.IPPROTO_ICMPV6, 40, 128, 129
	}
	if size < hdr+8 {
		size = hdr + 8
	}
	fd, err := unix.Socket(fam, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return fmt.Errorf("raw socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.BindToDevice(fd, dev); err != nil {
		return fmt.Errorf("bind to %s: %w", dev, err)
	}
	var sa, to unix.Sockaddr
	if dst.Is4() {
		sa, to = &unix.SockaddrInet4{Addr: src.As4()}, &unix.SockaddrInet4{Addr: dst.As4()}
		// Set DF, ignoring any path MTU learnt before: the probe is what
		// finds out.
		err = unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_PROBE)
	} else {
		sa, to = &unix.SockaddrInet6{Addr: src.As16()}, &unix.SockaddrInet6{Addr: dst.As16()}
		err = unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_PROBE)
	}
	if err != nil {
		return err
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return err
	}
	id, seq := uint16(rand.Uint32()), uint16(rand.Uint32())
	msg := make([]byte, size-hdr)
	msg[0] = req
	binary.BigEndian.PutUint16(msg[4:], id)
	binary.BigEndian.PutUint16(msg[6:], seq)
	for i := 8; i < len(msg); i++ {
		msg[i] = byte(i)
	}
	if dst.Is4() { // the kernel sums ICMPv6 itself
		binary.BigEndian.PutUint16(msg[2:], checksum(msg))
	}
	if err := unix.Sendto(fd, msg, 0, to); err != nil {
		return fmt.Errorf("send %d bytes: %w", size, err)
	}
	buf := make([]byte, 65536)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		n, from, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			return err
		}
		b := buf[:n]
		if dst.Is4() { // a raw IPv4 socket gets the IP header too
			if n < 20 {
				continue
			}
			b = b[int(b[0]&0x0f)*4:]
			if f, ok := from.(*unix.SockaddrInet4); !ok || netip.AddrFrom4(f.Addr) != dst {
				continue
			}
		}
		if len(b) >= 8 && b[0] == rep && binary.BigEndian.Uint16(b[4:]) == id && binary.BigEndian.Uint16(b[6:]) == seq {
			return nil
		}
	}
	return fmt.Errorf("no answer to a %d-byte ICMP echo from %s to %s through %s within %s", size, src, dst, dev, timeout)
}

func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// linkMissing: the link does not exist (brkube on a host that never ran a
// node).
func linkMissing(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf)
}
