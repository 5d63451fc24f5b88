// Package crio runs CRI-O (github.com/cri-o/cri-o) in process: its CRI
// server listens on a Unix socket of the node's run dir and uses the node's
// image store (images.StoreOptions), so what `kubenode images import` put
// there is what the kubelet sees.
//
// See process.go for the process-wide side effects of CRI-O and how they
// are contained.
//
// A program that uses this package must call reexec.Init
// (go.podman.io/storage/pkg/reexec) first thing in main: CRI-O and
// containers/storage re-execute the binary ("crio-pull-image", chrooted
// untar, overlay mounts with long option strings).
package crio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/containernetworking/cni/libcni"
	libconfig "github.com/cri-o/cri-o/pkg/config"
	"github.com/cri-o/cri-o/server"
	"github.com/cri-o/cri-o/server/metrics"
	"github.com/sirupsen/logrus"
	"go.podman.io/storage"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"
	"tags.cncf.io/container-device-interface/pkg/cdi"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/images"
	"github.com/kubenode/kubenode/pkg/registries"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// CRIO is the container runtime of the node.
type CRIO struct {
	// DataDir holds what survives a reboot: the image store
	// (images.StoreOptions), the clean-shutdown marker, the signature
	// policy. It is the node's data dir, shared with pkg/images.
	DataDir string
	// RunDir holds what a reboot may lose: the socket, the store's run
	// root, container exit files, attach sockets, pinned namespaces, runc
	// state. It is the node's run dir, shared with pkg/images.
	RunDir string
	// LogDir is where container logs go when the kubelet names no log
	// directory (it always does); empty means DataDir/crio/pods.
	LogDir string
	// CNIConfigDir is read for the pod network (the first config file
	// wins); empty means RunDir/crio/cni/net.d. Without a config there, pods
	// need hostNetwork and the runtime reports NetworkReady=false.
	CNIConfigDir string
	// ImagesDir holds image archives imported at every Start (already
	// present images are skipped).
	ImagesDir string
	// Registries says where pulls go, with which credentials and CAs.
	Registries config.Registries
	// CNI, when set, is written to CNIConfigDir at Start.
	CNI *CNI
	// KeepPods leaves pods running under their conmon at Stop, for the next
	// start to adopt; otherwise Stop stops every pod sandbox first, so no
	// container outlives the node process. SetKeepPods changes it while
	// CRI-O runs.
	KeepPods bool
	// CNIPluginDirs hold the CNI plugin binaries.
	CNIPluginDirs []string
	// RuntimePath and ConmonPath are host binaries (pkg/config resolves
	// their defaults); PinnsPath empty means the pinns embedded in
	// kubenode, installed under DataDir/bin.
	RuntimePath string
	ConmonPath  string
	PinnsPath   string

	mu      sync.Mutex
	config  *libconfig.Config
	started *running
}

// running is what Start built and Stop tears down.
type running struct {
	grpc   *grpc.Server
	crio   *server.Server
	cancel context.CancelFunc
	stop   chan struct{} // closed by Stop
	once   sync.Once
	exited <-chan error // from supervisor.Go(run)

	podsOnce    sync.Once
	podsStopped chan struct{} // closed when stopPods has returned
	podsErr     error
}

// SetKeepPods decides, while CRI-O runs, what its Stop does to the pods
// (kubenode shutdown stops them on a node that keeps them).
func (c *CRIO) SetKeepPods(keep bool) {
	c.mu.Lock()
	c.KeepPods = keep
	c.mu.Unlock()
}

func (c *CRIO) keepPods() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.KeepPods
}

// StopPods starts stopping every pod in the background (unless KeepPods),
// so that their grace period overlaps with the rest of the node's
// shutdown; Stop waits for it. The node calls it when shutdown begins.
func (c *CRIO) StopPods() {
	c.mu.Lock()
	r, keep := c.started, c.KeepPods
	c.mu.Unlock()
	if r == nil || keep {
		return
	}
	r.podsOnce.Do(func() {
		go func() {
			defer close(r.podsStopped)
			r.podsErr = stopPods(context.Background(), r.crio)
		}()
	})
}

var (
	_ supervisor.Component = (*CRIO)(nil)
	_ supervisor.Readier   = (*CRIO)(nil)
	_ supervisor.Exiter    = (*CRIO)(nil)
)

func (c *CRIO) Name() string { return "crio" }

