package crio

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	libconfig "github.com/cri-o/cri-o/pkg/config"
	"github.com/cri-o/cri-o/server/metrics"
	"google.golang.org/grpc"
)

var (
	metricsOnce sync.Once
	metricsErr  error
)

// registerMetrics registers CRI-O's collectors (container_runtime_crio_*)
// in Prometheus' default registry, which the node's metrics endpoint
// serves. Only CRI-O's metrics Start registers them, and it opens an HTTP
// listener of its own too: it runs here on a loopback port of the kernel's
// choice with its stop channel already closed, so that listener is closed
// at once, having served nothing. Once per process: the collectors cannot
// be registered twice, and CRI-O records through the instance New made.
func registerMetrics(ctx context.Context, cfg *libconfig.Config) error {
	metricsOnce.Do(func() {
		mc := cfg.MetricsConfig
		mc.EnableMetrics = true
		mc.MetricsHost, mc.MetricsPort, mc.MetricsSocket, mc.MetricsCert, mc.MetricsKey = "127.0.0.1", 0, "", "", ""
		stop := make(chan struct{})
		close(stop)
		metricsErr = metrics.New(&mc, &cfg.APIConfig).Start(context.WithoutCancel(ctx), stop)
	})
	return metricsErr
}

// recordOperation counts each CRI call and its latency and errors, as
// CRI-O's own interceptor (internal/log/interceptors) does.
func recordOperation(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	op := filepath.Base(info.FullMethod)
	resp, err := handler(ctx, req)
	m := metrics.Instance()
	m.MetricOperationsInc(op)
	m.MetricOperationsLatencySet(op, start)
	m.MetricOperationsLatencyTotalObserve(op, start)
	if err != nil {
		m.MetricOperationsErrorsInc(op)
	}
	return resp, err
}
