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
	"os"
	"strconv"

	apiserveroptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"

	"github.com/kubenode/kubenode/pkg/components/apiserver/flags"
	"github.com/kubenode/kubenode/pkg/components/apiserver/gate"
	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
	"github.com/kubenode/kubenode/pkg/fsutil"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Files are the PKI paths the apiserver reads.
type Files = flags.Files

// Settings are what its command line is built from.
type Settings = flags.Settings

// FrontProxyClientName is the only identity allowed to set request
// headers.
const FrontProxyClientName = flags.FrontProxyClientName

// APIServer serves the Kubernetes API on Port of every address.
type APIServer struct {
	Settings
	ExtraArgs map[string]string
	// Probe is an HTTPS client that trusts the cluster CA and presents a
	// client certificate allowed to read /readyz.
	Probe *http.Client

	upstream.Runner
	gate *gate.Listener
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
	return upstream.Args(flags.Defaults(a.Settings), a.ExtraArgs)
}

func (a *APIServer) Start(ctx context.Context) error {
	s := options.NewServerRunOptions()
	args := a.args()
	if err := upstream.Parse("kube-apiserver", s.Flags(), args); err != nil {
		return err
	}
	klog.InfoS("Starting component", "component", a.Name(), "args", args)
	upstream.DropEndpointsWarnings()
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
	// Other nodes wait until the apiserver is ready (see package gate).
	ln, _, err := apiserveroptions.CreateListener("tcp", net.JoinHostPort(a.BindAddress, strconv.Itoa(a.Port)), net.ListenConfig{})
	if err != nil {
		cancel()
		return fmt.Errorf("kube-apiserver: %w", err)
	}
	a.gate = gate.New(ln)
	completed.SecureServing.Listener = a.gate
	a.Go(cancel, func() error { return app.Run(ctx, completed) })
	return nil
}

func (a *APIServer) Ready(ctx context.Context) error {
	err := upstream.Probe(ctx, a.Probe, fmt.Sprintf("https://%s/readyz", net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))))
	if err == nil && a.gate != nil {
		a.gate.Open()
	}
	return err
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
