// Package localpv provisions the volumes of the StorageClass "local": every
// node's kubenode makes one directory per claim that the scheduler put on
// it (annotation volume.kubernetes.io/selected-node) under
// storage.localPath, as a "local" PersistentVolume bound to that node, and
// removes the directory when a volume with reclaim policy Delete is
// released.
//
// It is sig-storage-lib-external-provisioner's ProvisionController (the
// library local-path-provisioner is built on) with a Provisioner of our
// own, run as a Runnable on the controller host (pkg/controllers) with the
// node's identity. That identity needs, besides what the Node authorizer
// gives every node (events), RBAC bound to group system:nodes
// (addons/builtin.yaml, kubenode:local-provisioner): list and watch
// PersistentVolumeClaims, PersistentVolumes and StorageClasses, create and
// delete PersistentVolumes. The Node authorizer has no opinion on those
// verbs (it answers only get of a volume its pods use) and NodeRestriction
// does not look at PersistentVolumes or at reads of claims, so RBAC
// decides. A ValidatingAdmissionPolicy (kubenode:local-volumes) then lets a
// node create and delete only the "local" volumes of its own name.
//
// v13.0.0 of the library, not v13.1.0: v13.1.0 requires k8s.io/* v0.37.0
// and with it newer kube-openapi, structured-merge-diff, grpc and miekg/dns
// than the pinned Kubernetes 1.36.3 and CoreDNS build with; v13.0.0
// builds against v0.36.3 and moved only two go-openapi patch versions.
package localpv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"sigs.k8s.io/sig-storage-lib-external-provisioner/v13/controller"

	"github.com/kubenode/kubenode/pkg/controllers"
)

const (
	// ProvisionerName is the StorageClass provisioner this package serves.
	ProvisionerName = "kubenode.io/local"
	// StorageClassName is the default class kubenode creates.
	StorageClassName = "local"

	// AnnotationNode and AnnotationPath are on every volume made here:
	// the node and the directory that hold its data, which stay after the
	// volume is released when its reclaim policy is Retain.
	AnnotationNode = "kubenode.io/local-node"
	AnnotationPath = "kubenode.io/local-path"

	annSelectedNode = "volume.kubernetes.io/selected-node"
)

// Provisioner makes and removes this node's directories. Set the exported
// fields before the controller host starts.
type Provisioner struct {
	NodeName  string // the Node's name, also its kubernetes.io/hostname label
	LocalPath string // storage.localPath, resolved
	Log       logr.Logger
	// RetryMin and RetryMax bound the backoff of a claim or volume that
	// failed (default 2s and 5m): a full disk or a broken path may be
	// fixed, so failures are retried for as long as the claim exists.
	RetryMin, RetryMax time.Duration

	// freeBytes reports the space a non-root user could use under path
	// (statfs); tests replace it.
	freeBytes func(path string) (uint64, error)

	mu      sync.Mutex
	ctrl    *controller.ProvisionController
	workers sync.WaitGroup
}

var (
	_ controllers.Runnable        = (*Provisioner)(nil)
	_ controllers.Readier         = (*Provisioner)(nil)
	_ controllers.Validator       = (*Provisioner)(nil)
	_ controller.Provisioner      = (*Provisioner)(nil)
	_ controller.Qualifier        = (*Provisioner)(nil)
	_ controller.DeletionGuard    = (*Provisioner)(nil)
	_ controller.BlockProvisioner = (*Provisioner)(nil)
)

func (p *Provisioner) Name() string { return "local-volumes" }

// Validate checks the configuration.
func (p *Provisioner) Validate() error {
	switch {
	case p.NodeName == "":
		return errors.New("local-volumes: no node name")
	case !filepath.IsAbs(p.LocalPath) || filepath.Clean(p.LocalPath) != p.LocalPath:
		return fmt.Errorf("local-volumes: storage.localPath %q is not a clean absolute path", p.LocalPath)
	}
	return nil
}

func (p *Provisioner) build(ctx context.Context, client kubernetes.Interface) *controller.ProvisionController {
	ctx = klog.NewContext(ctx, p.Log)
	pc := controller.NewProvisionController(ctx, client, ProvisionerName, p,
		// Every node runs one and takes only its own claims (ShouldProvision).
		controller.LeaderElection(false),
		controller.Threadiness(2),
		controller.RateLimiter(workqueue.NewTypedItemExponentialFailureRateLimiter[string](
			orDefault(p.RetryMin, 2*time.Second), orDefault(p.RetryMax, 5*time.Minute))),
		controller.FailedProvisionThreshold(0),
		controller.FailedDeleteThreshold(0),
		controller.ProvisionTimeout(time.Minute),
		controller.DeletionTimeout(time.Minute),
		// Saving a PV is retried for about 15s, then the directory is
		// removed again and the claim retried: a stop waits at most that.
		controller.CreateProvisionedPVBackoff(wait.Backoff{Duration: 500 * time.Millisecond, Factor: 2, Steps: 5}),
	)
	pc.ControllerWaitGroup(&p.workers)
	p.mu.Lock()
	p.ctrl = pc
	p.mu.Unlock()
	return pc
}

