// Package config holds a node's configuration: the YAML file, the flags that
// override it, defaults, validation and the address plan derived from it.
//
// Load returns a resolved Config; nothing mutates it afterwards and each
// component receives only the values it needs.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// Defaults of the address plan: node N owns subnet N of each cluster range;
// subnet 0 holds the Services.
const (
	DefaultConfigFile    = "/etc/kubenode/config.yaml"
	DefaultDataDir       = "/var/lib/kubenode"
	DefaultRunDir        = "/run/kubenode"
	DefaultClusterDomain = "k8s.internal"
	DefaultClusterCIDRv4 = "10.88.0.0/16"
	DefaultClusterCIDRv6 = "fd88::/16"
	DefaultServiceCIDRv4 = "10.88.0.0/24"
	DefaultServiceCIDRv6 = "fd88::/112"
	DefaultAPIPort       = 6443
	DefaultWireGuardPort = 51820

	// DNSPort is where CoreDNS answers, on the node's host IPs.
	DNSPort = 53

	// Node N owns subnet N of the cluster range at these prefix lengths;
	// subnet 0 holds the service range.
	nodeMaskV4 = 24
	nodeMaskV6 = 32
)

// NodePorts are the TCP ports a node's components listen on besides the
// API (pkg/components: kubelet, kube-proxy, scheduler, controller-manager,
// CoreDNS), which apiPort must not take.
var NodePorts = map[int]string{
	DNSPort: "CoreDNS",
	10248:   "the kubelet's health endpoint",
	10249:   "kube-proxy's metrics",
	10250:   "the kubelet API",
	10251:   "the node's metrics",
	10252:   "the metrics API (primary)",
	10256:   "kube-proxy's health endpoint",
	10257:   "kube-controller-manager",
	10259:   "kube-scheduler",
}

// Families of addresses a cluster uses.
const (
	DualStack = "dual"
	IPv4Only  = "ipv4"
	IPv6Only  = "ipv6"
)

// The config file's version. A file without apiVersion and kind is read
// as this version (files written before they existed).
const (
	APIVersion = "kubenode.io/v1alpha1"
	Kind       = "Config"
)

// File is the schema of config.yaml. Zero values mean "use the default".
type File struct {
	APIVersion    string       `json:"apiVersion,omitempty"`
	Kind          string       `json:"kind,omitempty"`
	NodeIndex     int          `json:"nodeIndex,omitempty"`
	NodeIPs       []string     `json:"nodeIPs,omitempty"`
	DataDir       string       `json:"dataDir,omitempty"`
	RunDir        string       `json:"runDir,omitempty"`
	ClusterDomain string       `json:"clusterDomain,omitempty"`
	IPFamily      string       `json:"ipFamily,omitempty"`
	ClusterCIDRv4 string       `json:"clusterCIDRv4,omitempty"`
	ClusterCIDRv6 string       `json:"clusterCIDRv6,omitempty"`
	ServiceCIDRv4 string       `json:"serviceCIDRv4,omitempty"`
	ServiceCIDRv6 string       `json:"serviceCIDRv6,omitempty"`
	APIPort       int          `json:"apiPort,omitempty"`
	Network       Network      `json:"network,omitempty"`
	Runtime       Runtime      `json:"runtime,omitempty"`
	Etcd          Etcd         `json:"etcd,omitempty"`
	LoadBalancer  LoadBalancer `json:"loadBalancer,omitempty"`
	Storage       Storage      `json:"storage,omitempty"`
	Registries    Registries   `json:"registries,omitempty"`
}

// Storage is the local volumes' part of config.yaml.
type Storage struct {
	// LocalPath is where the StorageClass "local" makes one directory per
	// claim bound on this node; default <dataDir>/volumes.
	LocalPath string `json:"localPath,omitempty"`
}

