// Package metricsapi serves metrics.k8s.io (kubectl top, the
// HorizontalPodAutoscaler's CPU and memory figures) in the primary's
// process: metrics-server's own packages (sigs.k8s.io/metrics-server
// v0.8.0, which builds against the pinned k8s.io modules unchanged) scrape
// each node's kubelet /metrics/resource and serve the API from a generic
// apiserver of their own, run as a Runnable on the controller host.
//
// The kube-apiserver reaches it through the aggregation layer: the
// APIService v1beta1.metrics.k8s.io (applied by the addons component, with
// the cluster CA as caBundle) names the headless Service kubenode-metrics
// in kube-system, which has no selector; this package writes its
// EndpointSlice, the primary's node IP and Port, ready only while the
// server serves (so that the aggregator reports the API unavailable
// instead of trying a closed port while kubenode restarts). With
// enable-aggregator-routing the apiserver connects to that endpoint
// itself, over the loopback interface.
//
// The server trusts only the front proxy (the apiserver's front-proxy
// client certificate, from its own CA) to tell who the user is, and asks
// the apiserver whether that user may read metrics (SubjectAccessReview).
// It acts as User, whose RBAC (addons/builtin.yaml, kubenode:metrics-api)
// lists nodes and pods, gets nodes/metrics from the kubelets and creates
// SubjectAccessReviews, nothing more.
package metricsapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	apiserverapi "k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authentication/request/headerrequest"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	utilcompatibility "k8s.io/apiserver/pkg/util/compatibility"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	discoveryv1ac "k8s.io/client-go/applyconfigurations/discovery/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/pkg/version"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/kube-openapi/pkg/common"
	openapiutil "k8s.io/kube-openapi/pkg/util"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/metrics/pkg/apis/metrics"
	"sigs.k8s.io/metrics-server/pkg/api"
	msopenapi "sigs.k8s.io/metrics-server/pkg/api/generated/openapi"
	"sigs.k8s.io/metrics-server/pkg/scraper/client"
	msserver "sigs.k8s.io/metrics-server/pkg/server"
	"sigs.k8s.io/yaml"

	"github.com/kubenode/kubenode/pkg/components/apiserver/flags"
	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
	"github.com/kubenode/kubenode/pkg/controllers"
)

const (
	// User is the identity the server reads the API and the kubelets with
	// (the common name of its client certificate).
	User = "system:kubenode:metrics-api"
	// Namespace and ServiceName name the Service the APIService points
	// at; the serving certificate must carry ServiceHost, the name the
	// aggregator verifies it against.
	Namespace   = "kube-system"
	ServiceName = "kubenode-metrics"
	ServiceHost = ServiceName + "." + Namespace + ".svc"
	// ServicePort is the Service's port, the one the APIService names.
	ServicePort = 443
	// Port is where the server listens, on the primary's node IP.
	Port = 10252
	// APIServiceName is the APIService of metrics.k8s.io/v1beta1.
	APIServiceName = "v1beta1.metrics.k8s.io"
	// DefaultResolution is how often the kubelets are scraped (k3s's
	// metrics-server runs with the same): an HPA, which syncs every 15s,
	// sees fresh figures at each sync.
	DefaultResolution = 15 * time.Second

	fieldManager = "kubenode"
	portName     = "https"
	kubeletPort  = 10250
)

// Server is the metrics API. Set the exported fields before the controller
// host starts.
type Server struct {
	// Kubeconfig holds User's credentials towards the apiserver.
	Kubeconfig string
	// CertFile and KeyFile are the serving certificate (SANs: ServiceHost
	// and Address's IP), also the client certificate towards the
	// kubelets.
	CertFile, KeyFile string
	// KubeletCAFile verifies the kubelets' serving certificates.
	KubeletCAFile string
	// FrontProxyCAFile verifies the apiserver's front-proxy client
	// certificate, the only client whose user headers count.
	FrontProxyCAFile string
	// Address is the primary's node IP: the server listens there and the
	// EndpointSlice points there.
	Address netip.Addr
	// NodeName is the primary's Node (the endpoint's nodeName).
	NodeName string
	// Resolution is the scrape interval (default DefaultResolution, at
	// least 10s: two scrapes give a CPU rate).
	Resolution time.Duration
	Log        logr.Logger

	mu      sync.Mutex
	srv     runner
	serving chan struct{} // closed once the server listens and serves
	ready   bool          // serving and the endpoint marked ready
}

