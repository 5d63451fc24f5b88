// Package upstream holds what every in-process Kubernetes component shares:
// turning flag maps into a sorted command line, parsing it into upstream's
// named flag sets, and running the component's Run in a goroutine.
//
// kubenode does not use the upstream cobra commands: each one calls
// genericapiserver.SetupSignalContext, which panics when called twice in a
// process and cannot be cancelled by the caller. Components call their
// package's Run(ctx, ...) instead, so the supervisor decides when they stop.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"
	cliflag "k8s.io/component-base/cli/flag"
	"sigs.k8s.io/yaml"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Args merges defaults with overrides (overrides win) into sorted --k=v.
func Args(defaults, overrides map[string]string) []string {
	merged := make(map[string]string, len(defaults)+len(overrides))
	for k, v := range defaults {
		merged[k] = v
	}
	for k, v := range overrides {
		merged[k] = v
	}
	out := make([]string, 0, len(merged))
	for k, v := range merged {
		out = append(out, "--"+k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Parse parses args into the component's named flag sets.
func Parse(component string, nfs cliflag.NamedFlagSets, args []string) error {
	fs := pflag.NewFlagSet(component, pflag.ContinueOnError)
	fs.SetOutput(discard{})
	for _, name := range nfs.Order {
		fs.AddFlagSet(nfs.FlagSets[name])
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: flags %s: %w", component, strings.Join(args, " "), err)
	}
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Probe GETs url with client and returns nil on 200 OK; otherwise an error
// carrying the status and the start of the body, which names failing checks.
func Probe(ctx context.Context, client *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// Runner is the run state of an upstream component whose Run takes a
// context: components embed it for Exited and stop through it.
type Runner struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	exited <-chan error
}

// Context derives the component's own context from the supervisor's Start
// context. It is detached from cancellation so that only Stop ends the
// component, in the supervisor's reverse order; cancel must reach Go or be
// called by the caller on a failed start.
func (r *Runner) Context(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithCancel(context.WithoutCancel(ctx))
}

// Go runs fn, recovering panics, and remembers how to stop it.
func (r *Runner) Go(cancel context.CancelFunc, fn func() error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cancel = cancel
	r.exited = supervisor.Go(fn)
}

// Exited implements supervisor.Exiter.
func (r *Runner) Exited() <-chan error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exited
}

// Stop cancels the component's context and waits for its Run to return,
// or for ctx to end. Calling it again, or before Go, does nothing.
func (r *Runner) Stop(ctx context.Context, component string) error {
	r.mu.Lock()
	cancel, exited := r.cancel, r.exited
	r.cancel = nil
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case err := <-exited:
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("%s: %w", component, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: not stopped in time: %w", component, ctx.Err())
	}
}

// WriteConfig writes a component's configuration object (a typed
// KubeletConfiguration, KubeProxyConfiguration, ...) as YAML, 0600, with a
// header saying where it comes from. Components write theirs at every start
// so what runs is always on disk for inspection.
func WriteConfig(component, path string, obj any) error {
	data, err := yaml.Marshal(obj)
	if err != nil {
		return fmt.Errorf("%s: %w", component, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%s: %w", component, err)
	}
	header := "# Written by kubenode at every start; edit kubenode's config.yaml instead.\n"
	if err := os.WriteFile(path, append([]byte(header), data...), 0o600); err != nil {
		return fmt.Errorf("%s: %w", component, err)
	}
	return nil
}

// CgroupV1 reports whether /sys/fs/cgroup is a v1 (or hybrid) hierarchy:
// the kubelet must then be told not to refuse it, and runc can apply only
// the controllers a v1 hierarchy mounts.
func CgroupV1() bool {
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		return false
	}
	return st.Type != unix.CGROUP2_SUPER_MAGIC
}