// Socket is the path of the CRI socket (the kubelet's
// container-runtime-endpoint is "unix://" + Socket()). Not "crio.sock": the
// kubelet treats an endpoint ending in run/crio/crio.sock as CRI-O at its
// default path and asks cAdvisor for stats from /var/run/crio, which fails
// (eviction manager: non-existent label "crio-images").
func (c *CRIO) Socket() string { return filepath.Join(c.RunDir, "crio", "cri.sock") }

func (c *CRIO) crioRun(elem ...string) string {
	return filepath.Join(append([]string{c.RunDir, "crio"}, elem...)...)
}

func (c *CRIO) crioData(elem ...string) string {
	return filepath.Join(append([]string{c.DataDir, "crio"}, elem...)...)
}

// Init checks the host binaries, writes CRI-O's files and validates its
// configuration the way crio does at start (Validate(true)). That also opens
// the node's image store and sets CRI-O's process-wide cgroup manager.
func (c *CRIO) Init(context.Context) error {
	if !filepath.IsAbs(c.DataDir) || !filepath.IsAbs(c.RunDir) {
		return fmt.Errorf("crio: data dir %q and run dir %q must be absolute paths", c.DataDir, c.RunDir)
	}
	if c.PinnsPath == "" {
		p, err := installPinns(filepath.Join(c.DataDir, "bin"))
		if err != nil {
			return err
		}
		c.PinnsPath = p
	}
	if err := CheckHost(c.RuntimePath, c.ConmonPath, c.CNIPluginDirs); err != nil {
		return err
	}
	if err := checkExecutable(c.PinnsPath); err != nil {
		return err
	}
	pullTmp := images.SystemContext(images.StoreOptions(c.DataDir, c.RunDir).GraphRoot).BigFilesTemporaryDir
	for _, dir := range []string{c.crioRun(), c.crioData(), pullTmp} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("crio: %w", err)
		}
	}
	policy := c.crioData("policy.json")
	if err := os.WriteFile(policy, []byte(images.PolicyJSON), 0o600); err != nil {
		return fmt.Errorf("crio: write signature policy: %w", err)
	}
	cfg, err := c.buildConfig(policy)
	if err != nil {
		return err
	}
	reg, err := registries.Write(c.crioRun("registries"), c.Registries)
	if err != nil {
		return fmt.Errorf("crio: %w", err)
	}
	useRegistries(cfg, reg)
	// Validate configures the process-wide CDI cache, which by default
	// watches its spec dirs with an inotify instance of its own. There are
	// none (buildConfig), so make the cache without a watcher first: one
	// inotify instance fewer (fs.inotify.max_user_instances is per user).
	if err := cdi.Configure(cdi.WithAutoRefresh(false)); err != nil {
		return fmt.Errorf("crio: CDI: %w", err)
	}
	if err := cfg.Validate(true); err != nil {
		return fmt.Errorf("crio: invalid configuration: %w", err)
	}
	// Validate opened the image store, whose overlay driver bind-mounts
	// its home (DataDir/storage/overlay) onto itself. Init starts nothing:
	// release the store, so that a start failing before Start leaves no
	// mount behind; Start opens it again. While containers that a
	// previous run left running (KeepPods) use layers, the store stays.
	if store, err := cfg.GetStore(); err == nil {
		releaseStore(store)
	}
	// SIGHUP makes CRI-O reload its configuration from its config file, or
	// from built-in defaults when it has none (which would, among others,
	// put back the registry pause image). Give it a file with exactly this
	// configuration so a reload changes nothing.
	conf := c.crioRun("crio.conf")
	if err := cfg.ToFile(conf); err != nil {
		return fmt.Errorf("crio: write %s: %w", conf, err)
	}
	cfg.SetSingleConfigPath(conf)
	c.mu.Lock()
	c.config = cfg
	c.mu.Unlock()
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// buildConfig is CRI-O's default configuration with every path moved into
// the node's dirs, so that nodes can run side by side on one machine and
// nothing is written under /etc, /var/lib/crio or /var/run/crio.
func (c *CRIO) buildConfig(policy string) (*libconfig.Config, error) {
	cfg, err := libconfig.DefaultConfig()
	if err != nil {
		return nil, fmt.Errorf("crio: default configuration: %w", err)
	}
	store := images.StoreOptions(c.DataDir, c.RunDir)
	cfg.Root = store.GraphRoot
	cfg.RunRoot = store.RunRoot
	cfg.Storage = store.GraphDriverName
	cfg.StorageOptions = store.GraphDriverOptions
	cfg.LogDir = orDefault(c.LogDir, c.crioData("pods"))
	// The level is process-wide (SetupProcess); CRI-O's copy only matters
	// for a SIGHUP reload, which must keep it.
	cfg.LogLevel = logrus.GetLevel().String()
	cfg.VersionFile = c.crioRun("version")
	cfg.VersionFilePersist = c.crioData("version")
	cfg.CleanShutdownFile = c.crioData("clean.shutdown")
	// CRI-O's default wipes containers after a reboot and images after an
	// upgrade (by its version files). The node restarts often (systemd
	// restarts the whole process) and images may be imported by hand: never.
	cfg.InternalWipe = false

	cfg.Listen = c.Socket()
	// The streaming server (exec, attach, port-forward) listens on loopback
	// at a random port; the kubelet proxies to it.
	cfg.StreamAddress = "127.0.0.1"
	cfg.StreamPort = "0"
	cfg.EnableMetrics = false
	cfg.EnableTracing = false

	// Runtime: runc from the host, monitored by the host's conmon.
	cfg.CgroupManagerName = "cgroupfs"
	cfg.DefaultRuntime = "runc"
	cfg.Runtimes = libconfig.Runtimes{"runc": &libconfig.RuntimeHandler{
		RuntimePath: c.RuntimePath,
		RuntimeType: libconfig.DefaultRuntimeType,
		RuntimeRoot: c.crioRun("runc"),
		MonitorPath: c.ConmonPath,
		// cgroupfs: conmon stays in kubenode's cgroup unless the pod
		// asks for CPU limits on it ("" is the only valid value besides "pod").
		MonitorCgroup: "",
		MonitorEnv:    []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
	}}
	cfg.PinnsPath = c.PinnsPath
	cfg.NamespacesDir = c.crioRun("ns")
	cfg.ContainerExitsDir = c.crioRun("exits")
	cfg.ContainerAttachSocketDir = c.crioRun()
	// OCI hooks and CDI devices are host configuration kubenode does not
	// manage; without dirs, CRI-O neither reads nor creates them.
	cfg.HooksDir = nil
	cfg.CDISpecDirs = nil
	// NRI would listen on /var/run/nri/nri.sock.
	cfg.NRI.Enabled = false
	// Only meaningful with irqbalance tuning; the default restores a file
	// under /etc/sysconfig at start.
	cfg.IrqBalanceConfigRestoreFile = "disable"
	cfg.EnableCriuSupport = false

	// Images: the node's signature policy, CRI-O's own dirs under DataDir.
	cfg.PauseImage = images.PauseImage
	cfg.SignaturePolicyPath = policy
	cfg.SignaturePolicyDir = c.crioData("policies")
	cfg.NamespacedAuthDir = c.crioData("auth")
	// Pulls stage big files and keep their blob info cache with the
	// node's store, as imports do, not in /var/tmp and the machine-wide
	// /var/lib/containers/cache.
	sys := images.SystemContext(store.GraphRoot)
	cfg.BigFilesTemporaryDir = sys.BigFilesTemporaryDir
	cfg.SystemContext.BigFilesTemporaryDir = sys.BigFilesTemporaryDir
	cfg.SystemContext.BlobInfoCacheDir = sys.BlobInfoCacheDir

	cfg.NetworkDir = orDefault(c.CNIConfigDir, c.crioRun("cni", "net.d"))
	// libcni keeps each attachment in its cache and, at CRI-O's start,
	// garbage-collects every cached attachment of the network that is not
	// one of this node's pods: with the machine-wide /var/lib/cni, that
	// tears down the pods of every other node on the host. The cache is a
	// package variable that CRI-O never sets, so each node gets its own.
	libcni.CacheDir = c.crioRun("cni", "cache")
	cfg.PluginDirs = c.CNIPluginDirs
	return cfg, nil
}

