package metricsapi

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/kube-openapi/pkg/validation/spec"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	"sigs.k8s.io/yaml"
)

func TestAPIServiceTrustsTheCA(t *testing.T) {
	ca := []byte("-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n")
	out, err := APIService(ca)
	if err != nil {
		t.Fatal(err)
	}
	var a apiregistrationv1.APIService
	if err := yaml.UnmarshalStrict(out, &a); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if a.APIVersion != "apiregistration.k8s.io/v1" || a.Kind != "APIService" || a.Name != APIServiceName {
		t.Errorf("object %s %s %q", a.APIVersion, a.Kind, a.Name)
	}
	s := a.Spec
	if s.InsecureSkipTLSVerify || !bytes.Equal(s.CABundle, ca) {
		t.Errorf("insecureSkipTLSVerify %v, caBundle %q: want the CA, verified", s.InsecureSkipTLSVerify, s.CABundle)
	}
	if s.Group != "metrics.k8s.io" || s.Version != "v1beta1" || s.Service == nil ||
		s.Service.Namespace != Namespace || s.Service.Name != ServiceName || s.Service.Port == nil || *s.Service.Port != ServicePort {
		t.Errorf("spec %+v", s)
	}
}

func TestPublishMarksTheEndpoint(t *testing.T) {
	ctx := context.Background()
	c := fake.NewClientset()
	s := &Server{Address: netip.MustParseAddr("fd77::1"), NodeName: "node1.k8s.internal"}
	for _, ready := range []bool{false, true, false} {
		if err := s.publish(ctx, c, ready); err != nil {
			t.Fatal(err)
		}
		slice, err := c.DiscoveryV1().EndpointSlices(Namespace).Get(ctx, ServiceName, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if slice.Labels[discoveryv1.LabelServiceName] != ServiceName || slice.AddressType != discoveryv1.AddressTypeIPv6 {
			t.Errorf("slice labels %v, address type %s", slice.Labels, slice.AddressType)
		}
		if len(slice.Endpoints) != 1 || slice.Endpoints[0].Addresses[0] != "fd77::1" ||
			slice.Endpoints[0].Conditions.Ready == nil || *slice.Endpoints[0].Conditions.Ready != ready {
			t.Errorf("ready=%v: endpoints %+v", ready, slice.Endpoints)
		}
		if len(slice.Ports) != 1 || *slice.Ports[0].Name != portName || *slice.Ports[0].Port != Port {
			t.Errorf("ports %+v", slice.Ports)
		}
	}
	svc, err := c.CoreV1().Services(Namespace).Get(ctx, ServiceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The aggregator matches the APIService's port to the Service's, and
	// the Service's port name to the slice's.
	if svc.Spec.ClusterIP != corev1.ClusterIPNone || len(svc.Spec.Selector) != 0 || len(svc.Spec.Ports) != 1 ||
		svc.Spec.Ports[0].Port != ServicePort || svc.Spec.Ports[0].Name != portName {
		t.Errorf("service spec %+v", svc.Spec)
	}
}

func TestValidate(t *testing.T) {
	valid := func() *Server {
		return &Server{Kubeconfig: "k", CertFile: "c", KeyFile: "k", KubeletCAFile: "ca", FrontProxyCAFile: "f",
			NodeName: "n", Address: netip.MustParseAddr("192.168.77.1")}
	}
	if err := valid().Validate(); err != nil {
		t.Errorf("valid: %v", err)
	}
	missing := valid()
	missing.FrontProxyCAFile, missing.Address = "", netip.Addr{}
	if err := missing.Validate(); err == nil || !strings.Contains(err.Error(), "front-proxy CA") || !strings.Contains(err.Error(), "address") {
		t.Errorf("missing fields: %v", err)
	}
	fast := valid()
	fast.Resolution = 5 * time.Second
	if err := fast.Validate(); err == nil || !strings.Contains(err.Error(), "10s") {
		t.Errorf("5s resolution: %v", err)
	}
}

// The OpenAPI builders look models up by the names the types give
// themselves; with metrics-server's Go names alone the server did not
// build ("cannot find model definition").
func TestDefinitionsByModelName(t *testing.T) {
	defs := definitions(func(name string) spec.Ref { return spec.MustCreateRef("#/definitions/" + name) })
	// Every model the served types reach has a definition under its name.
	var walk func(name, from string)
	seen := map[string]bool{}
	walk = func(name, from string) {
		if seen[name] {
			return
		}
		seen[name] = true
		d, ok := defs[name]
		if !ok {
			t.Errorf("no definition named %s (reached from %s)", name, from)
			return
		}
		for _, dep := range d.Dependencies {
			walk(dep, name)
		}
	}
	for _, m := range []interface{ OpenAPIModelName() string }{
		metricsv1beta1.NodeMetrics{}, metricsv1beta1.NodeMetricsList{}, metricsv1beta1.PodMetrics{},
		metricsv1beta1.PodMetricsList{}, metav1.Status{}, metav1.APIResourceList{},
	} {
		walk(m.OpenAPIModelName(), "the served types")
	}
	if !seen[metav1.ObjectMeta{}.OpenAPIModelName()] {
		t.Errorf("NodeMetrics does not reach ObjectMeta: %v", seen)
	}
}