// LoadBalancer is the part of config.yaml for Services of type
// LoadBalancer, which the primary serves on node addresses.
type LoadBalancer struct {
	// NodeSelector is a label selector (kubectl's syntax) choosing the
	// nodes whose addresses serve; default: every Ready node.
	NodeSelector string `json:"nodeSelector,omitempty"`
}

// Etcd is the primary's etcd part of config.yaml: scheduled snapshots into
// <dataDir>/snapshots.
type Etcd struct {
	// SnapshotInterval is a Go duration (default 12h, at least 1m), or
	// "off" for no scheduled snapshots.
	SnapshotInterval string `json:"snapshotInterval,omitempty"`
	// SnapshotRetain is how many scheduled snapshots are kept (default 5).
	SnapshotRetain int `json:"snapshotRetain,omitempty"`
}

// Defaults of the etcd section.
const (
	DefaultSnapshotInterval = 12 * time.Hour
	DefaultSnapshotRetain   = 5
	minSnapshotInterval     = time.Minute
)

// EtcdConfig is the resolved etcd section.
type EtcdConfig struct {
	SnapshotInterval time.Duration // 0: no scheduled snapshots
	SnapshotRetain   int
}

// Runtime is the node runtime's part of config.yaml: kubelet, CRI-O and
// CoreDNS settings an operator (or a test running several nodes on one
// machine) may need to move.
type Runtime struct {
	// KubeletRootDir: default /var/lib/kubelet (where CSI drivers and
	// tools expect it).
	KubeletRootDir string `json:"kubeletRootDir,omitempty"`
	// PodLogsDir: default /var/log/pods.
	PodLogsDir string `json:"podLogsDir,omitempty"`
	// CgroupRoot is the cgroup pods go under; default "/".
	CgroupRoot string `json:"cgroupRoot,omitempty"`
	// KeepPodsRunning leaves containers running while kubenode stops or
	// restarts (default true), for the next start to adopt; false stops
	// every pod whenever kubenode stops. `kubenode shutdown` and `reset`
	// stop them either way.
	KeepPodsRunning *bool `json:"keepPodsRunning,omitempty"`
	// PrimaryTaint decides whether the primary registers with
	// node-role.kubernetes.io/control-plane:NoSchedule: "auto" (default:
	// only once workers exist, so a lone primary runs pods), "always" or
	// "never".
	PrimaryTaint string `json:"primaryTaint,omitempty"`
	// DNSUpstreams are the resolvers CoreDNS forwards names outside the
	// cluster to (IP or IP:port); default: the host's resolvers.
	DNSUpstreams []string `json:"dnsUpstreams,omitempty"`
	// Host binaries, for hosts that keep them elsewhere (NixOS): defaults
	// /usr/sbin/runc, /usr/bin/conmon and /usr/lib/cni.
	RuncPath     string `json:"runcPath,omitempty"`
	ConmonPath   string `json:"conmonPath,omitempty"`
	CNIPluginDir string `json:"cniPluginDir,omitempty"`
}

// Defaults of the runtime section's paths, resolved here and nowhere else.
const (
	DefaultKubeletRootDir = "/var/lib/kubelet" // where CSI drivers and tools expect it
	DefaultPodLogsDir     = "/var/log/pods"
	DefaultRuncPath       = "/usr/sbin/runc"
	DefaultConmonPath     = "/usr/bin/conmon"
	DefaultCNIPluginDir   = "/usr/lib/cni"
	// Pods outlive a restart or upgrade of kubenode.
	DefaultKeepPodsRunning = true
)

// WithDefaults returns r with every unset field that has a default set to
// it.
func (r Runtime) WithDefaults() Runtime {
	r.KubeletRootDir = or(r.KubeletRootDir, DefaultKubeletRootDir)
	r.PodLogsDir = or(r.PodLogsDir, DefaultPodLogsDir)
	r.RuncPath = or(r.RuncPath, DefaultRuncPath)
	r.ConmonPath = or(r.ConmonPath, DefaultConmonPath)
	r.CNIPluginDir = or(r.CNIPluginDir, DefaultCNIPluginDir)
	r.PrimaryTaint = or(r.PrimaryTaint, TaintAuto)
	keep := r.KeepsPods()
	r.KeepPodsRunning = &keep
	return r
}

