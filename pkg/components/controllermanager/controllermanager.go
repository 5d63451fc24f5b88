// Package controllermanager runs kube-controller-manager in process.
package controllermanager

import (
	"context"
	"fmt"
	"net/http"

	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app/options"

	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Port is kube-controller-manager's secure port, bound to localhost only.
const Port = 10257

// ControllerManager runs the core control loops.
type ControllerManager struct {
	Kubeconfig string
	CertFile   string // serving certificate for its health port
	KeyFile    string
	// CA signs kubelet client and API client certificates (kubelet TLS
	// bootstrap) and is handed to pods as root-ca-file.
	CAFile, CAKeyFile string
	// KubeletServingCA signs kubelet serving certificates: a CA of its own,
	// which no API client trusts, so a node's serving certificate can never
	// pass for the apiserver. The legacy-unknown signer gets no CA.
	KubeletServingCAFile, KubeletServingCAKeyFile string
	ServiceAccountKey                             string
	ExtraArgs                                     map[string]string
	Probe                                         *http.Client

	upstream.Runner
}

var (
	_ supervisor.Component = (*ControllerManager)(nil)
	_ supervisor.Readier   = (*ControllerManager)(nil)
	_ supervisor.Exiter    = (*ControllerManager)(nil)
)

func (c *ControllerManager) Name() string { return "kube-controller-manager" }

func (c *ControllerManager) Init(context.Context) error { return nil }

func (c *ControllerManager) Start(ctx context.Context) error {
	upstream.DropEndpointsWarnings()
	s, err := options.NewKubeControllerManagerOptions()
	if err != nil {
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	args := upstream.Args(map[string]string{
		"authentication-kubeconfig": c.Kubeconfig,
		"authorization-kubeconfig":  c.Kubeconfig,
		"bind-address":              "127.0.0.1",
		// One file watcher (an inotify instance) per signer: only the
		// signers a cluster uses; kubernetes.io/legacy-unknown is for
		// certificates.k8s.io/v1beta1 CSRs, an API gone since 1.22.
		"cluster-signing-kubelet-client-cert-file":        c.CAFile,
		"cluster-signing-kubelet-client-key-file":         c.CAKeyFile,
		"cluster-signing-kube-apiserver-client-cert-file": c.CAFile,
		"cluster-signing-kube-apiserver-client-key-file":  c.CAKeyFile,
		"cluster-signing-kubelet-serving-cert-file":       c.KubeletServingCAFile,
		"cluster-signing-kubelet-serving-key-file":        c.KubeletServingCAKeyFile,
		"controllers": "*,bootstrapsigner,tokencleaner",
		// The default 10s is the node's whole stop budget; the apiserver
		// and etcd stop after this.
		"controller-shutdown-timeout": "3s",
		"kubeconfig":                  c.Kubeconfig,
		"leader-elect":                "false",
		// Controllers are built one after another, each with API discovery
		// calls; the client-side limit (20 QPS) spaced them ~0.5s apart and
		// delayed the node lifecycle controller (so the first node's
		// schedulable Ready) by ~4.7s. The API is local, the cluster small.
		"kube-api-qps":                     "200",
		"kube-api-burst":                   "400",
		"profiling":                        "false",
		"root-ca-file":                     c.CAFile,
		"secure-port":                      fmt.Sprint(Port),
		"service-account-private-key-file": c.ServiceAccountKey,
		"tls-cert-file":                    c.CertFile,
		"tls-private-key-file":             c.KeyFile,
		"use-service-account-credentials":  "true",
	}, c.ExtraArgs)
	nfs := s.Flags(app.KnownControllers(), app.ControllersDisabledByDefault(), app.ControllerAliases())
	s.ParsedFlags = &nfs
	if err := upstream.Parse("kube-controller-manager", nfs, args); err != nil {
		return err
	}
	klog.InfoS("Starting component", "component", c.Name(), "args", args)
	if err := s.ComponentGlobalsRegistry.Set(); err != nil {
		return fmt.Errorf("kube-controller-manager: feature gates: %w", err)
	}
	ctx, cancel := c.Context(ctx)
	cfg, err := s.Config(ctx, app.KnownControllers(), app.ControllersDisabledByDefault(), app.ControllerAliases())
	if err != nil {
		cancel()
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	// Loaded once instead of watched (see upstream.StaticServingCert).
	if cfg.SecureServing.Cert, err = upstream.StaticServingCert("serving-cert", c.CertFile, c.KeyFile); err != nil {
		cancel()
		return fmt.Errorf("kube-controller-manager: %w", err)
	}
	c.Go(cancel, func() error { return app.Run(ctx, cfg.Complete()) })
	return nil
}

func (c *ControllerManager) Ready(ctx context.Context) error {
	return upstream.Probe(ctx, c.Probe, fmt.Sprintf("https://127.0.0.1:%d/healthz", Port))
}

func (c *ControllerManager) Stop(ctx context.Context) error {
	return c.Runner.Stop(ctx, c.Name())
}