// useRegistries points CRI-O's pulls at the node's registry files, and
// only at them: the machine's /etc/containers, /etc/docker/certs.d and
// ~/.docker/config.json play no part.
func useRegistries(cfg *libconfig.Config, f registries.Files) {
	cfg.GlobalAuthFile = f.AuthFile() // server.New copies it into the SystemContext
	sys := cfg.SystemContext
	sys.SystemRegistriesConfPath = f.Conf()
	sys.SystemRegistriesConfDirPath = f.ConfDir()
	sys.DockerPerHostCertDirPath = f.CertsDir()
	sys.AuthFilePath = f.AuthFile()
	sys.RegistriesDirPath = f.RegistriesDir()
	sys.UserShortNameAliasConfPath = f.ShortNameAliases()
}

// Start follows crio's own main (cmd/crio/main.go of v1.36.3): ensure the
// pause image, listen, create the server, register the CRI services, start
// the exit and hook monitors, serve.
func (c *CRIO) Start(ctx context.Context) (err error) {
	c.mu.Lock()
	cfg, already := c.config, c.started != nil
	c.mu.Unlock()
	if cfg == nil {
		return errors.New("crio: Start before Init")
	}
	if already {
		return errors.New("crio: already started")
	}
	// From here on a logrus.Fatal of CRI-O's is this instance's.
	fatalCh, unwatch := fatals.Watch()
	defer func() {
		if err != nil {
			unwatch()
		}
	}()
	undo := []func(){}
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()

	if c.CNI != nil {
		if err := c.CNI.write(cfg.NetworkDir); err != nil {
			return err
		}
	}
	pruneAttachLinks(c.crioRun())

	store, err := images.OpenStore(c.DataDir, c.RunDir)
	if err != nil {
		return fmt.Errorf("crio: %w", err)
	}
	undo = append(undo, func() { releaseStore(store) })
	if _, err := images.EnsurePause(ctx, store); err != nil {
		return fmt.Errorf("crio: %w", err)
	}
	if c.ImagesDir != "" {
		// A bad archive must not keep the node down: it is named in the
		// log, the others are imported, and `kubenode images import`
		// reports the same error interactively.
		names, err := images.ImportDir(ctx, store, c.ImagesDir)
		if err != nil {
			klog.ErrorS(err, "Importing images at start", "dir", c.ImagesDir)
		}
		// No registry gives these back: pinned, the kubelet's image
		// garbage collection never deletes them (it deleted every one on
		// a disk above its 85 % threshold).
		cfg.PinnedImages = append(cfg.PinnedImages, names...)
	}

	lis, err := server.Listen("unix", cfg.Listen)
	if err != nil {
		return fmt.Errorf("crio: listen on %s: %w", cfg.Listen, err)
	}
	undo = append(undo, func() { lis.Close() })
	if err := os.Chmod(cfg.Listen, 0o600); err != nil {
		return fmt.Errorf("crio: restrict socket: %w", err)
	}

	if err := registerMetrics(ctx, cfg); err != nil {
		return fmt.Errorf("crio: metrics: %w", err)
	}
	unary := []grpc.UnaryServerInterceptor{recoverUnary, recordOperation}
	if !hugetlbUsable() {
		klog.InfoS("hugetlb cgroup controller not mounted: dropping hugepage limits from container specs")
		unary = append(unary, dropHugetlbLimits)
	}
	grpcServer := grpc.NewServer(
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(recoverStream),
		grpc.MaxSendMsgSize(cfg.GRPCMaxSendMsgSize),
		grpc.MaxRecvMsgSize(cfg.GRPCMaxRecvMsgSize),
	)

	// CRI-O's context lives until Stop, not until the supervisor's ctx ends:
	// the supervisor stops components in reverse order.
	crioCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	undo = append(undo, cancel)
	crioServer, err := server.New(crioCtx, cfg)
	if err != nil {
		return fmt.Errorf("crio: %w", err)
	}
	undo = append(undo, func() {
		_ = crioServer.StopStreamServer()
		crioServer.StopMonitors()
		_ = crioServer.Shutdown(crioCtx)
	})

	// crio clears the marker at start and writes it again after a clean
	// Shutdown; InternalRepair checks the store when it is missing.
	if err := os.Remove(cfg.CleanShutdownFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("crio: %w", err)
	}
	f, err := os.Create(cfg.CleanShutdownSupportedFileName())
	if err != nil {
		return fmt.Errorf("crio: %w", err)
	}
	f.Close()

	metrics.Instance().MetricDefaultRuntimeSet(cfg.DefaultRuntime)
	// Containers are created Volatile: an unclean stop may leave layers
	// nobody references.
	if err := crioServer.Store().GarbageCollect(); err != nil {
		logWarn("crio: garbage collection of old container leftovers failed: %v", err)
	}

	runtimeapi.RegisterRuntimeServiceServer(grpcServer, crioServer)
	runtimeapi.RegisterImageServiceServer(grpcServer, crioServer)

	exitMonitorDone := make(chan struct{})
	go func() {
		defer close(exitMonitorDone)
		crioServer.StartExitMonitor(crioCtx)
	}()
	hookSync := make(chan error, 2)
	// The monitor reloads hooks when their dirs change; without dirs it
	// would only hold an inotify instance.
	if crioServer.Hooks != nil && len(cfg.HooksDir) > 0 {
		go crioServer.Hooks.Monitor(crioCtx, hookSync)
		if err := <-hookSync; err != nil {
			return fmt.Errorf("crio: hooks monitor: %w", err)
		}
	}

	r := &running{grpc: grpcServer, crio: crioServer, cancel: cancel, stop: make(chan struct{}), podsStopped: make(chan struct{})}
	serveDone := make(chan error, 1)
	go func() { serveDone <- grpcServer.Serve(lis) }()

	r.exited = supervisor.Go(func() error {
		defer unwatch()
		var cause error
		select {
		case <-r.stop:
		case err := <-serveDone:
			cause = fmt.Errorf("crio: gRPC server ended: %w", err)
			serveDone <- nil // for the wait below
		case <-crioServer.StreamingServerCloseChan():
			cause = errors.New("crio: streaming server ended")
		case err := <-fatalCh:
			cause = fmt.Errorf("crio: fatal: %w", err)
		}
		errs := []error{cause}
		if cause == nil && !c.keepPods() {
			c.StopPods() // already under way when the node stops in order
			// Close the CRI socket so a kubelet still syncing cannot
			// start anything new, then stop what started meanwhile.
			grpcServer.Stop()
			<-r.podsStopped
			errs = append(errs, r.podsErr, stopPods(context.Background(), crioServer))
		}
		// crio's order on SIGTERM (catchShutdown).
		stopped := make(chan struct{})
		go func() { grpcServer.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			// Open streams (the kubelet's GetContainerEvents) keep
			// GracefulStop waiting forever.
			grpcServer.Stop()
			<-stopped
		}
		if err := crioServer.StopStreamServer(); err != nil {
			errs = append(errs, fmt.Errorf("crio: stop streaming server: %w", err))
		}
		crioServer.StopMonitors()
		cancel()
		if err := crioServer.Shutdown(context.WithoutCancel(crioCtx)); err != nil {
			errs = append(errs, fmt.Errorf("crio: shutdown: %w", err))
		}
		<-exitMonitorDone
		<-serveDone
		return errors.Join(errs...)
	})

	c.mu.Lock()
	c.started = r
	c.mu.Unlock()
	return nil
}