// Run runs the library's controller with the node's identity until ctx
// ends, and returns once its workers have.
func (p *Provisioner) Run(ctx context.Context, clients controllers.Clients) error {
	client, err := clients(controllers.NodeIdentity)
	if err != nil {
		return err
	}
	pc := p.build(ctx, client)
	p.Log.Info("provisioning local volumes", "node", p.NodeName, "path", p.LocalPath, "provisioner", ProvisionerName)
	pc.Run(klog.NewContext(ctx, p.Log))
	p.workers.Wait()
	return nil
}

// Ready reports whether the library's controller runs.
func (p *Provisioner) Ready() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctrl == nil || !p.ctrl.HasRun() {
		return errors.New("local-volumes: provisioner not running yet")
	}
	return nil
}

// ShouldProvision takes the claims the scheduler put on this node.
func (p *Provisioner) ShouldProvision(_ context.Context, claim *corev1.PersistentVolumeClaim) bool {
	return claim.Annotations[annSelectedNode] == p.NodeName
}

// ShouldDelete takes the volumes this node made.
func (p *Provisioner) ShouldDelete(_ context.Context, pv *corev1.PersistentVolume) bool {
	return pv.Annotations[AnnotationNode] == p.NodeName
}

// SupportsBlock is true only so that a Block claim reaches Provision,
// which refuses it with a message that says what to ask for instead.
func (p *Provisioner) SupportsBlock(context.Context) bool { return true }

// Provision makes the claim's directory and returns its volume. Every
// check runs before the directory is made: a claim that is refused leaves
// nothing behind, and its Event (ProvisioningFailed, from the library)
// carries the error.
func (p *Provisioner) Provision(_ context.Context, opts controller.ProvisionOptions) (*corev1.PersistentVolume, controller.ProvisioningState, error) {
	claim := opts.PVC
	if opts.SelectedNodeName != p.NodeName {
		return nil, controller.ProvisioningFinished, &controller.IgnoredError{
			Reason: fmt.Sprintf("claim %s/%s is for node %q, this is %s", claim.Namespace, claim.Name, opts.SelectedNodeName, p.NodeName)}
	}
	if err := checkClaim(claim, opts.StorageClass.Name, opts.StorageClass.Parameters); err != nil {
		return nil, controller.ProvisioningFinished, err
	}
	size := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	if err := os.MkdirAll(p.LocalPath, 0o700); err != nil {
		return nil, controller.ProvisioningFinished, fmt.Errorf("node %s cannot make storage.localPath %s: %v; fix that path on the node or set storage.localPath in its config.yaml", p.NodeName, p.LocalPath, err)
	}
	free, err := p.free(p.LocalPath)
	if err != nil {
		return nil, controller.ProvisioningFinished, fmt.Errorf("node %s: free space of %s: %w", p.NodeName, p.LocalPath, err)
	}
	if size.CmpInt64(int64(min(free, 1<<62))) > 0 {
		return nil, controller.ProvisioningFinished, fmt.Errorf("node %s has no room: the claim asks for %s, the filesystem of %s has %s free; free space there, ask for less, or delete the claim so that the pod can be scheduled elsewhere",
			p.NodeName, size.String(), p.LocalPath, gib(free))
	}
	dir := filepath.Join(p.LocalPath, dirName(opts.PVName, claim))
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, controller.ProvisioningFinished, fmt.Errorf("node %s cannot make the volume's directory %s: %v; fix storage.localPath (%s) on that node", p.NodeName, dir, err, p.LocalPath)
	}
	// A directory left by an attempt whose volume was not saved is reused;
	// anything else in its place (a file, a symlink) is not.
	if st, err := os.Lstat(dir); err != nil || !st.IsDir() {
		return nil, controller.ProvisioningFinished, fmt.Errorf("node %s: %s exists and is not a directory; remove it", p.NodeName, dir)
	}
	// Any user a pod runs as may write (as local-path-provisioner does);
	// the 0700 parent keeps other users of the host out.
	if err := os.Chmod(dir, 0o777); err != nil {
		os.Remove(dir)
		return nil, controller.ProvisioningFinished, fmt.Errorf("node %s: %w", p.NodeName, err)
	}
	reclaim := corev1.PersistentVolumeReclaimDelete
	if opts.StorageClass.ReclaimPolicy != nil {
		reclaim = *opts.StorageClass.ReclaimPolicy
	}
	fs := corev1.PersistentVolumeFilesystem
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{
			Name:        opts.PVName,
			Annotations: map[string]string{AnnotationNode: p.NodeName, AnnotationPath: dir},
		},
		Spec: corev1.PersistentVolumeSpec{
			PersistentVolumeReclaimPolicy: reclaim,
			AccessModes:                   claim.Spec.AccessModes,
			VolumeMode:                    &fs,
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			PersistentVolumeSource:        corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: dir}},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{p.NodeName}}},
			}}}},
		},
	}
	p.Log.Info("volume provisioned", "claim", claim.Namespace+"/"+claim.Name, "volume", pv.Name, "path", dir, "size", size.String(), "reclaim", reclaim)
	return pv, controller.ProvisioningFinished, nil
}

