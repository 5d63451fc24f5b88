package localpv

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/kubenode/kubenode/pkg/controllers"
)

const node = "node2.k8s.internal"

func class(reclaim corev1.PersistentVolumeReclaimPolicy) *storagev1.StorageClass {
	wait := storagev1.VolumeBindingWaitForFirstConsumer
	return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "local-" + strings.ToLower(string(reclaim))},
		Provisioner: ProvisionerName, ReclaimPolicy: &reclaim, VolumeBindingMode: &wait}
}

// claim is a claim as the PV controller and the scheduler leave it for the
// provisioner: storage-provisioner and selected-node annotations.
func claim(name, cls, onNode, size string, modes ...corev1.PersistentVolumeAccessMode) *corev1.PersistentVolumeClaim {
	if len(modes) == 0 {
		modes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "apps", UID: types.UID("uid-" + name),
			Annotations: map[string]string{
				"volume.kubernetes.io/storage-provisioner": ProvisionerName,
				annSelectedNode: onNode,
			}},
		Spec: corev1.PersistentVolumeClaimSpec{
			StorageClassName: &cls,
			AccessModes:      modes,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}},
		},
	}
}

type fixture struct {
	p      *Provisioner
	client *fake.Clientset
	dir    string
	host   *controllers.Host
}