// KeepsPods is runtime.keepPodsRunning, or its default when unset.
func (r Runtime) KeepsPods() bool {
	if r.KeepPodsRunning == nil {
		return DefaultKeepPodsRunning
	}
	return *r.KeepPodsRunning
}

// Values of Runtime.PrimaryTaint.
const (
	TaintAuto   = "auto"
	TaintAlways = "always"
	TaintNever  = "never"
)

// Network is the network phase's part of config.yaml.
type Network struct {
	// UnderlayInterface carries WireGuard traffic; default: the interface
	// holding the node IP.
	UnderlayInterface string `json:"underlayInterface,omitempty"`
	// MTU of wgkube and pods; default: underlay MTU minus 80.
	MTU           int    `json:"mtu,omitempty"`
	WireGuardPort int    `json:"wireguardPort,omitempty"`
	Peers         []Peer `json:"peers,omitempty"`
}

// Peer is a statically configured node of the mesh.
type Peer struct {
	Index     int    `json:"index"`
	PublicKey string `json:"publicKey"`
	Endpoint  string `json:"endpoint"`
}

// Config is the resolved, validated configuration of one node.
type Config struct {
	NodeIndex     int
	NodeName      string
	NodeIPs       []netip.Addr // underlay addresses; empty until ResolveNodeIPs
	DataDir       string
	RunDir        string
	ClusterDomain string
	IPFamily      string
	ClusterCIDRs  []netip.Prefix // v4 first when dual-stack
	ServiceCIDRs  []netip.Prefix
	APIPort       int
	Network       Network
	Runtime       Runtime
	Etcd          EtcdConfig
	LoadBalancer  LoadBalancer
	Storage       Storage // LocalPath resolved
	Registries    Registries
}

