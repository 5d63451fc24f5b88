// Package kubelet runs the kubelet in process, configured by a
// KubeletConfiguration file that kubenode writes at every start (so what
// runs is always inspectable on disk) and loads with the kubelet's own
// loader, defaulting and validation.
package kubelet

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	"k8s.io/kubernetes/cmd/kubelet/app"
	"k8s.io/kubernetes/cmd/kubelet/app/options"
	"k8s.io/kubernetes/pkg/kubelet/apis/config/validation"
	"k8s.io/kubernetes/pkg/kubelet/certificate/bootstrap"
	"k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles"
	utilfs "k8s.io/kubernetes/pkg/util/filesystem"
	"k8s.io/utils/ptr"

	"github.com/kubenode/kubenode/pkg/components/internal/upstream"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Port is the kubelet's HTTPS port.
const Port = 10250

// Kubelet is the node agent.
type Kubelet struct {
	NodeName string
	NodeIPs  []netip.Addr
	// Kubeconfig holds the node's client certificate (CN=system:node:NAME).
	// With BootstrapKubeconfig set, the kubelet writes it itself after TLS
	// bootstrap (a CSR approved by the controller-manager) and renews it.
	Kubeconfig          string
	BootstrapKubeconfig string
	// ServerTLSBootstrap: the serving certificate comes from a CSR (approved
	// by kubenode's approver on the primary) instead of TLSCertFile/KeyFile.
	ServerTLSBootstrap bool
	// ConfigFile is where the KubeletConfiguration is written.
	ConfigFile string
	// RootDir, PodLogsDir: empty means the kubelet's defaults. CgroupRoot
	// empty means "/" (kubepods right under each hierarchy's root); a
	// non-root cgroup is created when missing.
	RootDir    string
	PodLogsDir string
	CgroupRoot string
	// RuntimeSocket is CRI-O's socket path.
	RuntimeSocket string
	// ClientCAFile verifies clients of the kubelet API (the apiserver);
	// TLSCertFile/TLSKeyFile serve it, signed by the cluster CA with the
	// node's names and IPs.
	ClientCAFile, TLSCertFile, TLSKeyFile string
	ClusterDomain                         string
	ClusterDNS                            []netip.Addr
	// ResolvConf is the file pods with dnsPolicy Default inherit, and
	// whose search list ClusterFirst pods append; empty: the host's real
	// resolver file (systemd-resolved's upstream file when present).
	ResolvConf string
	// BindAddress of the kubelet API ("0.0.0.0" or "::").
	BindAddress string
	Taints      []corev1.Taint
	Labels      map[string]string
	// OOMScoreAdj is what the kubelet sets its process's oom_score_adj to.
	// The process is the whole node: give it the value the node has.
	OOMScoreAdj int32

	upstream.Runner
	client kubernetes.Interface
	// rootDir is the root directory Start ran with; unmountRoot says
	// whether it was not a mount point then (the kubelet makes it one).
	rootDir     string
	unmountRoot bool
	// started is when Start ran, previousHeartbeat the Node's Ready
	// heartbeat then (see nodeReady).
	started, previousHeartbeat time.Time
	// serving is closed once servingVal is set (see Serving).
	serving    chan struct{}
	servingVal *Serving
}

var (
	_ supervisor.Component = (*Kubelet)(nil)
	_ supervisor.Readier   = (*Kubelet)(nil)
	_ supervisor.Exiter    = (*Kubelet)(nil)
)

