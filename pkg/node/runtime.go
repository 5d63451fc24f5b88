package node

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubenode/kubenode/pkg/components/coredns"
	"github.com/kubenode/kubenode/pkg/components/crio"
	"github.com/kubenode/kubenode/pkg/components/kubelet"
	"github.com/kubenode/kubenode/pkg/components/kubeproxy"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/images"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// CoreDNSUser is the identity CoreDNS reads Services and EndpointSlices
// with (RBAC in the addons' builtin manifest).
const CoreDNSUser = "system:kubenode:coredns"

// ControlPlaneTaint keeps ordinary pods off a primary that has workers.
var ControlPlaneTaint = corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}

func kubeletKubeconfig(cfg *config.Config) string {
	return filepath.Join(cfg.DataDir, "kubelet.kubeconfig")
}

func kubeProxyKubeconfig(cfg *config.Config) string {
	return filepath.Join(cfg.DataDir, "kube-proxy.kubeconfig")
}

func coreDNSKubeconfig(cfg *config.Config) string {
	return filepath.Join(cfg.DataDir, "coredns.kubeconfig")
}

// runtime is the node half of a node: what runs pods. Every node has it.
type runtime struct {
	crio      *crio.CRIO
	kubelet   *kubelet.Kubelet
	kubeProxy *kubeproxy.KubeProxy
	dns       *coredns.CoreDNS
	log       logr.Logger
}

// runtimeCreds are the credentials the node runtime runs with: on the
// primary certificates kubenode issues, on a worker the kubelet's own
// (bootstrapped) client certificate for everything.
type runtimeCreds struct {
	kubelet, bootstrap, kubeProxy, coreDNS string // kubeconfigs
	caFile                                 string
	servingCert, servingKey                string // empty: the kubelet asks for one by CSR
}

func primaryCreds(cfg *config.Config, c *credentials) runtimeCreds {
	return runtimeCreds{
		kubelet: kubeletKubeconfig(cfg), kubeProxy: kubeProxyKubeconfig(cfg), coreDNS: coreDNSKubeconfig(cfg),
		caFile:      c.store.Path("ca.crt"),
		servingCert: c.kubeletServing.Path("kubelet-serving-" + cfg.NodeName + ".crt"),
		servingKey:  c.kubeletServing.Path("kubelet-serving-" + cfg.NodeName + ".key"),
	}
}

func newRuntime(cfg *config.Config, creds runtimeCreds, network *netsetup.Network, taint bool, log logr.Logger) (*runtime, error) {
	var taints []corev1.Taint
	if taint {
		taints = append(taints, ControlPlaneTaint)
	}
	c := &crio.CRIO{
		DataDir:       cfg.DataDir,
		RunDir:        cfg.RunDir,
		ImagesDir:     images.ArchiveDir(cfg.DataDir),
		KeepPods:      cfg.Runtime.KeepsPods(),
		RuntimePath:   cfg.Runtime.RuncPath,
		ConmonPath:    cfg.Runtime.ConmonPath,
		CNIPluginDirs: cniPluginDirs(cfg),
		Registries:    cfg.Registries,
		CNI: &crio.CNI{
			Bridge:  netsetup.BridgeName,
			Subnets: cfg.NodeCIDRs(cfg.NodeIndex),
			MTU:     network.MTU,
			IPAMDir: cniIPAMDir(cfg),
		},
	}
	upstreams, err := dnsUpstreams(cfg)
	if err != nil {
		// Cluster names still resolve; CoreDNS warns that others fail.
		log.Error(err, "DNS upstreams missing: names outside the cluster will not resolve")
	}
	// Until the mesh lists the other nodes: none.
	if err := writeNodesHosts(cfg, nil); err != nil {
		return nil, err
	}
	hostIPs := config.IPs(cfg.HostIPs())
	oomScoreAdj, err := processOOMScoreAdj(nodeOOMScoreAdj)
	if err != nil {
		return nil, fmt.Errorf("oom_score_adj: %w", err)
	}
	if oomScoreAdj != nodeOOMScoreAdj {
		log.V(2).Info("oom_score_adj kept: lowering it needs CAP_SYS_RESOURCE", "has", oomScoreAdj, "wanted", nodeOOMScoreAdj)
	}
	return &runtime{
		log:  log,
		crio: c,
		dns: &coredns.CoreDNS{
			ListenIPs:     hostIPs,
			ClusterDomain: cfg.ClusterDomain,
			Kubeconfig:    creds.coreDNS,
			// As seed 001: node names and the API name resolve to the
			// nodes' addresses on brkube, reachable from every pod and
			// node over the mesh.
			Hosts: []coredns.HostEntry{
				{Name: cfg.NodeName, IPs: hostIPs},
				{Name: cfg.APIName(), IPs: config.IPs(cfg.HostIPsOf(1))},
			},
			HostsFile: nodesHostsFile(cfg),
			Upstreams: upstreams,
			ConfigDir: filepath.Join(cfg.DataDir, "coredns"),
			Log:       log.WithValues("component", "coredns"),
		},
		kubelet: &kubelet.Kubelet{
			NodeName:            cfg.NodeName,
			NodeIPs:             cfg.NodeIPs,
			Kubeconfig:          creds.kubelet,
			BootstrapKubeconfig: creds.bootstrap,
			ServerTLSBootstrap:  creds.servingCert == "",
			ConfigFile:          filepath.Join(cfg.DataDir, "kubelet", "config.yaml"),
			RootDir:             cfg.KubeletRootDir(),
			PodLogsDir:          cfg.Runtime.PodLogsDir,
			CgroupRoot:          cfg.Runtime.CgroupRoot,
			RuntimeSocket:       c.Socket(),
			ClientCAFile:        creds.caFile,
			TLSCertFile:         creds.servingCert,
			TLSKeyFile:          creds.servingKey,
			ClusterDomain:       cfg.ClusterDomain,
			ClusterDNS:          cfg.HostIPs(),
			BindAddress:         bindAddress(cfg),
			Taints:              taints,
			OOMScoreAdj:         oomScoreAdj,
		},
		kubeProxy: &kubeproxy.KubeProxy{
			NodeName:     cfg.NodeName,
			Kubeconfig:   creds.kubeProxy,
			ConfigFile:   filepath.Join(cfg.DataDir, "kube-proxy", "config.yaml"),
			Bridge:       netsetup.BridgeName,
			ClusterCIDRs: cfg.ClusterCIDRs,
			NodePortIPs:  append(append([]netip.Addr{}, cfg.NodeIPs...), cfg.HostIPs()...),
			OOMScoreAdj:  oomScoreAdj,
		},
	}, nil
}