// checkLocalPath keeps the volumes' directory off kubenode's own state and
// off tmpfs-like places that a reboot empties: a claim's directory is made
// there and removed when its volume is deleted.
func (c *Config) checkLocalPath() error {
	p := c.Storage.LocalPath
	if !filepath.IsAbs(p) {
		return fmt.Errorf("storage.localPath %q: must be an absolute path (default <dataDir>/volumes)", p)
	}
	p = filepath.Clean(p)
	c.Storage.LocalPath = p
	under := func(dir string) bool {
		rel, err := filepath.Rel(filepath.Clean(dir), p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
	}
	switch {
	case p == "/":
		return fmt.Errorf("storage.localPath %q: must be a directory of its own, not /", p)
	case !filepath.IsAbs(c.DataDir) || !filepath.IsAbs(c.RunDir):
		return nil // reported for dataDir/runDir
	case under(c.RunDir):
		return fmt.Errorf("storage.localPath %q: inside runDir %s, which does not survive a reboot; choose a directory on disk (default <dataDir>/volumes)", p, c.RunDir)
	case under(c.DataDir) && !under(filepath.Join(c.DataDir, "volumes")):
		return fmt.Errorf("storage.localPath %q: inside dataDir %s, which holds kubenode's own state; use %s (the default) or a directory outside it", p, c.DataDir, filepath.Join(c.DataDir, "volumes"))
	case filepath.IsAbs(c.KubeletRootDir()) && under(c.KubeletRootDir()):
		return fmt.Errorf("storage.localPath %q: inside the kubelet's root dir %s, which the kubelet manages; choose another directory", p, c.KubeletRootDir())
	}
	return nil
}

// Parse decodes config.yaml. Unknown fields and values of the wrong kind
// are errors, all of them at once (see Problems).
func Parse(data []byte) (*File, error) {
	var f File
	if len(bytes.TrimSpace(data)) == 0 {
		return &f, nil
	}
	if errs := schemaProblems(data); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// ReadFile reads config.yaml at path. A missing file is not an error when
// optional is true (the default path), so a bare host runs on defaults.
func ReadFile(path string, optional bool) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && optional {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		var errs []error
		for _, p := range Problems(err) {
			errs = append(errs, fmt.Errorf("%s: %w", path, p))
		}
		return nil, fmt.Errorf("config: %w\n(see configs/config.example.yaml for the fields)", errors.Join(errs...))
	}
	return f, nil
}

// Host tells Resolve what the machine has, so that validation stays a pure
// function in tests.
type Host interface {
	// Addrs lists the addresses of this host's interfaces.
	Addrs() ([]netip.Addr, error)
	// DefaultRouteSources lists the source address the kernel uses for the
	// default route of each family it has one for.
	DefaultRouteSources() ([]netip.Addr, error)
}

// Resolve applies defaults and validates, returning every problem at once.
// The node IPs are the configured ones, which must be on the host, or else
// the default route's source address: never a guess among interfaces.
// A nil host checks the file alone, for a config written for another
// machine: the node IPs are then only the configured ones, unchecked
// against any host.
func (f *File) Resolve(host Host) (*Config, error) {
	c := &Config{
		NodeIndex:     f.NodeIndex,
		DataDir:       or(f.DataDir, DefaultDataDir),
		RunDir:        or(f.RunDir, DefaultRunDir),
		ClusterDomain: strings.TrimSuffix(or(f.ClusterDomain, DefaultClusterDomain), "."),
		IPFamily:      or(f.IPFamily, DualStack),
		APIPort:       f.APIPort,
		Network:       f.Network,
		Runtime:       f.Runtime.WithDefaults(),
		LoadBalancer:  f.LoadBalancer,
		Registries:    f.Registries,
	}
	c.Etcd = EtcdConfig{SnapshotInterval: DefaultSnapshotInterval, SnapshotRetain: DefaultSnapshotRetain}
	if f.Etcd.SnapshotRetain != 0 {
		c.Etcd.SnapshotRetain = f.Etcd.SnapshotRetain
	}
	c.Storage.LocalPath = or(f.Storage.LocalPath, filepath.Join(c.DataDir, "volumes"))
	if c.NodeIndex == 0 {
		c.NodeIndex = 1
	}
	if c.APIPort == 0 {
		c.APIPort = DefaultAPIPort
	}
	if c.Network.WireGuardPort == 0 {
		c.Network.WireGuardPort = DefaultWireGuardPort
	}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if f.APIVersion != "" && f.APIVersion != APIVersion {
		bad("apiVersion %q: this kubenode reads %s (see configs/config.example.yaml)", f.APIVersion, APIVersion)
	}
	if f.Kind != "" && f.Kind != Kind {
		bad("kind %q: a kubenode config file is kind %s", f.Kind, Kind)
	}

	for _, d := range []struct{ field, dir, def string }{{"dataDir", c.DataDir, DefaultDataDir}, {"runDir", c.RunDir, DefaultRunDir}} {
		switch {
		case !filepath.IsAbs(d.dir):
			bad("%s %q: must be an absolute path", d.field, d.dir)
		case filepath.Clean(d.dir) == "/":
			bad("%s %q: must be a directory of its own, not / (default %s)", d.field, d.dir, d.def)
		}
	}
	if filepath.IsAbs(c.DataDir) && filepath.Clean(c.DataDir) == filepath.Clean(c.RunDir) {
		bad("dataDir and runDir are both %s: they must differ (the image store keeps its data and its runtime state apart)", c.DataDir)
	}
	if err := c.checkLocalPath(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.Registries.validate(host != nil)...)
	if c.NodeIndex < 1 || c.NodeIndex > 255 {
		bad("nodeIndex %d: must be between 1 and 255", c.NodeIndex)
	}
	if c.APIPort < 1 || c.APIPort > 65535 {
		bad("apiPort %d: must be between 1 and 65535", c.APIPort)
	} else if what, ok := NodePorts[c.APIPort]; ok {
		bad("apiPort %d: %s listens there; choose another port", c.APIPort, what)
	}
	if p := c.Network.WireGuardPort; p < 1 || p > 65535 {
		bad("network.wireguardPort %d: must be between 1 and 65535 (UDP; default %d)", p, DefaultWireGuardPort)
	} else if p == DNSPort {
		bad("network.wireguardPort %d: CoreDNS answers on UDP port %d of the node's host IPs; choose another port", p, DNSPort)
	}
	if c.Network.MTU != 0 && (c.Network.MTU < 576 || c.Network.MTU > 65535) {
		bad("network.mtu %d: must be between 576 and 65535", c.Network.MTU)
	}
	if c.Network.MTU != 0 && c.Network.MTU < 1280 && c.IPFamily != IPv4Only {
		bad("network.mtu %d: IPv6 needs at least 1280; raise it or set ipFamily: ipv4", c.Network.MTU)
	}
	if u := c.Network.UnderlayInterface; u != "" {
		if err := validInterfaceName(u); err != nil {
			bad("network.underlayInterface %q: %v", u, err)
		} else if u == "brkube" || u == "wgkube" || u == "lo" {
			bad("network.underlayInterface %q: must be the host's own network interface, not %s", u, u)
		}
	}
	for _, d := range []struct{ field, dir string }{
		{"runtime.kubeletRootDir", c.Runtime.KubeletRootDir},
		{"runtime.podLogsDir", c.Runtime.PodLogsDir},
		{"runtime.cgroupRoot", c.Runtime.CgroupRoot},
		{"runtime.runcPath", c.Runtime.RuncPath},
		{"runtime.conmonPath", c.Runtime.ConmonPath},
		{"runtime.cniPluginDir", c.Runtime.CNIPluginDir},
	} {
		if d.dir != "" && !filepath.IsAbs(d.dir) {
			bad("%s %q: must be an absolute path", d.field, d.dir)
		}
	}
	switch iv := f.Etcd.SnapshotInterval; iv {
	case "":
	case "off":
		c.Etcd.SnapshotInterval = 0
	default:
		d, err := time.ParseDuration(iv)
		switch {
		case err != nil:
			bad("etcd.snapshotInterval %q: not a duration (examples: 12h, 30m) or \"off\"", iv)
		case d < minSnapshotInterval:
			bad("etcd.snapshotInterval %s: must be at least %s (or \"off\")", iv, minSnapshotInterval)
		default:
			c.Etcd.SnapshotInterval = d
		}
	}
	if _, err := labels.Parse(c.LoadBalancer.NodeSelector); err != nil {
		bad("loadBalancer.nodeSelector %q: %v (example: kubenode.io/lb=true)", c.LoadBalancer.NodeSelector, err)
	}
	if c.Etcd.SnapshotRetain < 1 {
		bad("etcd.snapshotRetain %d: must be at least 1", c.Etcd.SnapshotRetain)
	}
	switch c.Runtime.PrimaryTaint {
	case TaintAuto, TaintAlways, TaintNever:
	default:
		bad("runtime.primaryTaint %q: must be one of %s, %s, %s", c.Runtime.PrimaryTaint, TaintAuto, TaintAlways, TaintNever)
	}
	for _, u := range c.Runtime.DNSUpstreams {
		a, err := netip.ParseAddr(u)
		if err != nil {
			ap, perr := netip.ParseAddrPort(u)
			if perr != nil {
				bad("runtime.dnsUpstreams %q: not an IP address or IP:port (example: 192.0.2.53 or [2001:db8::53]:53)", u)
				continue
			}
			if ap.Port() == 0 {
				bad("runtime.dnsUpstreams %q: port 0; leave the port out for 53", u)
				continue
			}
			a = ap.Addr()
		}
		if a.IsUnspecified() || a.IsMulticast() {
			bad("runtime.dnsUpstreams %q: not a resolver's unicast address", u)
		}
	}
	if !validDomain(c.ClusterDomain) {
		bad("clusterDomain %q: not a DNS domain name", c.ClusterDomain)
	}
	c.NodeName = NodeNameOf(c.NodeIndex, c.ClusterDomain)

	var want4, want6 bool
	switch c.IPFamily {
	case DualStack:
		want4, want6 = true, true
	case IPv4Only:
		want4 = true
	case IPv6Only:
		want6 = true
	default:
		bad("ipFamily %q: must be one of %s, %s, %s", c.IPFamily, DualStack, IPv4Only, IPv6Only)
	}
	prefix := func(field, s, def string, want4 bool) netip.Prefix {
		p, err := netip.ParsePrefix(or(s, def))
		switch {
		case err != nil:
			bad("%s %q: not a CIDR (example: %s)", field, s, def)
		case p.Addr().Is4() != want4:
			bad("%s %q: wrong address family (example: %s)", field, s, def)
		case p.Masked() != p:
			bad("%s %q: host bits set; did you mean %s?", field, s, p.Masked())
		}
		return p
	}
	if want4 {
		cl := prefix("clusterCIDRv4", f.ClusterCIDRv4, DefaultClusterCIDRv4, true)
		sv := prefix("serviceCIDRv4", f.ServiceCIDRv4, DefaultServiceCIDRv4, true)
		if cl.IsValid() && cl.Bits() > nodeMaskV4-1 {
			bad("clusterCIDRv4 %s: must be /%d or larger to hold /%d node subnets", cl, nodeMaskV4-1, nodeMaskV4)
		}
		if sv.IsValid() && sv.Bits() > 30 {
			bad("serviceCIDRv4 %s: too small to hold the API service IP and Services; use /30 or larger (default /24)", sv)
		}
		c.ClusterCIDRs = append(c.ClusterCIDRs, cl)
		c.ServiceCIDRs = append(c.ServiceCIDRs, sv)
	}
	if want6 {
		cl := prefix("clusterCIDRv6", f.ClusterCIDRv6, DefaultClusterCIDRv6, false)
		sv := prefix("serviceCIDRv6", f.ServiceCIDRv6, DefaultServiceCIDRv6, false)
		if cl.IsValid() && cl.Bits() > nodeMaskV6-1 {
			bad("clusterCIDRv6 %s: must be /%d or larger to hold /%d node subnets", cl, nodeMaskV6-1, nodeMaskV6)
		}
		if sv.IsValid() && sv.Bits() < 108 {
			bad("serviceCIDRv6 %s: Kubernetes allows at most 20 host bits; use /108 or smaller", sv)
		}
		if sv.IsValid() && sv.Bits() > 126 {
			bad("serviceCIDRv6 %s: too small to hold the API service IP and Services; use /126 or larger (default /112)", sv)
		}
		c.ClusterCIDRs = append(c.ClusterCIDRs, cl)
		c.ServiceCIDRs = append(c.ServiceCIDRs, sv)
	}
	if len(errs) == 0 {
		for i := range c.ClusterCIDRs {
			sub0, _ := c.nodeSubnet(c.ClusterCIDRs[i], 0)
			if !prefixContains(sub0, c.ServiceCIDRs[i]) {
				bad("service CIDR %s: must lie inside %s (subnet 0 of the cluster range, which no node uses)", c.ServiceCIDRs[i], sub0)
			}
		}
	}

	var have4, have6 bool
	for _, s := range f.NodeIPs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			bad("nodeIPs %q: not an IP address", s)
			continue
		}
		a = a.Unmap()
		if (a.Is4() && !want4) || (a.Is6() && !want6) {
			bad("nodeIPs %q: ipFamily is %s", s, c.IPFamily)
			continue
		}
		if a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() || a.IsLinkLocalUnicast() {
			bad("nodeIPs %q: must be a routable unicast address of this host", s)
			continue
		}
		// The kubelet takes one node IP per family.
		if (a.Is4() && have4) || (a.Is6() && have6) {
			bad("nodeIPs %q: at most one IPv4 and one IPv6 address", s)
			continue
		}
		have4, have6 = have4 || a.Is4(), have6 || a.Is6()
		c.NodeIPs = append(c.NodeIPs, a)
	}

	if len(errs) == 0 && host != nil {
		if err := c.resolveNodeIPs(host, len(f.NodeIPs) > 0, want4, want6); err != nil {
			errs = append(errs, err)
		}
	}
	// The first Service range is the cluster's primary family: the
	// kubernetes Service gets its address there and the apiserver's
	// advertise address (a node IP) must be of that family. On an
	// IPv6-only underlay with dual-stack pods (seed 003) that is IPv6.
	if len(errs) == 0 && want4 && want6 && !slices.ContainsFunc(c.NodeIPs, netip.Addr.Is4) {
		slices.Reverse(c.ServiceCIDRs)
	}
	if len(errs) == 0 {
		errs = append(errs, c.validateOverlap()...)
		errs = append(errs, c.validatePeers()...)
	}

	// The own index counts only when the file sets it: without one a
	// worker's index comes from its join, and its config may well list the
	// primary (index 1, the default) as a static peer. netsetup checks the
	// index the node runs with against the peers.
	seen := map[int]bool{}
	if f.NodeIndex != 0 {
		seen[c.NodeIndex] = true
	}
	for _, p := range c.Network.Peers {
		if p.Index < 1 || p.Index > 255 {
			bad("network.peers: index %d: must be between 1 and 255", p.Index)
		} else if seen[p.Index] {
			bad("network.peers: index %d is used twice (node indexes are unique)", p.Index)
		}
		seen[p.Index] = true
	}

	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