// Ready asks the socket, as the kubelet will, for the runtime status.
// NetworkReady is not required: the kubelet reports it on the Node, and
// hostNetwork pods (and the CNI setup itself) run without it.
func (c *CRIO) Ready(ctx context.Context) error {
	conn, err := grpc.NewClient("unix://"+c.Socket(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("crio: %w", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := runtimeapi.NewRuntimeServiceClient(conn).Status(ctx, &runtimeapi.StatusRequest{})
	if err != nil {
		return fmt.Errorf("crio: runtime status: %w", err)
	}
	for _, cond := range st.GetStatus().GetConditions() {
		if cond.Type == runtimeapi.RuntimeReady && !cond.Status {
			return fmt.Errorf("crio: runtime not ready: %s: %s", cond.Reason, cond.Message)
		}
	}
	return nil
}

func (c *CRIO) Exited() <-chan error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started == nil {
		return nil
	}
	return c.started.exited
}

// Stop shuts CRI-O down the way crio does on SIGTERM, after stopping every
// pod sandbox unless KeepPods is set (then containers keep running under
// their conmon and the next start restores them).
func (c *CRIO) Stop(ctx context.Context) error {
	c.mu.Lock()
	r := c.started
	c.mu.Unlock()
	if r == nil {
		return nil
	}
	r.once.Do(func() { close(r.stop) })
	select {
	case err := <-r.exited:
		return err
	case <-ctx.Done():
		return fmt.Errorf("crio: not stopped in time: %w", ctx.Err())
	}
}

func recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = status.Errorf(codes.Internal, "crio: panic in %s: %v", info.FullMethod, r)
			// CRI-O may hold locks now: stop the node (fail fast).
			reportFatal(fmt.Errorf("panic in %s: %v\n\n%s", info.FullMethod, r, debug.Stack()))
		}
	}()
	return handler(ctx, req)
}

func recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = status.Errorf(codes.Internal, "crio: panic in %s: %v", info.FullMethod, r)
			// CRI-O may hold locks now: stop the node (fail fast).
			reportFatal(fmt.Errorf("panic in %s: %v\n\n%s", info.FullMethod, r, debug.Stack()))
		}
	}()
	return handler(srv, ss)
}

// stopGrace is how long a container gets between SIGTERM and SIGKILL when
// the node stops; the node's whole stop budget is 10s.
const stopGrace = 4 // seconds

// stopPods stops every pod, as a reboot would: containers get SIGTERM,
// SIGKILL after stopGrace, then the sandboxes stop and their conmon exits.
// The kubelet starts them again on the next start. Sandboxes stay (stopped),
// so their logs stay until the kubelet collects them.
func stopPods(ctx context.Context, s *server.Server) error {
	ctx, cancel := context.WithTimeout(ctx, (stopGrace+3)*time.Second)
	defer cancel()
	var mu sync.Mutex
	var errs []error
	fail := func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }
	parallel := func(ids []string, fn func(id string) error) {
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := fn(id); err != nil {
					fail(err)
				}
			}()
		}
		wg.Wait()
	}
	ctrs, err := s.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{
		State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING}}})
	if err != nil {
		return fmt.Errorf("crio: list containers to stop: %w", err)
	}
	var ids []string
	for _, c := range ctrs.GetContainers() {
		ids = append(ids, c.GetId())
	}
	parallel(ids, func(id string) error {
		_, err := s.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: id, Timeout: stopGrace})
		if err != nil {
			return fmt.Errorf("crio: stop container %.12s: %w", id, err)
		}
		return nil
	})
	pods, err := s.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{
		State: &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY}}})
	if err != nil {
		return fmt.Errorf("crio: list pods to stop: %w", err)
	}
	ids = ids[:0]
	for _, p := range pods.GetItems() {
		ids = append(ids, p.GetId())
	}
	parallel(ids, func(id string) error {
		if _, err := s.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id}); err != nil {
			return fmt.Errorf("crio: stop pod %.12s: %w", id, err)
		}
		return nil
	})
	return errors.Join(errs...)
}