// runner is metrics-server's server (an unexported type).
type runner interface {
	RunUntil(stopCh <-chan struct{}) error
	AddPostStartHook(name string, hook genericapiserver.PostStartHookFunc) error
}

var (
	_ controllers.Runnable  = (*Server)(nil)
	_ controllers.Validator = (*Server)(nil)
	_ controllers.Preparer  = (*Server)(nil)
	_ controllers.Readier   = (*Server)(nil)
)

func (s *Server) Name() string { return "metrics-api" }

func (s *Server) resolution() time.Duration {
	if s.Resolution > 0 {
		return s.Resolution
	}
	return DefaultResolution
}

// Validate checks the configuration.
func (s *Server) Validate() error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"kubeconfig", s.Kubeconfig}, {"certificate", s.CertFile}, {"key", s.KeyFile},
		{"kubelet CA", s.KubeletCAFile}, {"front-proxy CA", s.FrontProxyCAFile}, {"node name", s.NodeName},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if !s.Address.IsValid() {
		missing = append(missing, "address")
	}
	if len(missing) > 0 {
		return fmt.Errorf("metrics-api: no %s", strings.Join(missing, ", "))
	}
	if r := s.resolution(); r < 10*time.Second {
		return fmt.Errorf("metrics-api: resolution %v is below 10s: a CPU rate needs two kubelet samples, which refresh every 10s", r)
	}
	return nil
}