// Delete removes the directory of a released volume with reclaim policy
// Delete (the library deletes the PersistentVolume afterwards). It removes
// only a directory this node made: a direct child of storage.localPath
// named after the volume.
func (p *Provisioner) Delete(_ context.Context, pv *corev1.PersistentVolume) error {
	if pv.Annotations[AnnotationNode] != p.NodeName {
		return &controller.IgnoredError{Reason: fmt.Sprintf("volume %s is not on node %s", pv.Name, p.NodeName)}
	}
	if pv.Spec.Local == nil {
		return fmt.Errorf("volume %s has no local path; remove its data by hand and delete the volume", pv.Name)
	}
	dir := pv.Spec.Local.Path
	if dir != pv.Annotations[AnnotationPath] || filepath.Dir(dir) != p.LocalPath || !strings.HasPrefix(filepath.Base(dir), pv.Name+"_") {
		return fmt.Errorf("volume %s: %s is not a directory node %s made under storage.localPath %s (did storage.localPath change?); kubenode leaves it alone: remove it by hand and delete the volume", pv.Name, dir, p.NodeName, p.LocalPath)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("node %s: removing %s: %w", p.NodeName, dir, err)
	}
	p.Log.Info("volume deleted", "volume", pv.Name, "path", dir)
	return nil
}

// checkClaim refuses what a directory on one node cannot be.
func checkClaim(claim *corev1.PersistentVolumeClaim, class string, params map[string]string) error {
	var why []string
	for _, m := range claim.Spec.AccessModes {
		switch m {
		case corev1.ReadWriteOnce, corev1.ReadWriteOncePod:
		default:
			why = append(why, fmt.Sprintf("access mode %s: a local volume is a directory on one node, which pods on other nodes cannot mount; ask for ReadWriteOnce or ReadWriteOncePod", m))
		}
	}
	if claim.Spec.VolumeMode != nil && *claim.Spec.VolumeMode == corev1.PersistentVolumeBlock {
		why = append(why, "volumeMode Block: a local volume is a directory, not a block device; ask for volumeMode Filesystem")
	}
	if claim.Spec.Selector != nil {
		why = append(why, "spec.selector: a new volume has no labels to match; remove the selector")
	}
	if claim.Spec.DataSource != nil || claim.Spec.DataSourceRef != nil {
		why = append(why, "spec.dataSource: a local volume starts empty (no clones or snapshots); remove the data source")
	}
	for k := range params {
		why = append(why, fmt.Sprintf("StorageClass %s has parameter %q: %s takes no parameters; remove it", class, k, ProvisionerName))
	}
	if len(why) > 0 {
		return fmt.Errorf("claim %s/%s cannot be provisioned: %s", claim.Namespace, claim.Name, strings.Join(why, "; "))
	}
	return nil
}

// dirName names a claim's directory after its volume and, for whoever
// looks at the node's disk, the claim.
func dirName(pvName string, claim *corev1.PersistentVolumeClaim) string {
	return pvName + "_" + claim.Namespace + "_" + claim.Name
}

func (p *Provisioner) free(path string) (uint64, error) {
	if p.freeBytes != nil {
		return p.freeBytes(path)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// gib prints a byte count the way a claim's size is written.
func gib(n uint64) string {
	if n%(1<<30) == 0 {
		return fmt.Sprintf("%dGi", n>>30)
	}
	return fmt.Sprintf("%.1fGi", float64(n)/(1<<30))
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
