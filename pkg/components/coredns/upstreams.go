package coredns

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"strings"
)

// ResolvConfs are the files Upstreams reads when given none, best first:
// systemd-resolved's list of the servers it really asks (present only while
// resolved runs), then the classic file.
var ResolvConfs = []string{"/run/systemd/resolve/resolv.conf", "/etc/resolv.conf"}

// resolvedStubs are systemd-resolved's local listeners. Forwarding to them
// would work while resolved runs, but it hides the real servers behind one
// more cache, and it loops if resolved is ever told to ask the node's
// CoreDNS.
var resolvedStubs = map[netip.Addr]bool{
	netip.MustParseAddr("127.0.0.53"): true, // the stub resolver
	netip.MustParseAddr("127.0.0.54"): true, // the "proxy" stub (no DNSSEC, no LLMNR)
}

// Upstreams returns the host's real resolvers as host:port with port 53
// ("192.0.2.1:53", "[2001:db8::1]:53", "[fe80::1%eth0]:53"), for the
// forward plugin. It reads the first of paths (default ResolvConfs) that
// exists and names at least one usable server; a file that exists but names
// none (resolved without upstream servers, or /etc/resolv.conf pointing at
// the stub) passes on to the next.
//
// systemd-resolved's stubs 127.0.0.53 and 127.0.0.54 are never returned,
// nor the unspecified address (libc's old spelling of "this host"),
// duplicates, or lines that are not an IP address.
// Other loopback servers (a local unbound or dnsmasq on 127.0.0.1 or ::1)
// are kept on purpose: CoreDNS runs in kubenode's process in the host's
// network namespace, so it reaches them as the host does; pods never talk
// to them directly, they talk to CoreDNS on the node's bridge address.
//
// The error is non-nil only if a file could not be read, or none of the
// paths exists. No usable server in any existing file is an empty list
// without an error: the node then runs without forwarding.
func Upstreams(paths ...string) ([]string, error) {
	if len(paths) == 0 {
		paths = ResolvConfs
	}
	found := false
	for _, p := range paths {
		servers, err := readResolvConf(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = true
		if len(servers) > 0 {
			return servers, nil
		}
	}
	if !found {
		return nil, fmt.Errorf("coredns: no resolver configuration: none of %s exists", strings.Join(paths, ", "))
	}
	return nil, nil
}

// readResolvConf returns the usable nameservers of one resolv.conf file,
// deduplicated, in file order.
func readResolvConf(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("coredns: read resolvers: %w", err)
	}
	defer f.Close()
	var out []string
	seen := map[netip.Addr]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "nameserver" {
			continue // comments, search, options, and junk as the libc resolver skips it
		}
		addr, err := netip.ParseAddr(fields[1])
		if err != nil || !addr.IsValid() {
			continue
		}
		addr = addr.Unmap()
		if resolvedStubs[addr] || addr.IsUnspecified() || seen[addr] {
			continue
		}
		seen[addr] = true
		out = append(out, netip.AddrPortFrom(addr, 53).String())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("coredns: read resolvers %s: %w", path, err)
	}
	return out, nil
}