// releaseStore shuts the image store down, which unmounts the overlay
// driver's home unless a layer is mounted (a container runs).
func releaseStore(store storage.Store) {
	if _, err := store.Shutdown(false); err != nil && !errors.Is(err, storage.ErrLayerUsedByContainer) {
		logWarn("crio: release the image store: %v", err)
	}
}

// pruneAttachLinks removes attach symlinks (RunDir/crio/<container id>)
// whose container is gone; conmon leaves them behind.
func pruneAttachLinks(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Type()&os.ModeSymlink == 0 {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(p)
		}
	}
}

// checkExecutable names the Debian package that provides a missing host
// binary, before CRI-O fails on it at the first pod.
func checkExecutable(path string) error {
	st, err := os.Stat(path)
	if err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return nil
	}
	pkg := map[string]string{"runc": "runc", "conmon": "conmon"}[filepath.Base(path)]
	if pkg == "" {
		return fmt.Errorf("crio: %s is missing or not executable", path)
	}
	return fmt.Errorf("crio: %s is missing or not executable: install it with `apt-get install %s` (or run `kubenode check`)", path, pkg)
}

// CNIPlugins are the plugins the pod network uses (loopback for every pod).
var CNIPlugins = []string{"bridge", "host-local", "portmap", "loopback"}

// CheckHost checks the host binaries CRI-O execs, naming the package that
// provides a missing one.
func CheckHost(runc, conmon string, cniPluginDirs []string) error {
	for _, bin := range []string{runc, conmon} {
		if err := checkExecutable(bin); err != nil {
			return err
		}
	}
	return checkCNIPlugins(cniPluginDirs)
}

func checkCNIPlugins(dirs []string) error {
	for _, name := range CNIPlugins {
		found := false
		for _, d := range dirs {
			if checkExecutable(filepath.Join(d, name)) == nil {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("crio: CNI plugin %q not found in %v: install it with `apt-get install containernetworking-plugins` (or run `kubenode check`)", name, dirs)
		}
	}
	return nil
}