// start runs the provisioner on a controller host against a fake API.
func start(t *testing.T, free uint64, objs ...any) *fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "volumes")
	client := fake.NewClientset()
	for _, o := range objs {
		var err error
		switch o := o.(type) {
		case *storagev1.StorageClass:
			_, err = client.StorageV1().StorageClasses().Create(context.Background(), o, metav1.CreateOptions{})
		case *corev1.PersistentVolumeClaim:
			_, err = client.CoreV1().PersistentVolumeClaims(o.Namespace).Create(context.Background(), o, metav1.CreateOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	p := &Provisioner{NodeName: node, LocalPath: dir, Log: logr.Discard(), RetryMin: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		freeBytes: func(string) (uint64, error) { return free, nil }}
	h := &controllers.Host{Clients: map[controllers.Identity]kubernetes.Interface{controllers.NodeIdentity: client}, Log: logr.Discard()}
	h.AddRunnable(p)
	if err := h.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return &fixture{p: p, client: client, dir: dir, host: h}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *fixture) pv(name string) *corev1.PersistentVolume {
	pv, err := f.client.CoreV1().PersistentVolumes().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return pv
}

// events returns the messages of the Warning events on a claim.
func (f *fixture) events(claim string) []string {
	l, err := f.client.CoreV1().Events("apps").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range l.Items {
		if e.InvolvedObject.Name == claim && e.Type == corev1.EventTypeWarning {
			out = append(out, e.Reason+": "+e.Message)
		}
	}
	return out
}

func (f *fixture) entries(t *testing.T) []string {
	t.Helper()
	es, err := os.ReadDir(f.dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// A claim on this node gets a directory and a local volume bound to the
// node; a claim on another node is left alone.
func TestProvisionsOwnClaimsOnly(t *testing.T) {
	f := start(t, 10<<30, class(corev1.PersistentVolumeReclaimDelete),
		claim("data", "local-delete", node, "1Gi"), claim("elsewhere", "local-delete", "node3.k8s.internal", "1Gi"))
	eventually(t, "the volume of apps/data", func() bool { return f.pv("pvc-uid-data") != nil })
	pv := f.pv("pvc-uid-data")
	want := filepath.Join(f.dir, "pvc-uid-data_apps_data")
	if pv.Spec.Local == nil || pv.Spec.Local.Path != want || pv.Annotations[AnnotationPath] != want || pv.Annotations[AnnotationNode] != node {
		t.Fatalf("volume source %+v annotations %v, want local path %s", pv.Spec.Local, pv.Annotations, want)
	}
	term := pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0]
	if term.Key != corev1.LabelHostname || len(term.Values) != 1 || term.Values[0] != node {
		t.Fatalf("node affinity %+v, want %s = %s", term, corev1.LabelHostname, node)
	}
	if pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete || pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.Name != "data" ||
		pv.Spec.Capacity.Storage().String() != "1Gi" || pv.Spec.StorageClassName != "local-delete" {
		t.Fatalf("volume spec %+v", pv.Spec)
	}
	st, err := os.Stat(want)
	if err != nil || !st.IsDir() || st.Mode().Perm() != 0o777 {
		t.Fatalf("directory %s: %v %v", want, st, err)
	}
	time.Sleep(300 * time.Millisecond)
	if f.pv("pvc-uid-elsewhere") != nil {
		t.Fatal("provisioned a claim the scheduler put on another node")
	}
	if got := f.entries(t); len(got) != 1 {
		t.Fatalf("directories %v, want only apps/data's", got)
	}
}

// Bad input gets a Warning Event on the claim that names the problem, and
// leaves no directory and no volume.
func TestBadClaimsGetEventsAndNothingElse(t *testing.T) {
	block := claim("block", "local-delete", node, "1Gi")
	mode := corev1.PersistentVolumeBlock
	block.Spec.VolumeMode = &mode
	f := start(t, 5<<30, class(corev1.PersistentVolumeReclaimDelete),
		claim("shared", "local-delete", node, "1Gi", corev1.ReadWriteMany),
		block,
		claim("huge", "local-delete", node, "6Gi"),
	)
	for name, want := range map[string]string{
		"shared": "access mode ReadWriteMany: a local volume is a directory on one node",
		"block":  "volumeMode Block: a local volume is a directory, not a block device; ask for volumeMode Filesystem",
		"huge":   "node node2.k8s.internal has no room: the claim asks for 6Gi, the filesystem of " + f.dir + " has 5Gi free",
	} {
		eventually(t, "an event on "+name, func() bool {
			for _, e := range f.events(name) {
				if strings.HasPrefix(e, "ProvisioningFailed: ") && strings.Contains(e, want) {
					return true
				}
			}
			return false
		})
	}
	pvs, _ := f.client.CoreV1().PersistentVolumes().List(context.Background(), metav1.ListOptions{})
	if len(pvs.Items) != 0 {
		t.Fatalf("volumes made for bad claims: %v", pvs.Items)
	}
	if got := f.entries(t); len(got) != 0 {
		t.Fatalf("directories left for bad claims: %v", got)
	}
}

// A path that cannot be made is an Event too, and the claim is provisioned
// once the path is fixed.
func TestUnmakeablePathThenFixed(t *testing.T) {
	f := start(t, 10<<30, class(corev1.PersistentVolumeReclaimDelete))
	if err := os.WriteFile(f.dir, []byte("not a dir"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CoreV1().PersistentVolumeClaims("apps").Create(context.Background(), claim("data", "local-delete", node, "1Gi"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "an event naming the path", func() bool {
		for _, e := range f.events("data") {
			if strings.Contains(e, "node node2.k8s.internal cannot make storage.localPath "+f.dir) && strings.Contains(e, "not a directory") {
				return true
			}
		}
		return false
	})
	if f.pv("pvc-uid-data") != nil {
		t.Fatal("a volume was made without its directory")
	}
	if err := os.Remove(f.dir); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the volume once the path is fixed", func() bool { return f.pv("pvc-uid-data") != nil })
}

// A released volume with reclaim policy Delete loses its directory and its
// PersistentVolume; with Retain both stay, and the volume says where.
func TestReleasedVolumes(t *testing.T) {
	f := start(t, 10<<30, class(corev1.PersistentVolumeReclaimDelete), class(corev1.PersistentVolumeReclaimRetain),
		claim("gone", "local-delete", node, "1Gi"), claim("kept", "local-retain", node, "1Gi"))
	eventually(t, "both volumes", func() bool { return f.pv("pvc-uid-gone") != nil && f.pv("pvc-uid-kept") != nil })
	for _, name := range []string{"pvc-uid-gone", "pvc-uid-kept"} {
		pv := f.pv(name)
		if err := os.WriteFile(filepath.Join(pv.Spec.Local.Path, "file"), []byte("data"), 0o600); err != nil {
			t.Fatal(err)
		}
		pv.Status.Phase = corev1.VolumeReleased
		if _, err := f.client.CoreV1().PersistentVolumes().UpdateStatus(context.Background(), pv, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the Delete volume gone", func() bool { return f.pv("pvc-uid-gone") == nil })
	if _, err := os.Stat(filepath.Join(f.dir, "pvc-uid-gone_apps_gone")); !os.IsNotExist(err) {
		t.Fatalf("directory of a deleted volume: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	kept := f.pv("pvc-uid-kept")
	if kept == nil {
		t.Fatal("a Retain volume was deleted")
	}
	if data, err := os.ReadFile(filepath.Join(kept.Annotations[AnnotationPath], "file")); err != nil || string(data) != "data" {
		t.Fatalf("data of a Retain volume at %s: %q %v", kept.Annotations[AnnotationPath], data, err)
	}
}

// Delete removes nothing it did not make, whatever a volume says.
func TestDeleteRefusesForeignPaths(t *testing.T) {
	base := t.TempDir()
	p := &Provisioner{NodeName: node, LocalPath: filepath.Join(base, "volumes"), Log: logr.Discard()}
	victim := filepath.Join(base, "victim")
	if err := os.MkdirAll(victim, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{
		"outside":      victim,
		"the base":     p.LocalPath,
		"other's name": filepath.Join(p.LocalPath, "pvc-other_apps_x"),
		"nested":       filepath.Join(p.LocalPath, "pvc-1_a_b", "x"),
	} {
		pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pvc-1", Annotations: map[string]string{AnnotationNode: node, AnnotationPath: path}},
			Spec: corev1.PersistentVolumeSpec{PersistentVolumeSource: corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: path}}}}
		if err := p.Delete(context.Background(), pv); err == nil || !strings.Contains(err.Error(), "leaves it alone") {
			t.Errorf("%s: Delete(%s) = %v, want a refusal", name, path, err)
		}
	}
	if _, err := os.Stat(victim); err != nil {
		t.Fatal(err)
	}
	other := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pvc-2", Annotations: map[string]string{AnnotationNode: "node3.k8s.internal"}}}
	if p.ShouldDelete(context.Background(), other) {
		t.Error("ShouldDelete took another node's volume")
	}
}

func TestGiB(t *testing.T) {
	for n, want := range map[uint64]string{5 << 30: "5Gi", 18669964 << 10: "17.8Gi", 512 << 20: "0.5Gi"} {
		if got := gib(n); got != want {
			t.Errorf("gib(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestClassParametersRefused(t *testing.T) {
	err := checkClaim(claim("c", "fast", node, "1Gi"), "fast", map[string]string{"path": "/"})
	if err == nil || !strings.Contains(err.Error(), `StorageClass fast has parameter "path": kubenode.io/local takes no parameters`) {
		t.Fatal(err)
	}
}

// Starting the provisioner writes nothing process-wide that other
// components read: on a worker it starts while the kubelet's and
// kube-proxy's watches decode through client-go's scheme (the library
// used to register core/v1 there again: a fatal concurrent map write that
// ended a worker at its first start). Run under -race (make test-unit),
// which reports such a write even when it does not crash.
func TestStartWritesNoSharedScheme(t *testing.T) {
	pod := []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}`)
	done := make(chan struct{})
	decoded := make(chan error, 1)
	go func() {
		for {
			if _, _, err := scheme.Codecs.UniversalDeserializer().Decode(pod, nil, nil); err != nil {
				decoded <- err
				return
			}
			select {
			case <-done:
				decoded <- nil
				return
			default:
			}
		}
	}()
	f := start(t, 10<<30)
	eventually(t, "the provisioner to run", func() bool { return f.p.Ready() == nil })
	close(done)
	if err := <-decoded; err != nil {
		t.Fatalf("decoding a pod through client-go's scheme: %v", err)
	}
}