func (k *Kubelet) Name() string { return "kubelet" }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Configuration is the KubeletConfiguration kubenode writes.
func (k *Kubelet) Configuration() *kubeletv1beta1.KubeletConfiguration {
	var dns []string
	for _, a := range k.ClusterDNS {
		dns = append(dns, a.String())
	}
	c := &kubeletv1beta1.KubeletConfiguration{
		TypeMeta: metav1.TypeMeta{APIVersion: kubeletv1beta1.SchemeGroupVersion.String(), Kind: "KubeletConfiguration"},
		Address:  or(k.BindAddress, "0.0.0.0"),
		Port:     Port,
		// The health endpoint stays on loopback.
		HealthzBindAddress: "127.0.0.1",
		TLSCertFile:        k.TLSCertFile,
		TLSPrivateKeyFile:  k.TLSKeyFile,
		TLSMinVersion:      "VersionTLS12",
		Authentication: kubeletv1beta1.KubeletAuthentication{
			X509:      kubeletv1beta1.KubeletX509Authentication{ClientCAFile: k.ClientCAFile},
			Webhook:   kubeletv1beta1.KubeletWebhookAuthentication{Enabled: ptr.To(true)},
			Anonymous: kubeletv1beta1.KubeletAnonymousAuthentication{Enabled: ptr.To(false)},
		},
		Authorization:            kubeletv1beta1.KubeletAuthorization{Mode: kubeletv1beta1.KubeletAuthorizationModeWebhook},
		ReadOnlyPort:             0,
		ClusterDomain:            k.ClusterDomain,
		ClusterDNS:               dns,
		ResolverConfig:           ptr.To(or(k.ResolvConf, HostResolvConf())),
		OOMScoreAdj:              ptr.To(k.OOMScoreAdj),
		ContainerRuntimeEndpoint: "unix://" + k.RuntimeSocket,
		ImageServiceEndpoint:     "unix://" + k.RuntimeSocket,
		CgroupDriver:             "cgroupfs",
		CgroupRoot:               or(k.CgroupRoot, "/"),
		PodLogsDir:               k.PodLogsDir,
		FailSwapOn:               ptr.To(false),
		RegisterWithTaints:       k.Taints,
		// Pods come from the API only; kubenode runs its own components
		// in process, not as static pods.
		StaticPodPath: "",
		// On the primary, kubenode issues both certificates from the
		// cluster CA and renews them at start; a worker bootstraps them
		// through CSRs and the kubelet renews them.
		RotateCertificates: k.BootstrapKubeconfig != "",
		ServerTLSBootstrap: k.ServerTLSBootstrap,
		// A node that shuts down stops its pods through CRI-O; the kubelet's
		// systemd-inhibitor based graceful shutdown needs logind.
		ShutdownGracePeriod: metav1.Duration{},
	}
	if k.TLSCertFile != "" {
		// kubenode writes the serving certificate before the kubelet
		// starts and renews it at start: load it once rather than watch
		// it (one inotify instance; see upstream.StaticServingCert).
		c.FeatureGates = map[string]bool{"ReloadKubeletServerCertificateFile": false}
	}
	if upstream.CgroupV1() {
		// kubelet 1.36 refuses cgroup v1 unless told otherwise.
		c.FailCgroupV1 = ptr.To(false)
	}
	return c
}

// HostResolvConf is the resolver file with the host's real upstreams:
// systemd-resolved's when it runs (its /etc/resolv.conf names the
// 127.0.0.53 stub, unreachable from a pod), else /etc/resolv.conf.
func HostResolvConf() string {
	const resolved = "/run/systemd/resolve/resolv.conf"
	if _, err := os.Stat(resolved); err == nil {
		return resolved
	}
	return "/etc/resolv.conf"
}

// Init writes the configuration and checks it with the kubelet's own
// loader and validation, so a bad value fails before anything starts.
func (k *Kubelet) Init(ctx context.Context) error {
	if k.NodeName == "" || k.Kubeconfig == "" || k.ConfigFile == "" || k.RuntimeSocket == "" || k.RootDir == "" || k.PodLogsDir == "" {
		return errors.New("kubelet: node name, kubeconfig, config file, runtime socket, root dir and pod logs dir are required (pkg/config resolves their defaults)")
	}
	if err := upstream.WriteConfig(k.Name(), k.ConfigFile, k.Configuration()); err != nil {
		return err
	}
	if _, err := k.server(ctx); err != nil {
		return err
	}
	return ensureCgroupRoot(or(k.CgroupRoot, "/"))
}

// nodeClient uses the node's own credentials, which a bootstrapping
// kubelet only has once its CSR is approved.
func (k *Kubelet) nodeClient() (kubernetes.Interface, error) {
	if k.client != nil {
		return k.client, nil
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", k.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubelet: %w", err)
	}
	cfg.Timeout = 5 * time.Second
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubelet: %w", err)
	}
	k.client = c
	return c, nil
}

// server loads the written file the way `kubelet --config` does.
func (k *Kubelet) server(ctx context.Context) (*options.KubeletServer, error) {
	loader, err := configfiles.NewFsLoader(&utilfs.DefaultFs{}, k.ConfigFile)
	if err != nil {
		return nil, fmt.Errorf("kubelet: %w", err)
	}
	kc, err := loader.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("kubelet: load %s: %w", k.ConfigFile, err)
	}
	if err := validation.ValidateKubeletConfiguration(kc, utilfeature.DefaultFeatureGate); err != nil {
		return nil, fmt.Errorf("kubelet: invalid configuration %s: %w", k.ConfigFile, err)
	}
	flags := options.NewKubeletFlags()
	flags.KubeConfig = k.Kubeconfig
	flags.BootstrapKubeconfig = k.BootstrapKubeconfig
	flags.RootDirectory = k.RootDir
	flags.CertDirectory = filepath.Join(flags.RootDirectory, "pki")
	flags.HostnameOverride = k.NodeName
	var ips []string
	for _, a := range k.NodeIPs {
		ips = append(ips, a.String())
	}
	flags.NodeIP = strings.Join(ips, ",")
	flags.NodeLabels = k.Labels
	if err := options.ValidateKubeletFlags(flags); err != nil {
		return nil, fmt.Errorf("kubelet: %w", err)
	}
	return &options.KubeletServer{KubeletFlags: *flags, KubeletConfiguration: *kc}, nil
}