// Prepare builds the server and binds its port in the node's Init phase:
// a port in use or a bad certificate stops the node before anything
// starts, and nothing of the build races the components that read
// process-wide state while they start.
func (s *Server) Prepare(context.Context, controllers.Clients) error {
	srv, err := s.build()
	if err != nil {
		return fmt.Errorf("metrics-api: %w", err)
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	return nil
}

func (s *Server) build() (runner, error) {
	restCfg, err := clientcmd.BuildConfigFromFlags("", s.Kubeconfig)
	if err != nil {
		return nil, err
	}
	restCfg.UserAgent = "kubenode-metrics-api"
	restCfg.ContentType = "application/vnd.kubernetes.protobuf"
	if err := rest.SetKubernetesDefaults(restCfg); err != nil {
		return nil, err
	}

	gc := genericapiserver.NewConfig(api.Codecs)
	gc.EffectiveVersion = utilcompatibility.DefaultBuildEffectiveVersion()
	gc.EnableProfiling = false
	gc.ExternalAddress = netip.AddrPortFrom(s.Address, Port).String()
	// No post-start hook of this server uses a loopback client.
	gc.LoopbackClientConfig = &rest.Config{}

	cert, err := upstream.StaticServingCert("metrics-api-serving", s.CertFile, s.KeyFile)
	if err != nil {
		return nil, err
	}
	frontCA, err := upstream.StaticCA("front-proxy-ca", s.FrontProxyCAFile)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", gc.ExternalAddress)
	if err != nil {
		return nil, fmt.Errorf("port %d is not free on %s (%v): stop what listens there (ss -ltnp 'sport = :%d')", Port, s.Address, err, Port)
	}
	gc.SecureServing = &genericapiserver.SecureServingInfo{Listener: ln, Cert: cert, MinTLSVersion: tls.VersionTLS12}

	// Only the front proxy authenticates anyone; everything else is
	// refused (no anonymous user, no tokens).
	rh := &authenticatorfactory.RequestHeaderConfig{
		UsernameHeaders: headerrequest.StaticStringSlice{flags.UsernameHeader},
		// The apiserver sends no UID header (--requestheader-uid-headers
		// unset); a nil provider would panic on every request.
		UIDHeaders:          headerrequest.StaticStringSlice(nil),
		GroupHeaders:        headerrequest.StaticStringSlice{flags.GroupHeader},
		ExtraHeaderPrefixes: headerrequest.StaticStringSlice{flags.ExtraHeadersPrefix},
		CAContentProvider:   frontCA,
		AllowedClientNames:  headerrequest.StaticStringSlice{flags.FrontProxyClientName},
	}
	authn, _, err := authenticatorfactory.DelegatingAuthenticatorConfig{
		Anonymous:           &apiserverapi.AnonymousAuthConfig{Enabled: false},
		RequestHeaderConfig: rh,
	}.New()
	if err != nil {
		return nil, err
	}
	gc.Authentication.Authenticator = authn
	gc.Authentication.RequestHeaderConfig = rh
	if err := gc.Authentication.ApplyClientCert(frontCA, gc.SecureServing); err != nil {
		ln.Close()
		return nil, err
	}
	authz := genericoptions.NewDelegatingAuthorizationOptions()
	authz.RemoteKubeConfigFile = s.Kubeconfig
	if err := authz.ApplyTo(&gc.Authorization); err != nil {
		ln.Close()
		return nil, err
	}

	// OpenAPI as metrics-server publishes it, which the aggregator merges
	// into the cluster's (kubectl explain nodemetrics); the server also
	// needs it for its field manager.
	v := strings.Split(version.Get().String(), "-")[0]
	gc.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(definitions, openapinamer.NewDefinitionNamer(api.Scheme))
	gc.OpenAPIConfig.Info.Title, gc.OpenAPIConfig.Info.Version = "kubenode metrics API", v
	gc.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(definitions, openapinamer.NewDefinitionNamer(api.Scheme))
	gc.OpenAPIV3Config.Info.Title, gc.OpenAPIV3Config.Info.Version = "kubenode metrics API", v

	kubelet := &client.KubeletClientConfig{
		Client: rest.Config{
			UserAgent: restCfg.UserAgent,
			TLSClientConfig: rest.TLSClientConfig{
				CAFile: s.KubeletCAFile, CertFile: s.CertFile, KeyFile: s.KeyFile,
			},
		},
		// The address the apiserver reaches kubelets at too, which
		// their serving certificates carry.
		AddressTypePriority: []corev1.NodeAddressType{corev1.NodeInternalIP, corev1.NodeHostName},
		Scheme:              "https",
		DefaultPort:         kubeletPort,
		UseNodeStatusPort:   true,
	}
	res := s.resolution()
	// A kubelet that does not answer within most of an interval is
	// skipped for that interval (metrics-server's rule: the timeout under
	// 90% of the resolution).
	timeout := min(10*time.Second, res*8/10)
	kubelet.Client.Timeout = timeout
	srv, err := msserver.Config{
		Apiserver:        gc,
		Rest:             restCfg,
		Kubelet:          kubelet,
		MetricResolution: res,
		ScrapeTimeout:    timeout,
	}.Complete()
	if err != nil {
		ln.Close()
		return nil, err
	}
	serving := make(chan struct{})
	if err := srv.AddPostStartHook("kubenode-serving", func(genericapiserver.PostStartHookContext) error {
		close(serving)
		return nil
	}); err != nil {
		ln.Close()
		return nil, err
	}
	s.serving = serving
	return srv, nil
}

// definitions are metrics-server's OpenAPI definitions under both their
// Go names and the model names the types of k8s.io/* v0.36 give
// themselves (io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics), which
// the OpenAPI builders look them up by: metrics-server v0.8.0's were
// generated before types named their models. Kubernetes' own generated
// definitions have those names, but building them runs the code of every
// model of Kubernetes: about 30 MiB more of the binary resident.
func definitions(ref common.ReferenceCallback) map[string]common.OpenAPIDefinition {
	defs := msopenapi.GetOpenAPIDefinitions(func(name string) spec.Ref {
		return ref(openapiutil.ToRESTFriendlyName(name))
	})
	out := make(map[string]common.OpenAPIDefinition, 2*len(defs))
	for name, d := range defs {
		deps := make([]string, len(d.Dependencies))
		for i, dep := range d.Dependencies {
			deps[i] = openapiutil.ToRESTFriendlyName(dep)
		}
		d.Dependencies = deps
		out[name] = d
		out[openapiutil.ToRESTFriendlyName(name)] = d
	}
	return out
}

// Run serves until ctx ends. The endpoint is marked ready once the server
// serves, and not ready again when it stops.
func (s *Server) Run(ctx context.Context, clients controllers.Clients) error {
	s.mu.Lock()
	srv, serving := s.srv, s.serving
	s.mu.Unlock()
	if srv == nil {
		return errors.New("not built (Prepare failed or was not called)")
	}
	admin, err := clients(controllers.AdminIdentity)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.RunUntil(ctx.Done()) }()
	select {
	case <-serving:
	case err := <-errc:
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("server stopped: %w", err)
	}
	// The apiserver may be busy; retry until the endpoint is written.
	err = wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		if err := s.publish(ctx, admin, true); err != nil {
			s.Log.Error(err, "metrics API endpoint not published; retrying")
			return false, nil
		}
		return true, nil
	})
	if err == nil {
		s.mu.Lock()
		s.ready = true
		s.mu.Unlock()
		s.Log.Info("metrics API serving", "address", netip.AddrPortFrom(s.Address, Port), "resolution", s.resolution())
	}
	err = <-errc
	s.mu.Lock()
	s.ready = false
	s.mu.Unlock()
	// The apiserver stops after the controller host: tell the aggregator
	// that nobody listens any more, so that it answers "unavailable"
	// instead of trying the port until kubenode is back.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if perr := s.publish(sctx, admin, false); perr != nil {
		klog.V(1).InfoS("Could not mark the metrics API's endpoint not ready", "err", perr)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Ready reports whether the server serves and its endpoint says so.
