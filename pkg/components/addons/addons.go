// Package addons applies kubenode's built-in objects and every manifest in
// the manifests directory with server-side apply, at every start.
package addons

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// FieldManager owns the fields kubenode applies.
const FieldManager = "kubenode"

//go:embed builtin.yaml
var builtin []byte

// Addons applies objects once per start.
type Addons struct {
	Kubeconfig   string
	ManifestsDir string
	// Generated are more built-in objects (YAML), made at start from this
	// cluster's own values (the metrics APIService's CA bundle); they must
	// apply like the built-in ones.
	Generated []byte
}

var _ supervisor.Component = (*Addons)(nil)

func (a *Addons) Name() string { return "addons" }

func (a *Addons) Init(context.Context) error {
	if err := os.MkdirAll(a.ManifestsDir, 0o700); err != nil {
		return fmt.Errorf("addons: %w", err)
	}
	return nil
}

// Start applies everything before returning: later components (kubelet
// access for logs and exec) depend on the built-in RBAC. A manifest that
// fails is logged by file name and skipped; the built-in objects must apply.
func (a *Addons) Start(ctx context.Context) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", a.Kubeconfig)
	if err != nil {
		return fmt.Errorf("addons: %w", err)
	}
	// client-go's default 5 requests/s, burst 10, made every object after
	// the tenth wait 200ms: 1s of every start with the built-in objects
	// alone. This is one client, on loopback, at start.
	cfg.QPS, cfg.Burst = 200, 400
	ap, err := newApplier(cfg)
	if err != nil {
		return fmt.Errorf("addons: %w", err)
	}
	if err := ap.applyFile(ctx, "builtin.yaml", builtin); err != nil {
		return fmt.Errorf("addons: built-in objects: %w", err)
	}
	if len(a.Generated) > 0 {
		if err := ap.applyFile(ctx, "generated", a.Generated); err != nil {
			return fmt.Errorf("addons: built-in objects: %w", err)
		}
	}
	for _, err := range ApplyDir(ctx, ap, a.ManifestsDir) {
		klog.ErrorS(err, "Manifest not applied; fix or remove the file, the others were applied", "component", a.Name())
	}
	return nil
}

func (a *Addons) Stop(context.Context) error { return nil }

// ApplyDir applies every .yaml, .yml and .json file of dir in name order
// and returns one error per file that failed.
func ApplyDir(ctx context.Context, ap *Applier, dir string) []error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return []error{fmt.Errorf("addons: %w", err)}
	}
	var names []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err == nil {
			err = ap.applyFile(ctx, path, data)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("manifest %s: %w", path, err))
		}
	}
	return errs
}

// Applier does server-side apply of YAML documents of any kind the API
// serves.
type Applier struct {
	client dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

func newApplier(cfg *rest.Config) (*Applier, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Applier{client: client, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}, nil
}

// applyFile parses every document first, so a file that does not parse
// applies nothing rather than half of itself.
func (ap *Applier) applyFile(ctx context.Context, name string, data []byte) error {
	objs, err := decode(data)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	for _, obj := range objs {
		begin := time.Now()
		if err := ap.apply(ctx, obj); err != nil {
			return fmt.Errorf("%s %q: %w", obj.GetKind(), obj.GetName(), err)
		}
		klog.V(1).InfoS("applied", "kind", obj.GetKind(), "name", obj.GetName(), "elapsed", time.Since(begin))
	}
	return nil
}

func decode(data []byte) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("document %d: apiVersion, kind and metadata.name are required", len(out)+1)
		}
		out = append(out, u)
	}
}

func (ap *Applier) apply(ctx context.Context, obj *unstructured.Unstructured) error {
	gvk := obj.GroupVersionKind()
	mapping, err := ap.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// A CRD applied just before may not be discovered yet.
		ap.mapper.Reset()
		mapping, err = ap.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return err
	}
	data, err := obj.MarshalJSON()
	if err != nil {
		return err
	}
	var ri dynamic.ResourceInterface = ap.client.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
		ri = ap.client.Resource(mapping.Resource).Namespace(ns)
	}
	force := true
	_, err = ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
	return err
}