func (c *Config) resolveNodeIPs(host Host, explicit, want4, want6 bool) error {
	if explicit {
		have, err := host.Addrs()
		if err != nil {
			return fmt.Errorf("nodeIPs: list host addresses: %w", err)
		}
		for _, a := range c.NodeIPs {
			found := false
			for _, h := range have {
				found = found || h.Unmap() == a
			}
			if !found {
				return fmt.Errorf("node IP %s is not an address of this host (it has %s); pass --node-ip with one of them", a, joinAddrs(have))
			}
		}
		return nil
	}
	srcs, err := host.DefaultRouteSources()
	if err != nil {
		return fmt.Errorf("nodeIPs: read default routes: %w", err)
	}
	for _, a := range srcs {
		if (a.Is4() && want4) || (a.Is6() && want6) {
			c.NodeIPs = append(c.NodeIPs, a.Unmap())
		}
	}
	if len(c.NodeIPs) == 0 {
		return fmt.Errorf("no default route (for ipFamily %s) to take the node IP from; pass --node-ip ADDRESS or set nodeIPs in the config", c.IPFamily)
	}
	return nil
}

func joinAddrs(as []netip.Addr) string {
	var s []string
	for _, a := range as {
		if !a.IsLoopback() && !a.IsLinkLocalUnicast() {
			s = append(s, a.String())
		}
	}
	if len(s) == 0 {
		return "no routable address"
	}
	return strings.Join(s, ", ")
}