// Start runs the kubelet the way its command does after parsing flags.
func (k *Kubelet) Start(ctx context.Context) error {
	s, err := k.server(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.RootDirectory, 0o700); err != nil {
		return fmt.Errorf("kubelet: %w", err)
	}
	// The kubelet bind-mounts its root onto itself (to make it rshared)
	// and never unmounts it; Stop undoes that if this start did it.
	root, err := filepath.EvalSymlinks(s.RootDirectory)
	if err != nil {
		return fmt.Errorf("kubelet: %w", err)
	}
	mounted, err := mountinfo.Mounted(root)
	if err != nil {
		return fmt.Errorf("kubelet: %w", err)
	}
	k.rootDir, k.unmountRoot = root, !mounted
	k.started, k.previousHeartbeat = time.Now(), k.readyHeartbeat(ctx)
	klog.InfoS("Starting component", "component", k.Name(), "config", k.ConfigFile, "rootDir", s.RootDirectory)
	ctx, cancel := k.Context(ctx)
	deps, err := app.UnsecuredDependencies(ctx, s, utilfeature.DefaultFeatureGate)
	if err != nil {
		cancel()
		return fmt.Errorf("kubelet: %w", err)
	}
	if deps.CAdvisorInterface, err = newCadvisor(ctx, s); err != nil {
		cancel()
		return err
	}
	k.serving = make(chan struct{})
	deps.Options = append(deps.Options, k.servingOption(ctx, deps))
	k.Go(cancel, func() error {
		// A worker's first start: get the client certificate first. The
		// kubelet would bootstrap it in the background and meanwhile list
		// with no credentials; its informers then back off from the
		// Unauthorized answers for about a second after the certificate
		// is there. With a valid kubeconfig this returns at once.
		if s.BootstrapKubeconfig != "" {
			if err := bootstrap.LoadClientCert(ctx, s.KubeConfig, s.BootstrapKubeconfig, s.CertDirectory, types.NodeName(k.NodeName)); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("kubelet: client certificate from %s: %w", s.BootstrapKubeconfig, err)
			}
		}
		if err := app.Run(ctx, s, deps, utilfeature.DefaultFeatureGate); err != nil {
			return fmt.Errorf("kubelet: %w", err)
		}
		if ctx.Err() == nil {
			return errors.New("kubelet: stopped on its own")
		}
		return nil
	})
	return nil
}

// Ready is the Node's Ready condition as this kubelet posted it, read with
// the node's own credentials: registered, runtime and network ready, and
// no longer tainted not-ready, so pods schedule as soon as kubenode says
// ready.
func (k *Kubelet) Ready(ctx context.Context) error {
	client, err := k.nodeClient()
	if err != nil {
		return err
	}
	node, err := client.CoreV1().Nodes().Get(ctx, k.NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("kubelet: node %s not registered yet", k.NodeName)
	}
	if err != nil {
		return fmt.Errorf("kubelet: %w", err)
	}
	return nodeReady(node, k.started, k.previousHeartbeat)
}