func (s *Server) Ready() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ready {
		return errors.New("not serving yet")
	}
	return nil
}

// publish applies the Service and its EndpointSlice.
func (s *Server) publish(ctx context.Context, c kubernetes.Interface, ready bool) error {
	opts := metav1.ApplyOptions{FieldManager: fieldManager, Force: true}
	labels := map[string]string{"app.kubernetes.io/managed-by": "kubenode"}
	svc := corev1ac.Service(ServiceName, Namespace).WithLabels(labels).WithSpec(corev1ac.ServiceSpec().
		WithType(corev1.ServiceTypeClusterIP).WithClusterIP(corev1.ClusterIPNone).
		WithPorts(corev1ac.ServicePort().WithName(portName).WithProtocol(corev1.ProtocolTCP).
			WithPort(ServicePort).WithTargetPort(intstr.FromInt32(Port))))
	if _, err := c.CoreV1().Services(Namespace).Apply(ctx, svc, opts); err != nil {
		return fmt.Errorf("service %s/%s: %w", Namespace, ServiceName, err)
	}
	family := discoveryv1.AddressTypeIPv4
	if s.Address.Is6() {
		family = discoveryv1.AddressTypeIPv6
	}
	sliceLabels := map[string]string{
		"app.kubernetes.io/managed-by": "kubenode",
		discoveryv1.LabelServiceName:   ServiceName,
		discoveryv1.LabelManagedBy:     "kubenode",
	}
	slice := discoveryv1ac.EndpointSlice(ServiceName, Namespace).WithLabels(sliceLabels).
		WithAddressType(family).
		WithEndpoints(discoveryv1ac.Endpoint().WithAddresses(s.Address.String()).WithNodeName(s.NodeName).
			WithConditions(discoveryv1ac.EndpointConditions().WithReady(ready))).
		WithPorts(discoveryv1ac.EndpointPort().WithName(portName).WithProtocol(corev1.ProtocolTCP).WithPort(Port))
	slices := c.DiscoveryV1().EndpointSlices(Namespace)
	_, err := slices.Apply(ctx, slice, opts)
	if apierrors.IsInvalid(err) {
		// The node IP changed family (the address type is immutable):
		// a new slice replaces the old one.
		if err = slices.Delete(ctx, ServiceName, metav1.DeleteOptions{}); err == nil || apierrors.IsNotFound(err) {
			_, err = slices.Apply(ctx, slice, opts)
		}
	}
	if err != nil {
		return fmt.Errorf("endpointslice %s/%s: %w", Namespace, ServiceName, err)
	}
	return nil
}

// APIService is the APIService of metrics.k8s.io, as YAML for the addons
// component: caBundle is the CA that signed the server's certificate.
func APIService(caBundle []byte) ([]byte, error) {
	port := int32(ServicePort)
	a := &apiregistrationv1.APIService{
		TypeMeta: metav1.TypeMeta{APIVersion: apiregistrationv1.SchemeGroupVersion.String(), Kind: "APIService"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   APIServiceName,
			Labels: map[string]string{"app.kubernetes.io/managed-by": "kubenode"},
		},
		Spec: apiregistrationv1.APIServiceSpec{
			Group:   metrics.GroupName,
			Version: "v1beta1",
			Service: &apiregistrationv1.ServiceReference{Namespace: Namespace, Name: ServiceName, Port: &port},
			// metrics-server's own values.
			GroupPriorityMinimum: 100,
			VersionPriority:      100,
			CABundle:             caBundle,
		},
	}
	return yaml.Marshal(a)
}
