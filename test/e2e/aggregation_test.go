package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubenode/kubenode/pkg/images/imagetest"
)

// buildStatic builds a Go program of testdata into a static binary.
func buildStatic(t *testing.T, pkg string) []byte {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command(goBin, "build", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const aggapiManifest = `apiVersion: v1
kind: Pod
metadata:
  name: aggapi
  namespace: kube-system
  labels: {app: aggapi}
spec:
  containers:
  - name: aggapi
    image: localhost/aggapi:e2e
    imagePullPolicy: Never
    readinessProbe:
      tcpSocket: {port: 8443}
      periodSeconds: 1
    volumeMounts:
    - {name: auth, mountPath: /auth}
  volumes:
  - name: auth
    configMap: {name: extension-apiserver-authentication}
---
apiVersion: v1
kind: Service
metadata:
  name: aggapi
  namespace: kube-system
spec:
  selector: {app: aggapi}
  ports:
  - {port: 443, targetPort: 8443}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1alpha1.e2e.kubenode.io
spec:
  group: e2e.kubenode.io
  version: v1alpha1
  service: {namespace: kube-system, name: aggapi, port: 443}
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 1000
  versionPriority: 15
`

// TestAggregatedAPI: an aggregated API server in a pod, registered with an
// APIService, is reached through the apiserver, which authenticates to it
// with the front-proxy client certificate and passes the user in request
// headers; the server trusts them from what the apiserver published in
// kube-system's extension-apiserver-authentication ConfigMap.
func TestAggregatedAPI(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	img := imagetest.Image{
		Layers:     []map[string]imagetest.File{{"aggapi": {Mode: 0o755, Data: buildStatic(t, "./testdata/aggapi")}}},
		Entrypoint: []string{"/aggapi"},
	}
	dir := filepath.Join(h.dataDir(), "images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteOCIArchive(filepath.Join(dir, "aggapi.tar"), img, "localhost/aggapi:e2e"); err != nil {
		t.Fatal(err)
	}
	p := startPrimary(t, h)
	started := time.Now()

	frontCA, err := os.ReadFile(filepath.Join(h.dataDir(), "pki", "front-proxy", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the request-header CA published", func() error {
		out, err := h.kubectl("-n", "kube-system", "get", "configmap", "extension-apiserver-authentication", "-o", `jsonpath={.data.requestheader-client-ca-file}`)
		if err != nil || strings.TrimSpace(out) != strings.TrimSpace(string(frontCA)) {
			return fmt.Errorf("%v: requestheader-client-ca-file = %q, want the front-proxy CA", err, out)
		}
		return nil
	})

	manifest := filepath.Join(h.root, "aggapi.yaml")
	write(t, manifest, aggapiManifest)
	h.mustKubectl("apply", "-f", manifest)
	eventually(t, 2*time.Minute, "APIService available", func() error {
		out, err := h.kubectl("get", "apiservice", "v1alpha1.e2e.kubenode.io", "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].message}`)
		if err != nil || !strings.HasPrefix(out, "True") {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})

	out := h.mustKubectl("get", "--raw", "/apis/e2e.kubenode.io/v1alpha1")
	var list struct {
		Kind, GroupVersion string
		Resources          []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || list.Kind != "APIResourceList" || list.GroupVersion != "e2e.kubenode.io/v1alpha1" ||
		len(list.Resources) != 1 || list.Resources[0].Name != "whoamis" {
		t.Fatalf("discovery through the apiserver: %v: %s", err, out)
	}
	// The aggregated server saw the admin through the front proxy.
	out = h.mustKubectl("get", "--raw", "/apis/e2e.kubenode.io/v1alpha1/whoamis/me")
	var who struct {
		User, Proxy string
		Groups      []string
	}
	if err := json.Unmarshal([]byte(out), &who); err != nil {
		t.Fatalf("whoami: %v: %s", err, out)
	}
	if who.User != "kubenode-admin" || !slices.Contains(who.Groups, "system:masters") || who.Proxy != "front-proxy-client" {
		t.Fatalf("the aggregated server saw user %q groups %v via %q, want kubenode-admin in system:masters via front-proxy-client", who.User, who.Groups, who.Proxy)
	}
	// The discovery the apiserver aggregates lists the group too.
	if out := h.mustKubectl("api-resources", "--api-group", "e2e.kubenode.io"); !strings.Contains(out, "whoamis") {
		t.Fatalf("api-resources lacks whoamis:\n%s", out)
	}

	// Over 30 s of a running primary: without the request-header CA the
	// apiserver logged about 2 errors a minute, and the Endpoints warning
	// came every 10 s.
	if d := 30*time.Second - time.Since(started); d > 0 {
		time.Sleep(d)
	}
	for _, bad := range []string{`missing content for CA bundle`, `v1 Endpoints is deprecated`} {
		if n := strings.Count(p.output(), bad); n > 0 {
			t.Errorf("the primary logged %q %d times", bad, n)
		}
	}
}
