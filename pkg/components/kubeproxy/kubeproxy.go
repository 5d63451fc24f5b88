// Package kubeproxy runs kube-proxy in process in nftables mode, configured
// by a KubeProxyConfiguration file written at every start and loaded by
// kube-proxy's own options code.
package kubeproxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
	kubeproxyv1alpha1 "k8s.io/kube-proxy/config/v1alpha1"
	"k8s.io/kubernetes/cmd/kube-proxy/app"
	"k8s.io/utils/ptr"

	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Health and metrics stay on loopback.
const (
	HealthzAddress = "127.0.0.1:10256"
	MetricsAddress = "127.0.0.1:10249"
)

// KubeProxy programs Services into nftables.
type KubeProxy struct {
	NodeName   string
	Kubeconfig string // CN=system:kube-proxy, bound to system:node-proxier
	ConfigFile string
	// Bridge is where this node's pods live: traffic from it is local.
	Bridge       string
	ClusterCIDRs []netip.Prefix
	// NodePortIPs are the addresses NodePorts answer on.
	NodePortIPs []netip.Addr
	// OOMScoreAdj is what kube-proxy sets its process's oom_score_adj to.
	// The process is the whole node: give it the value the node has.
	OOMScoreAdj int32

	upstream.Runner
}

var (
	_ supervisor.Component = (*KubeProxy)(nil)
	_ supervisor.Readier   = (*KubeProxy)(nil)
	_ supervisor.Exiter    = (*KubeProxy)(nil)
)

func (p *KubeProxy) Name() string { return "kube-proxy" }

// Configuration is the KubeProxyConfiguration kubenode writes.
func (p *KubeProxy) Configuration() *kubeproxyv1alpha1.KubeProxyConfiguration {
	var cidrs, nodePorts []string
	for _, c := range p.ClusterCIDRs {
		cidrs = append(cidrs, c.String())
	}
	for _, a := range p.NodePortIPs {
		nodePorts = append(nodePorts, netip.PrefixFrom(a, a.BitLen()).String())
	}
	c := &kubeproxyv1alpha1.KubeProxyConfiguration{
		TypeMeta:           metav1.TypeMeta{APIVersion: kubeproxyv1alpha1.SchemeGroupVersion.String(), Kind: "KubeProxyConfiguration"},
		HostnameOverride:   p.NodeName,
		HealthzBindAddress: HealthzAddress,
		MetricsBindAddress: MetricsAddress,
		Mode:               "nftables",
		DetectLocalMode:    "BridgeInterface",
		DetectLocal:        kubeproxyv1alpha1.DetectLocalConfiguration{BridgeInterface: p.Bridge},
		ClusterCIDR:        strings.Join(cidrs, ","),
		NodePortAddresses:  nodePorts,
		OOMScoreAdj:        ptr.To(p.OOMScoreAdj),
		// 0 leaves nf_conntrack_max and the conntrack hash size alone: both
		// are machine-wide, not per network namespace.
		Conntrack: kubeproxyv1alpha1.KubeProxyConntrackConfiguration{MaxPerCore: ptr.To[int32](0), Min: ptr.To[int32](0)},
	}
	c.ClientConnection.Kubeconfig = p.Kubeconfig
	return c
}

func (p *KubeProxy) Init(context.Context) error {
	if p.NodeName == "" || p.Kubeconfig == "" || p.ConfigFile == "" || p.Bridge == "" {
		return errors.New("kube-proxy: node name, kubeconfig, config file and bridge are required")
	}
	return upstream.WriteConfig(p.Name(), p.ConfigFile, p.Configuration())
}

// Start loads the file through kube-proxy's own Options (defaulting,
// validation) and runs it. kube-proxy watches the file and ends when it
// changes; the node then restarts with the new one.
func (p *KubeProxy) Start(ctx context.Context) error {
	opts := app.NewOptions()
	fs := pflag.NewFlagSet("kube-proxy", pflag.ContinueOnError)
	opts.AddFlags(fs)
	if err := fs.Parse([]string{"--config=" + p.ConfigFile}); err != nil {
		return fmt.Errorf("kube-proxy: %w", err)
	}
	if err := opts.Complete(fs); err != nil {
		return fmt.Errorf("kube-proxy: %s: %w", p.ConfigFile, err)
	}
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("kube-proxy: invalid configuration %s: %w", p.ConfigFile, err)
	}
	klog.InfoS("Starting component", "component", p.Name(), "config", p.ConfigFile)
	ctx, cancel := p.Context(ctx)
	p.Go(cancel, func() error {
		err := opts.Run(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			err = errors.New("stopped on its own")
		}
		return fmt.Errorf("kube-proxy: %w", err)
	})
	return nil
}

// Ready is kube-proxy's own health endpoint: 200 once it has programmed
// the rules for the current Services.
func (p *KubeProxy) Ready(ctx context.Context) error {
	return upstream.Probe(ctx, http.DefaultClient, "http://"+HealthzAddress+"/healthz")
}

// Stop cancels kube-proxy's context. Its Run never returns (upstream
// blocks on its health servers), so Stop does not wait for it; the rules
// stay in place until the next start replaces them, so Services keep
// working across a restart.
func (p *KubeProxy) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	err := p.Runner.Stop(ctx, p.Name())
	if errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}
