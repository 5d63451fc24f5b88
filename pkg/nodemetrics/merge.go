// Package nodemetrics serves, on one authenticated endpoint per node, the
// Prometheus metrics of every component kubenode runs in its process, each
// series labelled with the component it comes from.
//
// # Where the components register
//
//   - component-base's legacyregistry: the apiserver, scheduler,
//     controller-manager, kubelet and kube-proxy, all in one registry since
//     they run in one process, plus process-wide families (go_*, process_*,
//     workqueue_* of every controller, leader election).
//   - Prometheus' default registry: embedded etcd (etcd_*, grpc_server_*),
//     CoreDNS (coredns_*; its metrics plugin would open a listener of its
//     own, so package coredns inserts the same handler without one) and
//     CRI-O (container_runtime_crio_*, registered by starting its metrics
//     endpoint and stopping it at once). component-base's CustomRegister
//     puts some kubelet, kube-proxy and controller collectors into both
//     registries.
//   - The kubelet's own registries for /metrics/cadvisor and
//     /metrics/resource, made inside its HTTP server; the kubelet package
//     builds the same collectors over the same kubelet.
//   - kubenode's: WireGuard per peer and the supervisor's component states.
//
// # Labels
//
// Every series gets kubenode_component (component is taken: the apiserver's
// apiserver_request_total has a component label of its own). Registries
// that hold one component label all their series with it. The two shared
// registries are split by family name: a family whose prefix is a
// component's namespace (apiserver_, scheduler_, kubelet_, kubeproxy_,
// etcd_, coredns_, ...) is that component's, and the rest, families that
// every component in the process feeds (go_*, process_*, workqueue_*,
// rest_client_*), are labelled "process". A registry cannot say more:
// in-process components share these collectors.
package nodemetrics

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Label is the label naming a series' component.
const Label = "kubenode_component"

// Process is the label value of families that the whole process feeds.
const Process = "process"

// Source is one registry to gather.
type Source struct {
	Gatherer prometheus.Gatherer
	// Component labels every family of this source, except families
	// matched by Prefixes.
	Component string
	// Prefixes map family-name prefixes to components; the longest match
	// wins.
	Prefixes map[string]string
	// SkipKnown leaves out families that an earlier source already gave:
	// the same collector registered into two registries, or a process-wide
	// family (go_*, process_*) that every registry of the process carries.
	SkipKnown bool
	// Absent are components that do not run on this node: their families
	// are left out (etcd's register when the binary starts, and would
	// show a worker's etcd without a leader).
	Absent map[string]bool
}

func (s *Source) component(family string) string {
	best, comp := -1, s.Component
	for p, c := range s.Prefixes {
		if strings.HasPrefix(family, p) && len(p) > best {
			best, comp = len(p), c
		}
	}
	return comp
}

// Merged gathers its sources in order into one set of families.
type Merged []Source

var _ prometheus.Gatherer = Merged(nil)

// Gather returns every family of every source with the component label
// added. Families of one name from two sources are merged when their
// types agree (the first help text stays); a later family of another type
// is left out and reported in the error, as is any source's own error,
// while everything else is still returned.
func (m Merged) Gather() ([]*dto.MetricFamily, error) {
	byName := map[string]*dto.MetricFamily{}
	var errs []error
	for i := range m {
		s := &m[i]
		fams, err := s.Gatherer.Gather()
		if err != nil {
			errs = append(errs, err)
		}
		for _, f := range fams {
			name := f.GetName()
			prev, known := byName[name]
			if known && s.SkipKnown {
				continue
			}
			comp := s.component(name)
			if s.Absent[comp] {
				continue
			}
			for _, metric := range f.Metric {
				label(metric, comp)
			}
			if !known {
				byName[name] = f
				continue
			}
			if prev.GetType() != f.GetType() {
				errs = append(errs, fmt.Errorf("family %s is a %s in component %s but a %s before: left out", name, f.GetType(), comp, prev.GetType()))
				continue
			}
			prev.Metric = append(prev.Metric, f.Metric...)
		}
	}
	out := make([]*dto.MetricFamily, 0, len(byName))
	for _, f := range byName {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return out, errors.Join(errs...)
}

// label adds Label=comp to metric, keeping the pairs sorted by name; a
// series that already has the label keeps its value.
func label(metric *dto.Metric, comp string) {
	i, found := slices.BinarySearchFunc(metric.Label, Label, func(p *dto.LabelPair, name string) int {
		return strings.Compare(p.GetName(), name)
	})
	if found {
		return
	}
	name, value := Label, comp
	metric.Label = slices.Insert(metric.Label, i, &dto.LabelPair{Name: &name, Value: &value})
}
