package kubelet

import (
	"context"
	"crypto/tls"
	"errors"

	cadvisormetrics "github.com/google/cadvisor/container"
	cadvisorapi "github.com/google/cadvisor/info/v1"
	cadvisorv2 "github.com/google/cadvisor/info/v2"
	cadvisorprom "github.com/google/cadvisor/metrics"
	"github.com/prometheus/client_golang/prometheus"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	compbasemetrics "k8s.io/component-base/metrics"
	"k8s.io/klog/v2"
	kubelettypes "k8s.io/kubelet/pkg/types"
	"k8s.io/kubernetes/pkg/features"
	kubeletpkg "k8s.io/kubernetes/pkg/kubelet"
	kubeletcadvisor "k8s.io/kubernetes/pkg/kubelet/cadvisor"
	"k8s.io/kubernetes/pkg/kubelet/metrics/collectors"
	"k8s.io/kubernetes/pkg/kubelet/server"
	serverstats "k8s.io/kubernetes/pkg/kubelet/server/stats"
	"k8s.io/utils/clock"
)

// Serving is what the node's metrics endpoint shares with the running
// kubelet: its serving TLS configuration (certificate, rotated on a worker,
// and client CA), its authenticator and authorizer, and the collectors of
// its /metrics/cadvisor and /metrics/resource, built over the kubelet
// itself as its HTTP server builds them.
type Serving struct {
	TLSConfig *tls.Config
	Auth      server.AuthInterface
	CAdvisor  prometheus.Gatherer
	Resource  prometheus.Gatherer
}

// Serving waits until the kubelet has built itself (its server's TLS and
// auth exist then) and returns what it serves with.
func (k *Kubelet) Serving(ctx context.Context) (*Serving, error) {
	select {
	case <-k.serving:
		return k.servingVal, nil
	case <-ctx.Done():
		return nil, errors.New("kubelet: not built yet: " + ctx.Err().Error())
	}
}

// servingOption runs inside the kubelet's constructor (a Dependencies
// option), after it made its TLS configuration and auth, and gives them and
// the kubelet to Serving.
func (k *Kubelet) servingOption(ctx context.Context, deps *kubeletpkg.Dependencies) kubeletpkg.Option {
	return func(kl *kubeletpkg.Kubelet) {
		k.servingVal = &Serving{
			// A copy, taken before the kubelet serves: an http.Server
			// writes its protocols (h2) into its TLSConfig when it starts,
			// while the kubelet's own server reads the kubelet's.
			TLSConfig: deps.TLSConfig.Clone(),
			Auth:      deps.Auth,
			CAdvisor:  cadvisorRegistry(ctx, kl),
			Resource:  resourceRegistry(ctx, kl),
		}
		close(k.serving)
	}
}

// cadvisorRegistry is /metrics/cadvisor's registry, as
// pkg/kubelet/server.(*Server).InstallDefaultHandlers makes it.
func cadvisorRegistry(ctx context.Context, kl *kubeletpkg.Kubelet) prometheus.Gatherer {
	included := cadvisormetrics.MetricSet{
		cadvisormetrics.CpuUsageMetrics:     struct{}{},
		cadvisormetrics.MemoryUsageMetrics:  struct{}{},
		cadvisormetrics.CpuLoadMetrics:      struct{}{},
		cadvisormetrics.DiskIOMetrics:       struct{}{},
		cadvisormetrics.DiskUsageMetrics:    struct{}{},
		cadvisormetrics.NetworkUsageMetrics: struct{}{},
		cadvisormetrics.AppMetrics:          struct{}{},
		cadvisormetrics.ProcessMetrics:      struct{}{},
		cadvisormetrics.OOMMetrics:          struct{}{},
	}
	if utilfeature.DefaultFeatureGate.Enabled(features.KubeletPSI) && kubeletcadvisor.IsPsiEnabled(klog.FromContext(ctx)) {
		included[cadvisormetrics.PressureMetrics] = struct{}{}
	}
	r := compbasemetrics.NewKubeRegistry()
	r.RawMustRegister(cadvisorprom.NewPrometheusMachineCollector(hostAdapter{kl}, included))
	if utilfeature.DefaultFeatureGate.Enabled(features.PodAndContainerStatsFromCRI) {
		r.CustomMustRegister(collectors.NewCRIMetricsCollector(ctx, kl.ListPodSandboxMetrics, kl.ListMetricDescriptors))
	} else {
		opts := cadvisorv2.RequestOptions{IdType: cadvisorv2.TypeName, Count: 1, Recursive: true}
		r.RawMustRegister(cadvisorprom.NewPrometheusCollector(hostAdapter{kl}, containerLabels(kl), included, clock.RealClock{}, opts))
	}
	return r
}

// resourceRegistry is /metrics/resource's registry, over a summary
// provider of its own (the kubelet keeps its one private; both read the
// same stats).
func resourceRegistry(ctx context.Context, kl *kubeletpkg.Kubelet) prometheus.Gatherer {
	r := compbasemetrics.NewKubeRegistry()
	r.CustomMustRegister(collectors.NewResourceMetricsCollector(serverstats.NewSummaryProvider(ctx, kl)))
	return r
}

// hostAdapter is the kubelet server's prometheusHostAdapter.
type hostAdapter struct{ kl *kubeletpkg.Kubelet }

func (a hostAdapter) GetRequestedContainersInfo(name string, o cadvisorv2.RequestOptions) (map[string]*cadvisorapi.ContainerInfo, error) {
	return a.kl.GetRequestedContainersInfo(name, o)
}
func (a hostAdapter) GetVersionInfo() (*cadvisorapi.VersionInfo, error) { return a.kl.GetVersionInfo() }
func (a hostAdapter) GetMachineInfo() (*cadvisorapi.MachineInfo, error) {
	return a.kl.GetCachedMachineInfo()
}

// containerLabels is the kubelet server's containerPrometheusLabelsFunc.
func containerLabels(kl *kubeletpkg.Kubelet) cadvisorprom.ContainerLabelsFunc {
	return func(c *cadvisorapi.ContainerInfo) map[string]string {
		var name, podName, namespace, containerName string
		if len(c.Aliases) > 0 {
			name = c.Aliases[0]
		}
		podName = c.Spec.Labels[kubelettypes.KubernetesPodNameLabel]
		namespace = c.Spec.Labels[kubelettypes.KubernetesPodNamespaceLabel]
		containerName = c.Spec.Labels[kubelettypes.KubernetesContainerNameLabel]
		if podName == "" && namespace == "" {
			if pod, found := kl.GetPodByCgroupfs(c.Name); found {
				podName, namespace = pod.Name, pod.Namespace
			}
		}
		return map[string]string{
			cadvisorprom.LabelID:    c.Name,
			cadvisorprom.LabelName:  name,
			cadvisorprom.LabelImage: c.Spec.Image,
			"pod":                   podName,
			"namespace":             namespace,
			"container":             containerName,
		}
	}
}
