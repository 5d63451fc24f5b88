// Package scheduler runs kube-scheduler in process.
package scheduler

import (
	"context"
	"fmt"
	"net/http"

	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
	"k8s.io/kubernetes/cmd/kube-scheduler/app/options"

	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Port is kube-scheduler's secure port, bound to localhost only.
const Port = 10259

// Scheduler assigns pods to nodes.
type Scheduler struct {
	Kubeconfig string
	CertFile   string // serving certificate for its health port
	KeyFile    string
	ExtraArgs  map[string]string
	Probe      *http.Client // trusts the cluster CA

	upstream.Runner
}

var (
	_ supervisor.Component = (*Scheduler)(nil)
	_ supervisor.Readier   = (*Scheduler)(nil)
	_ supervisor.Exiter    = (*Scheduler)(nil)
)

func (s *Scheduler) Name() string { return "kube-scheduler" }

func (s *Scheduler) Init(context.Context) error { return nil }

func (s *Scheduler) Start(ctx context.Context) error {
	opts := options.NewOptions()
	args := upstream.Args(map[string]string{
		"authentication-kubeconfig": s.Kubeconfig,
		"authorization-kubeconfig":  s.Kubeconfig,
		"bind-address":              "127.0.0.1",
		"kubeconfig":                s.Kubeconfig,
		"leader-elect":              "false",
		"profiling":                 "false",
		"secure-port":               fmt.Sprint(Port),
		"tls-cert-file":             s.CertFile,
		"tls-private-key-file":      s.KeyFile,
	}, s.ExtraArgs)
	if err := upstream.Parse("kube-scheduler", *opts.Flags, args); err != nil {
		return err
	}
	klog.InfoS("Starting component", "component", s.Name(), "args", args)
	if err := opts.ComponentGlobalsRegistry.Set(); err != nil {
		return fmt.Errorf("kube-scheduler: feature gates: %w", err)
	}
	ctx, cancel := s.Context(ctx)
	cc, sched, err := app.Setup(ctx, opts)
	if err != nil {
		cancel()
		return fmt.Errorf("kube-scheduler: %w", err)
	}
	// Loaded once instead of watched (see upstream.StaticServingCert).
	if cc.SecureServing.Cert, err = upstream.StaticServingCert("serving-cert", s.CertFile, s.KeyFile); err != nil {
		cancel()
		return fmt.Errorf("kube-scheduler: %w", err)
	}
	s.Go(cancel, func() error {
		err := app.Run(ctx, cc, sched)
		if ctx.Err() != nil {
			// Without leader election Run always ends with "finished
			// without leader elect"; after our cancel that is a clean stop.
			return nil
		}
		return err
	})
	return nil
}

func (s *Scheduler) Ready(ctx context.Context) error {
	return upstream.Probe(ctx, s.Probe, fmt.Sprintf("https://127.0.0.1:%d/readyz", Port))
}

func (s *Scheduler) Stop(ctx context.Context) error {
	return s.Runner.Stop(ctx, s.Name())
}