// NodeCIDRs returns the pod subnets of node index i, v4 first.
func (c *Config) NodeCIDRs(i int) []netip.Prefix {
	var out []netip.Prefix
	for _, cl := range c.ClusterCIDRs {
		p, _ := c.nodeSubnet(cl, i)
		out = append(out, p)
	}
	return out
}

// HostIPs returns this node's addresses on brkube (.1 / ::1 of each node CIDR).
func (c *Config) HostIPs() []netip.Addr { return c.HostIPsOf(c.NodeIndex) }

// HostIPsOf returns node i's addresses on brkube.
func (c *Config) HostIPsOf(i int) []netip.Addr {
	var out []netip.Addr
	for _, p := range c.NodeCIDRs(i) {
		out = append(out, p.Addr().Next())
	}
	return out
}

// APIServiceIPs returns the first address of each service range (the
// "kubernetes" Service).
func (c *Config) APIServiceIPs() []netip.Addr {
	var out []netip.Addr
	for _, p := range c.ServiceCIDRs {
		out = append(out, p.Addr().Next())
	}
	return out
}

// APIName is the DNS name that resolves to the primary.
func (c *Config) APIName() string { return "api." + c.ClusterDomain }

// Paths under the data and run directories, in one place so that every
// component and test agrees on them.
func (c *Config) PKIDir() string  { return filepath.Join(c.DataDir, "pki") }
func (c *Config) EtcdDir() string { return filepath.Join(c.DataDir, "etcd") }