// readyHeartbeat is the Node's Ready heartbeat as it is, from an earlier
// run of the kubelet; zero when there is none or the API does not answer
// within a second (a worker's first start has no credentials yet).
func (k *Kubelet) readyHeartbeat(ctx context.Context) time.Time {
	client, err := k.nodeClient()
	if err != nil {
		return time.Time{}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	node, err := client.CoreV1().Nodes().Get(ctx, k.NodeName, metav1.GetOptions{})
	if err != nil {
		return time.Time{}
	}
	if c := readyCondition(node); c != nil {
		return c.LastHeartbeatTime.Time
	}
	return time.Time{}
}

// readyCondition is node's Ready condition, nil when it has none.
func readyCondition(node *corev1.Node) *corev1.NodeCondition {
	for i := range node.Status.Conditions {
		if node.Status.Conditions[i].Type == corev1.NodeReady {
			return &node.Status.Conditions[i]
		}
	}
	return nil
}

// nodeReady says whether node is Ready and schedulable by a status that a
// kubelet started at since posted. After a restart the Node still carries
// the previous run's Ready condition until the new kubelet's first status
// update, a few hundred ms after its start; trusting it made a restarted
// node ready before its kubelet had checked anything (a node that then
// turned NotReady was reported ready). Heartbeats travel at one-second
// precision, so a heartbeat must be in or after since's second and later
// than previous, the one the Node had at the start: a worker restarts
// within the second of its last status.
func nodeReady(node *corev1.Node, since, previous time.Time) error {
	c := readyCondition(node)
	if c == nil {
		return fmt.Errorf("kubelet: node %s has no Ready condition yet", node.Name)
	}
	if hb := c.LastHeartbeatTime.Time; hb.Before(since.Truncate(time.Second)) || !hb.After(previous) {
		return fmt.Errorf("kubelet: node %s has not posted its status since its start at %s (Ready condition of %s)", node.Name, since.Format(time.RFC3339), c.LastHeartbeatTime.Format(time.RFC3339))
	}
	if c.Status != corev1.ConditionTrue {
		return fmt.Errorf("kubelet: node %s not Ready: %s: %s", node.Name, c.Reason, c.Message)
	}
	// Ready and schedulable: the node lifecycle controller lifts the
	// not-ready taint shortly after the condition turns True.
	for _, t := range node.Spec.Taints {
		if t.Key == corev1.TaintNodeNotReady {
			return fmt.Errorf("kubelet: node %s is Ready but still tainted %s", node.Name, t.Key)
		}
	}
	return nil
}

// Stop ends the kubelet's main loop. Some of its goroutines run until the
// process exits (upstream starts them with wait.NeverStop); the node
// process ends right after its components stop.
//
// Its main loop returns within milliseconds of the cancel; one that has not
// after 2s is reported as not stopped, not as stopped, since its sync loop
// may still act on pods while CRI-O stops.
func (k *Kubelet) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return errors.Join(k.Runner.Stop(ctx, k.Name()), k.releaseRoot())
}

// releaseRoot unmounts the bind mount of the root directory that the
// kubelet made at this start, so that a node that stops (or fails to
// start) before any pod ran leaves its dirs removable. While pods' volumes
// are mounted below it, it stays, as the volumes do, for the next start or
// `kubenode reset`. The unmount is lazy: goroutines the kubelet never stops
// (its pod-resources socket) keep files open there until the process ends.
func (k *Kubelet) releaseRoot() error {
	if !k.unmountRoot {
		return nil
	}
	k.unmountRoot = false
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(k.rootDir))
	if err != nil {
		return fmt.Errorf("kubelet: %w", err)
	}
	switch {
	case len(mounts) == 0:
		return nil
	case len(mounts) > 1:
		klog.InfoS("Kubelet root directory holds pod volumes; left mounted", "rootDir", k.rootDir, "mounts", len(mounts)-1)
		return nil
	}
	if err := unix.Unmount(k.rootDir, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("kubelet: unmount %s: %w", k.rootDir, err)
	}
	return nil
}

// ensureCgroupRoot creates a non-root cgroup root in every v1 hierarchy
// (the kubelet refuses a root that does not exist), copying cpuset's
// cpus and mems from the parent as the kernel does not inherit them.
// Nothing is moved; only an empty directory is made.
func ensureCgroupRoot(root string) error {
	root = strings.Trim(root, "/")
	if root == "" {
		return nil
	}
	if !upstream.CgroupV1() {
		dir := filepath.Join("/sys/fs/cgroup", root)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("kubelet: cgroup root: %w", err)
		}
		return nil
	}
	hierarchies, err := filepath.Glob("/sys/fs/cgroup/*")
	if err != nil {
		return err
	}
	for _, h := range hierarchies {
		base := filepath.Base(h)
		if base == "unified" {
			continue // the kubelet checks only the v1 hierarchies on a hybrid host
		}
		if _, err := os.Stat(filepath.Join(h, "cgroup.procs")); err != nil {
			continue // not a mounted hierarchy
		}
		dir := filepath.Join(h, root)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("kubelet: cgroup root %s: %w", dir, err)
		}
		if base == "cpuset" {
			for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
				cur, _ := os.ReadFile(filepath.Join(dir, f))
				if strings.TrimSpace(string(cur)) != "" {
					continue
				}
				parent, err := os.ReadFile(filepath.Join(h, f))
				if err != nil {
					return fmt.Errorf("kubelet: cgroup root: %w", err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), parent, 0o644); err != nil {
					return fmt.Errorf("kubelet: cgroup root %s: %w", f, err)
				}
			}
		}
	}
	return nil
}
