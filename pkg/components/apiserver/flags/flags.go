// Package flags builds kube-apiserver's command line. It is apart from
// package apiserver, which links all of Kubernetes, so that its test
// binary stays small.
package flags

import (
	"net/netip"
	"strconv"
	"strings"
)

// Files are the PKI paths the apiserver reads.
type Files struct {
	CA, Cert, Key                        string
	KubeletClientCert, KubeletClientKey  string
	KubeletServingCA                     string // verifies kubelets' serving certificates
	ServiceAccountPub, ServiceAccountKey string
	EncryptionConfig                     string // created with a fresh key when missing
	// Front proxy: the apiserver's client identity towards aggregated
	// APIs, signed by a CA of its own so no other cluster certificate can
	// assert identities through request headers.
	FrontProxyCA, ProxyClientCert, ProxyClientKey string
}

// FrontProxyClientName is the only identity allowed to set request
// headers: the common name of the front-proxy client certificate.
const FrontProxyClientName = "front-proxy-client"

// The request headers the apiserver sets when it proxies to an aggregated
// API, and that aggregated servers read (their defaults, as the
// extension-apiserver-authentication ConfigMap tells them).
const (
	UsernameHeader     = "X-Remote-User"
	GroupHeader        = "X-Remote-Group"
	ExtraHeadersPrefix = "X-Remote-Extra-"
)

// Settings are what the command line is built from.
type Settings struct {
	EtcdURL          string
	Files            Files
	AdvertiseAddress netip.Addr
	BindAddress      string // "::" or "0.0.0.0"
	Port             int
	ServiceCIDRs     []netip.Prefix
	Issuer           string
}

// Defaults are kubenode's kube-apiserver flags, without the leading "--".
func Defaults(s Settings) map[string]string {
	cidrs := make([]string, len(s.ServiceCIDRs))
	for i, p := range s.ServiceCIDRs {
		cidrs[i] = p.String()
	}
	return map[string]string{
		"advertise-address":                s.AdvertiseAddress.String(),
		"allow-privileged":                 "true",
		"anonymous-auth":                   "false",
		"api-audiences":                    s.Issuer,
		"authorization-mode":               "Node,RBAC",
		"bind-address":                     s.BindAddress,
		"client-ca-file":                   s.Files.CA,
		"enable-admission-plugins":         "NodeRestriction",
		"enable-bootstrap-token-auth":      "true",
		"encryption-provider-config":       s.Files.EncryptionConfig,
		"endpoint-reconciler-type":         "lease",
		"etcd-servers":                     s.EtcdURL,
		"kubelet-certificate-authority":    s.Files.KubeletServingCA,
		"kubelet-client-certificate":       s.Files.KubeletClientCert,
		"kubelet-client-key":               s.Files.KubeletClientKey,
		"kubelet-preferred-address-types":  "InternalIP,Hostname",
		"profiling":                        "false",
		"secure-port":                      strconv.Itoa(s.Port),
		"service-account-issuer":           s.Issuer,
		"service-account-key-file":         s.Files.ServiceAccountPub,
		"service-account-signing-key-file": s.Files.ServiceAccountKey,
		"service-cluster-ip-range":         strings.Join(cidrs, ","),
		"tls-cert-file":                    s.Files.Cert,
		"tls-private-key-file":             s.Files.Key,
		"tls-min-version":                  "VersionTLS12",
		// The aggregation layer: the apiserver authenticates to aggregated
		// APIs (metrics.k8s.io, custom metrics adapters) with the front-proxy
		// client certificate and passes the user in request headers; the
		// same settings, published in kube-system's
		// extension-apiserver-authentication ConfigMap, tell those servers
		// whom to trust.
		"requestheader-client-ca-file":       s.Files.FrontProxyCA,
		"requestheader-allowed-names":        FrontProxyClientName,
		"requestheader-username-headers":     UsernameHeader,
		"requestheader-group-headers":        GroupHeader,
		"requestheader-extra-headers-prefix": ExtraHeadersPrefix,
		"proxy-client-cert-file":             s.Files.ProxyClientCert,
		"proxy-client-key-file":              s.Files.ProxyClientKey,
		// Aggregated APIs and webhooks are reached at an endpoint of their
		// Service (from its EndpointSlices), not at its ClusterIP: the
		// apiserver runs in the primary's host network, which routes every
		// node's pod range itself (brkube, wgkube), so the control plane
		// does not depend on the node's kube-proxy, which starts after the
		// apiserver and reprograms its rules at every start.
		"enable-aggregator-routing": "true",
		// The kubelet's and kube-proxy's watches stay open until the
		// process exits (their informers run on wait.NeverStop); with
		// retry-after the HTTP server's shutdown waits 2s for them instead
		// of the request timeout (60s).
		"shutdown-send-retry-after":               "true",
		"shutdown-delay-duration":                 "0s",
		"shutdown-watch-termination-grace-period": "0s",
	}
}