// SnapshotDir holds the scheduled etcd snapshots.
func (c *Config) SnapshotDir() string  { return filepath.Join(c.DataDir, "snapshots") }
func (c *Config) ManifestsDir() string { return filepath.Join(c.DataDir, "manifests") }
func (c *Config) AdminKubeconfig() string {
	return filepath.Join(c.DataDir, "admin.kubeconfig")
}
func (c *Config) EtcdSocket() string { return filepath.Join(c.RunDir, "etcd.sock") }
func (c *Config) KubeletRootDir() string {
	return or(c.Runtime.KubeletRootDir, DefaultKubeletRootDir)
}

func (c *Config) nodeSubnet(cluster netip.Prefix, i int) (netip.Prefix, error) {
	bits := nodeMaskV4
	if cluster.Addr().Is6() {
		bits = nodeMaskV6
	}
	b := cluster.Addr().AsSlice()
	// The node index fills the bits between the cluster prefix and the node
	// prefix; Resolve guarantees there are at least 8 of them only for the
	// defaults, so reject indexes that do not fit.
	free := bits - cluster.Bits()
	if i < 0 || (free < 31 && i >= 1<<free) {
		return netip.Prefix{}, fmt.Errorf("node index %d does not fit in %s", i, cluster)
	}
	for k := 0; k < free; k++ {
		if i&(1<<k) != 0 {
			pos := bits - 1 - k
			b[pos/8] |= 1 << (7 - pos%8)
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(a, bits), nil
}

func prefixContains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// validInterfaceName checks a Linux interface name as the kernel does
// (dev_valid_name).
func validInterfaceName(n string) error {
	switch {
	case len(n) > 15:
		return fmt.Errorf("longer than 15 characters, so no interface has this name (see ip link)")
	case n == "." || n == "..":
		return errors.New("not an interface name (see ip link)")
	case strings.ContainsAny(n, "/: \t\n"):
		return errors.New("interface names hold no '/', ':' or white space (see ip link)")
	}
	return nil
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// IPs converts addresses for APIs that want net.IP.
func IPs(addrs []netip.Addr) []net.IP {
	out := make([]net.IP, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, net.IP(a.AsSlice()))
	}
	return out
}

// WithIndex returns a copy of c as node index i, which a worker learns only
// when it joins (the address plan and node name follow from the index).
func (c *Config) WithIndex(i int) *Config {
	n := *c
	n.NodeIndex = i
	n.NodeName = NodeNameOf(i, c.ClusterDomain)
	return &n
}

// NodeNameOf is node N's name: its Node object, its certificates' CN and
// its DNS name.
func NodeNameOf(i int, domain string) string { return fmt.Sprintf("node%d.%s", i, domain) }

// Check reads the config file at path, applies override (the node flags)
// and resolves it as a node does at start, returning every problem, one
// error each. host nil checks the file alone (see Resolve).
func Check(path string, override func(*File), host Host) (*Config, []error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []error{err}
	}
	f, err := Parse(data)
	if err != nil {
		return nil, Problems(err)
	}
	if override != nil {
		override(f)
	}
	c, err := f.Resolve(host)
	if err != nil {
		return nil, Problems(err)
	}
	return c, nil
}
