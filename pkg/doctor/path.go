package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/kubenode/kubenode/pkg/check"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/netsetup"
)

// Endpoint is one end of a path: a pod (Name, its node's index and IP) or a
// Service's endpoint.
type Endpoint struct {
	Name      string
	NodeIndex int
	IP        netip.Addr
}

// PathInput is a path to check, resolved from the API by the caller.
type PathInput struct {
	Config *config.Config // this node's, with its index
	From   Endpoint
	// ToName names the destination as given (a pod or a Service); ToIP and
	// Port are where the probe goes (Port 0: an ICMP echo). Targets are
	// the pods behind it: the pod itself, or the Service's ready
	// endpoints.
	ToName  string
	ToIP    netip.Addr
	Port    int
	Targets []Endpoint
	// NetnsDir holds the pods' network namespaces (CRI-O's pinned ones).
	NetnsDir string
}

// Path checks the path from a pod on this node to a pod or Service, hop by
// hop, and says where a probe stops.
func Path(ctx context.Context, in PathInput) []check.Result {
	cfg := in.Config
	var out []check.Result
	if in.From.NodeIndex != cfg.NodeIndex {
		return append(out, check.PathSource.Fail(fmt.Sprintf("pod %s runs on %s, not on this node (%s)", in.From.Name, config.NodeNameOf(in.From.NodeIndex, cfg.ClusterDomain), cfg.NodeName)).
			WithFix("run this doctor on "+config.NodeNameOf(in.From.NodeIndex, cfg.ClusterDomain)))
	}
	ns, err := podNetns(in.NetnsDir, in.From.IP)
	if err != nil {
		return append(out, check.PathSource.Fail(fmt.Sprintf("pod %s (%s): %v", in.From.Name, in.From.IP, err)))
	}
	defer ns.Close()
	out = append(out, check.PathSource.OK("pod %s (%s) on %s", in.From.Name, in.From.IP, cfg.NodeName))
	if len(in.Targets) == 0 {
		return append(out, check.PathDestination.Fail(fmt.Sprintf("%s has no ready pod behind it", in.ToName)))
	}
	var ts []string
	for _, t := range in.Targets {
		ts = append(ts, fmt.Sprintf("%s %s on node %d", t.Name, t.IP, t.NodeIndex))
	}
	dest := in.ToIP.String()
	if in.Port != 0 {
		dest = net.JoinHostPort(dest, strconv.Itoa(in.Port))
	}
	out = append(out, check.PathDestination.OK("%s = %s: %s", in.ToName, dest, strings.Join(ts, ", ")))

	before, _ := readRuleset(ctx)
	perr := probeFrom(ns, in.From.IP, in.ToIP, in.Port)
	after, _ := readRuleset(ctx)
	what := "ICMP echo"
	if in.Port != 0 {
		what = "TCP connect"
	}
	// The route hop is checked whatever the probe's outcome: a probe that
	// got through by another link than wgkube went unencrypted over the
	// underlay, and only while nothing on the way drops it.
	var routeEv []string
	remote := map[int]bool{}
	for _, t := range in.Targets {
		want := netsetup.BridgeName
		if t.NodeIndex != cfg.NodeIndex {
			want = netsetup.WireGuardName
			remote[t.NodeIndex] = true
		}
		rs, err := netlink.RouteGetWithOptions(t.IP.AsSlice(), &netlink.RouteGetOptions{Iif: netsetup.BridgeName, SrcAddr: in.From.IP.AsSlice()})
		if err != nil || len(rs) == 0 {
			routeEv = append(routeEv, fmt.Sprintf("ip route get %s from %s iif %s: %v", t.IP, in.From.IP, netsetup.BridgeName, err))
			continue
		}
		dev := linkNames()[rs[0].LinkIndex]
		if dev != want {
			routeEv = append(routeEv, fmt.Sprintf("ip route get %s from %s iif %s: dev %s, want %s (node %d)", t.IP, in.From.IP, netsetup.BridgeName, dev, want, t.NodeIndex))
		}
	}
	if perr == nil {
		out = append(out, check.PathProbe.OK("%s from %s to %s answered", what, in.From.Name, dest))
		if len(routeEv) > 0 {
			out = append(out, check.PathRoute.Fail("the probe got through, but not by kubenode's link: unencrypted over the underlay", routeEv...))
		}
		return out
	}
	out = append(out, check.PathProbe.Fail(fmt.Sprintf("%s from %s to %s: %v", what, in.From.Name, dest, perr)))

	// Where it stopped: this node's routing, this node's firewall, the
	// tunnel, else the far side.
	if len(routeEv) > 0 {
		return append(out, check.PathRoute.Fail("the probe stops here: this node sends the pod's packets elsewhere", routeEv...))
	}
	out = append(out, check.PathRoute.OK("routed through wgkube or brkube as planned"))
	if dropped := moved(before.Drops, after.Drops); len(dropped) > 0 {
		return append(out, check.PathFirewall.Fail("the probe stops here: a rule on this node dropped it", dropped...))
	}
	out = append(out, check.PathFirewall.OK("no drop rule's counter moved during the probe"))
	src := netip.Addr{}
	for _, ip := range cfg.HostIPs() {
		if ip.Is4() == in.ToIP.Is4() {
			src = ip
		}
	}
	var wgEv []string
	for idx := range remote {
		for _, dst := range cfg.HostIPsOf(idx) {
			if dst.Is4() == src.Is4() && src.IsValid() {
				if err := ping(netsetup.WireGuardName, src, dst, 0, probeTimeout); err != nil {
					wgEv = append(wgEv, fmt.Sprintf("node %d: %v", idx, err))
				}
			}
		}
	}
	if len(wgEv) > 0 {
		return append(out, check.PathWireGuard.Fail("the probe stops here: the destination's node does not answer through wgkube", wgEv...))
	}
	if len(remote) > 0 {
		out = append(out, check.PathWireGuard.OK("the destination's node answers through wgkube"))
	}
	return append(out, check.PathRemote.Fail("the probe left this node as planned and got no answer: it stops at the destination's node or pod"))
}

// podNetns finds the network namespace (among CRI-O's pinned ones) that
// holds ip.
func podNetns(dir string, ip netip.Addr) (netns.NsHandle, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		return 0, fmt.Errorf("no pod network namespaces in %s", dir)
	}
	for _, f := range files {
		h, err := netns.GetFromPath(f)
		if err != nil {
			continue
		}
		nh, err := netlink.NewHandleAt(h)
		if err != nil {
			h.Close()
			continue
		}
		addrs, err := nh.AddrList(nil, netlink.FAMILY_ALL)
		nh.Close()
		if err == nil {
			for _, a := range addrs {
				if addrOf(a.IP) == ip {
					return h, nil
				}
			}
		}
		h.Close()
	}
	return 0, fmt.Errorf("no network namespace in %s holds %s", dir, ip)
}

// probeFrom connects (port != 0) or pings from inside the pod's network
// namespace, on an OS thread that enters it only for this.
func probeFrom(ns netns.NsHandle, src, dst netip.Addr, port int) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(ns); err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		if port != 0 {
			var conn net.Conn
			conn, err = net.DialTimeout("tcp", net.JoinHostPort(dst.String(), strconv.Itoa(port)), 3*time.Second)
			if err == nil {
				conn.Close()
			}
		} else {
			err = ping("eth0", src, dst, 0, probeTimeout)
		}
		if serr := netns.Set(orig); serr != nil {
			// Leave the thread locked: it ends with this goroutine
			// rather than run other goroutines in the pod's namespace.
			errc <- errors.Join(err, serr)
			return
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}
