// Package apiserver runs kube-apiserver in process.
package apiserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"

	apiserveroptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"

	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
	"github.com/kubenode/kubenode/pkg/internal/fsutil"
	"github.com/kubenode/kubenode/pkg/supervisor"
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
// headers.
const FrontProxyClientName = "front-proxy-client"

// APIServer serves the Kubernetes API on Port of every address.
type APIServer struct {
	EtcdURL          string
	Files            Files
	AdvertiseAddress netip.Addr
	BindAddress      string // "::" or "0.0.0.0"
	Port             int
	ServiceCIDRs     []netip.Prefix
	Issuer           string
	ExtraArgs        map[string]string
	// Probe is an HTTPS client that trusts the cluster CA and presents a
	// client certificate allowed to read /readyz.
	Probe *http.Client

	upstream.Runner
}

var (
	_ supervisor.Component = (*APIServer)(nil)
	_ supervisor.Readier   = (*APIServer)(nil)
	_ supervisor.Exiter    = (*APIServer)(nil)
)

func (a *APIServer) Name() string { return "kube-apiserver" }

func (a *APIServer) Init(context.Context) error {
	return ensureEncryptionConfig(a.Files.EncryptionConfig)
}

func (a *APIServer) args() []string {
	cidrs := make([]string, len(a.ServiceCIDRs))
	for i, p := range a.ServiceCIDRs {
		cidrs[i] = p.String()
	}
	return upstream.Args(map[string]string{
		"advertise-address":                a.AdvertiseAddress.String(),
		"allow-privileged":                 "true",
		"anonymous-auth":                   "false",
		"api-audiences":                    a.Issuer,
		"authorization-mode":               "Node,RBAC",
		"bind-address":                     a.BindAddress,
		"client-ca-file":                   a.Files.CA,
		"enable-admission-plugins":         "NodeRestriction",
		"enable-bootstrap-token-auth":      "true",
		"encryption-provider-config":       a.Files.EncryptionConfig,
		"endpoint-reconciler-type":         "lease",
		"etcd-servers":                     a.EtcdURL,
		"kubelet-certificate-authority":    a.Files.KubeletServingCA,
		"kubelet-client-certificate":       a.Files.KubeletClientCert,
		"kubelet-client-key":               a.Files.KubeletClientKey,
		"kubelet-preferred-address-types":  "InternalIP,Hostname",
		"profiling":                        "false",
		"secure-port":                      strconv.Itoa(a.Port),
		"service-account-issuer":           a.Issuer,
		"service-account-key-file":         a.Files.ServiceAccountPub,
		"service-account-signing-key-file": a.Files.ServiceAccountKey,
		"service-cluster-ip-range":         strings.Join(cidrs, ","),
		"tls-cert-file":                    a.Files.Cert,
		"tls-private-key-file":             a.Files.Key,
		"tls-min-version":                  "VersionTLS12",
		// The kubelet's and kube-proxy's watches stay open until the
		// process exits (their informers run on wait.NeverStop); with
		// retry-after the HTTP server's shutdown waits 2s for them instead
		// of the request timeout (60s).
		"shutdown-send-retry-after":               "true",
		"shutdown-delay-duration":                 "0s",
		"shutdown-watch-termination-grace-period": "0s",
	}, a.ExtraArgs)
}

func (a *APIServer) Start(ctx context.Context) error {
	s := options.NewServerRunOptions()
	args := a.args()
	if err := upstream.Parse("kube-apiserver", s.Flags(), args); err != nil {
		return err
	}
	klog.InfoS("Starting component", "component", a.Name(), "args", args)
	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return fmt.Errorf("kube-apiserver: feature gates: %w", err)
	}
	ctx, cancel := a.Context(ctx)
	completed, err := s.Complete(ctx)
	if err != nil {
		cancel()
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	if errs := completed.Validate(); len(errs) != 0 {
		cancel()
		return fmt.Errorf("kube-apiserver: %w", errors.Join(errs...))
	}
	// The serving certificate and the client CA, loaded once instead of
	// watched (see upstream.StaticServingCert): three inotify instances
	// fewer (the client CA file was watched twice).
	cert, err := upstream.StaticServingCert("serving-cert", a.Files.Cert, a.Files.Key)
	if err != nil {
		cancel()
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	clientCA, err := upstream.StaticCA("client-ca-bundle", a.Files.CA)
	if err != nil {
		cancel()
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	completed.SecureServing.ServerCert.CertKey = apiserveroptions.CertKey{}
	completed.SecureServing.ServerCert.GeneratedCert = cert
	completed.Authentication.ClientCert.CAContentProvider = clientCA
	a.Go(cancel, func() error { return app.Run(ctx, completed) })
	return nil
}

func (a *APIServer) Ready(ctx context.Context) error {
	return upstream.Probe(ctx, a.Probe, fmt.Sprintf("https://%s/readyz", net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))))
}

func (a *APIServer) Stop(ctx context.Context) error {
	return a.Runner.Stop(ctx, a.Name())
}

// ensureEncryptionConfig writes an EncryptionConfiguration with a new
// secretbox key the first time; the key must then never change, or every
// stored Secret becomes unreadable.
func ensureEncryptionConfig(path string) error {
	if _, err := os.Stat(path); err == nil {
		return os.Chmod(path, 0o600)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("kube-apiserver: encryption config: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	cfg := fmt.Sprintf(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - secretbox:
      keys:
      - name: key1
        secret: %s
  - identity: {}
`, base64.StdEncoding.EncodeToString(key))
	if err := fsutil.WriteFileAtomic(path, []byte(cfg), 0o600, 0o700); err != nil {
		return fmt.Errorf("kube-apiserver: write encryption config: %w", err)
	}
	return nil
}