// dnsUpstreams are the configured resolvers, or the host's.
func dnsUpstreams(cfg *config.Config) ([]string, error) {
	if len(cfg.Runtime.DNSUpstreams) == 0 {
		ups, err := coredns.Upstreams()
		if err != nil {
			return nil, fmt.Errorf("dns upstreams: %w (set runtime.dnsUpstreams in the config)", err)
		}
		return ups, nil
	}
	var out []string
	for _, u := range cfg.Runtime.DNSUpstreams {
		if a, err := netip.ParseAddr(u); err == nil {
			u = netip.AddrPortFrom(a, 53).String()
		}
		out = append(out, u)
	}
	return out, nil
}

// addAgents adds the components that start once the API answers: the
// kubelet together with the given components that need only the API (a
// primary's controller-manager, scheduler, add-ons and controllers), then
// CoreDNS and kube-proxy together. Both need the kubelet: a worker's
// CoreDNS uses the client certificate the kubelet bootstraps, and
// kube-proxy at its start waits for its Node to have addresses, polling
// every second (started with the kubelet, before it registered the Node,
// it was ready after 1.5 s instead of 0.5 s). The kubelet is last of its
// step, so it stops first and the pod stopper right after the whole step.
func (r *runtime) addAgents(m *supervisor.Manager, with ...supervisor.Component) {
	m.Add(podStopper{r.crio})
	m.AddTogether(append(with, r.kubelet)...)
	m.AddTogether(r.dns, r.kubeProxy)
}

// checkNodePorts fails early, naming the port, when something else holds
// one the node runtime listens on.
func checkNodePorts(cfg *config.Config) error {
	for _, p := range []struct {
		host string
		port int
		what string
	}{
		{bindAddress(cfg), kubelet.Port, "kubelet API"},
		{bindAddress(cfg), MetricsPort, "node metrics"},
		{"127.0.0.1", 10248, "kubelet health"},
		{"127.0.0.1", 10256, "kube-proxy health"},
		{"127.0.0.1", 10249, "kube-proxy metrics"},
	} {
		l, err := net.Listen("tcp", net.JoinHostPort(p.host, strconv.Itoa(p.port)))
		if err != nil {
			return fmt.Errorf("port %d (%s) is not free (%v): stop what listens there (ss -ltnp 'sport = :%d')", p.port, p.what, err, p.port)
		}
		l.Close()
	}
	return nil
}

func cniPluginDirs(cfg *config.Config) []string {
	return []string{cfg.Runtime.CNIPluginDir}
}

// podStopper starts right before the kubelet's step, so it stops right after it:
// it tells CRI-O to begin stopping pods once the kubelet no longer restarts
// them, while the control plane shuts down; CRI-O's Stop waits for it.
type podStopper struct{ crio *crio.CRIO }

func (p podStopper) Name() string                { return "pod-stopper" }
func (p podStopper) Init(context.Context) error  { return nil }
func (p podStopper) Start(context.Context) error { return nil }
func (p podStopper) Stop(context.Context) error  { p.crio.StopPods(); return nil }
