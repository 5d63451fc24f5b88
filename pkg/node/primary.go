// Package node is the one place that knows the whole list of components:
// it checks the host, makes the PKI and wires components into the
// supervisor in start order.
package node

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubenode/kubenode/pkg/check"
	"github.com/kubenode/kubenode/pkg/components/addons"
	"github.com/kubenode/kubenode/pkg/components/apiserver"
	"github.com/kubenode/kubenode/pkg/components/controllermanager"
	"github.com/kubenode/kubenode/pkg/components/crio"
	"github.com/kubenode/kubenode/pkg/components/csrapprover"
	"github.com/kubenode/kubenode/pkg/components/etcd"
	"github.com/kubenode/kubenode/pkg/components/kubelet"
	"github.com/kubenode/kubenode/pkg/components/metricsapi"
	"github.com/kubenode/kubenode/pkg/components/scheduler"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/controllers"
	"github.com/kubenode/kubenode/pkg/join"
	"github.com/kubenode/kubenode/pkg/localpv"
	"github.com/kubenode/kubenode/pkg/mesh"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/pki"
	"github.com/kubenode/kubenode/pkg/servicelb"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// RunPrimary runs a primary node until ctx ends or a component fails;
// notify reports readiness to systemd.
func RunPrimary(ctx context.Context, cfg *config.Config, log logr.Logger, notify func(string) error) error {
	log.Info("primary node", "name", cfg.NodeName, "index", cfg.NodeIndex, "nodeIPs", cfg.NodeIPs,
		"podCIDRs", cfg.NodeCIDRs(cfg.NodeIndex), "serviceCIDRs", cfg.ServiceCIDRs, "dataDir", cfg.DataDir)
	if err := checkVersions(cfg, log); err != nil {
		return err
	}
	if err := Preflight(cfg); err != nil {
		return err
	}
	if err := checkSpace(cfg.DataDir, etcd.MinFreeBytes, log); err != nil {
		return err
	}
	// New validates peers, keys and endpoints without touching the host,
	// so bad network input fails here, before anything is written.
	network, err := newNetwork(cfg, log)
	if err != nil {
		return err
	}
	// The whole plan against the host (this node's and the peers' subnets
	// against the host's networks too), before the PKI is written.
	if err := network.Check(ctx); err != nil {
		network.Release()
		return err
	}
	creds, err := ensurePKI(cfg, log)
	if err != nil {
		network.Release()
		return err
	}
	if err := recordVersions(cfg); err != nil {
		network.Release()
		return err
	}
	m := supervisor.New(supervisor.Options{Logger: log, Notify: notify})
	netPhase := newNetworkPhase(network, cfg.Runtime.KeepsPods(), log)
	m.Add(netPhase)
	rt, err := newRuntime(cfg, primaryCreds(cfg, creds), network, cfg.Runtime.PrimaryTaint == config.TaintAlways, log)
	if err != nil {
		network.Release()
		return err
	}
	store, apiServer, users := controlPlane(cfg, creds)
	m.Add(store)
	// CRI-O needs only the network, and the kubelet is the first that
	// needs it: it starts with the apiserver, whose start is the longest
	// of all, instead of before etcd (~0.3 s of a cold start, ~0.1 s of a
	// warm one). It stops before the apiserver, after the pod stopper.
	m.AddTogether(apiServer, rt.crio)
	meshC, err := rt.meshController(cfg, network, primaryTaintPolicy(cfg.Runtime.PrimaryTaint))
	if err != nil {
		network.Release()
		return err
	}
	// The host starts with the kubelet, which needs the approver for its
	// serving certificate (its CSR waits until the approver's informer
	// has it); the mesh's gate waits for the kubelet's Node to carry the
	// mesh annotations.
	host := &controllers.Host{
		Kubeconfigs: map[controllers.Identity]string{
			controllers.NodeIdentity:  kubeletKubeconfig(cfg),
			controllers.AdminIdentity: cfg.AdminKubeconfig(),
		},
		Log: log.WithValues("component", "controllers"),
	}
	approver := &csrapprover.Approver{Config: cfg}
	host.Add(approver, approver.Options())
	host.Add(meshC, meshC.Options())
	lbNodes, err := labels.Parse(cfg.LoadBalancer.NodeSelector)
	if err != nil {
		network.Release()
		return err
	}
	lb := &servicelb.Controller{Nodes: lbNodes, Reserved: []servicelb.Port{
		{Port: int32(cfg.APIPort), Protocol: corev1.ProtocolTCP, What: "the Kubernetes API"},
		{Port: kubelet.Port, Protocol: corev1.ProtocolTCP, What: "the kubelet"},
		{Port: metricsapi.Port, Protocol: corev1.ProtocolTCP, What: "the metrics API"},
		{Port: MetricsPort, Protocol: corev1.ProtocolTCP, What: "the node's metrics"},
		{Port: int32(cfg.Network.WireGuardPort), Protocol: corev1.ProtocolUDP, What: "WireGuard"},
	}}
	host.Add(lb, controllers.Options{})
	if cfg.Etcd.SnapshotInterval > 0 {
		snaps := &etcd.SnapshotScheduler{Socket: cfg.EtcdSocket(), Dir: cfg.SnapshotDir(), Interval: cfg.Etcd.SnapshotInterval,
			Retain: cfg.Etcd.SnapshotRetain, Log: log.WithValues("component", "etcd-snapshots")}
		host.Add(snaps, snaps.Options())
	}
	host.AddRunnable(metricsAPI(cfg, creds, log))
	host.AddRunnable(&localpv.Provisioner{NodeName: cfg.NodeName, LocalPath: cfg.Storage.LocalPath,
		Log: log.WithValues("component", "local-volumes")})
	rt.addAgents(m, append(users, host)...)
	m.Add(newNodeMetrics(cfg, true, rt.kubelet, network, m.Status, log))
	m.Add(host.Gate(meshC.Name()))
	m.Add(&joinHint{cfg: cfg, kubeconfig: cfg.AdminKubeconfig(), log: log.WithValues("component", "join-hint")})
	m.Add(nodeCertificates(cfg, true))
	server, _ := join.ServerURL(cfg)
	ctx, shut := newShutdowner(ctx, rt.crio, netPhase, log)
	stopStatus, err := serveStatus(StatusSocket(cfg), func() Status {
		return Status{Role: "primary", NodeName: cfg.NodeName, Index: cfg.NodeIndex, Server: server,
			Kubeconfig: cfg.AdminKubeconfig(), Components: m.Status(), Peers: meshC.Members(),
			NetworkPeers: network.Peers()}
	}, shut.request)
	if err != nil {
		network.Release()
		return err
	}
	defer stopStatus()
	return shut.result(m.Run(ctx))
}

// primaryTaintPolicy is runtime.primaryTaint as the mesh controller keeps
// it. The kubelet registers with the taint only when the Node is created;
// the controller makes a changed setting take effect on an existing Node,
// both ways.
func primaryTaintPolicy(setting string) mesh.TaintPolicy {
	switch setting {
	case config.TaintAlways:
		return mesh.TaintAlways
	case config.TaintNever:
		return mesh.TaintNever
	}
	return mesh.TaintWhileOthers
}

// Preflight checks what would otherwise fail halfway through start, before
// anything is written.
func Preflight(cfg *config.Config) error {
	if err := preflightNode(cfg); err != nil {
		return err
	}
	l, err := net.Listen("tcp", net.JoinHostPort(bindAddress(cfg), strconv.Itoa(cfg.APIPort)))
	if err != nil {
		return check.PreflightAPIPort.Errorf("api port %d is not free (%v): stop what listens there (ss -ltnp 'sport = :%d') or set apiPort in the config", cfg.APIPort, err, cfg.APIPort)
	}
	l.Close()
	addr := net.JoinHostPort(primaryAddress(cfg).String(), strconv.Itoa(metricsapi.Port))
	if l, err = net.Listen("tcp", addr); err != nil {
		return check.PreflightPorts.Errorf("port %d (the metrics API) is not free on %s (%v): stop what listens there (ss -ltnp 'sport = :%d')", metricsapi.Port, primaryAddress(cfg), err, metricsapi.Port)
	}
	return l.Close()
}

// preflightNode checks what every node (primary or worker) needs.
func preflightNode(cfg *config.Config) error {
	for _, dir := range []string{cfg.DataDir, cfg.RunDir} {
		if err := checkWritable(dir); err != nil {
			return check.PreflightDirs.Err(err)
		}
	}
	if err := checkNodePorts(cfg); err != nil {
		return check.PreflightPorts.Err(err)
	}
	if err := crio.CheckHost(cfg.Runtime.RuncPath, cfg.Runtime.ConmonPath, cniPluginDirs(cfg)); err != nil {
		return check.PreflightRuntime.Err(err)
	}
	// The host facts the network phase needs (underlay, MTU, WireGuard
	// port), so that a bad one fails here and not after the node's state
	// (or a worker's join) is written.
	return check.PreflightNetwork.Err(netsetup.CheckHost(context.Background(), cfg))
}

// checkWritable finds the nearest existing ancestor of dir and checks that
// a file can be made there, without creating dir itself.
func checkWritable(dir string) error {
	p := dir
	for {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s is not a directory: pass a directory (--data-dir/--run-dir)", p)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) || filepath.Dir(p) == p {
			return fmt.Errorf("%s: %w", dir, err)
		}
		p = filepath.Dir(p)
	}
	f, err := os.CreateTemp(p, ".kubenode-write-test-*")
	if err != nil {
		return fmt.Errorf("%s is not writable (%v): run as root or choose another directory (--data-dir/--run-dir)", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func bindAddress(cfg *config.Config) string {
	if cfg.IPFamily == config.IPv4Only {
		return "0.0.0.0"
	}
	return "::"
}

// primaryAddress is the node IP of the cluster's primary family, the one
// the kubernetes Service points at, the API's and the WireGuard endpoint's
// address. It is always a node IP, never a brkube address: other nodes
// reach this one over the underlay (config.Resolve puts the Service range
// of the node IPs' family first).
func primaryAddress(cfg *config.Config) netip.Addr {
	want4 := cfg.ServiceCIDRs[0].Addr().Is4()
	for _, a := range cfg.NodeIPs {
		if a.Is4() == want4 {
			return a
		}
	}
	return cfg.NodeIPs[0]
}

// credentials are the files and clients the control plane is wired with.
type credentials struct {
	store, front, kubeletServing          *pki.Store
	ca                                    *pki.CA
	schedulerKubeconfig, controllerConfig string
	saKey, saPub                          string
	generated                             []byte // more built-in objects, see addons.Addons
	probe                                 *http.Client
	changed                               []string // "name: what", this start
}

func ensurePKI(cfg *config.Config, log logr.Logger) (*credentials, error) {
	return ensurePKIWith(cfg, log, false)
}

// ensurePKIWith renews every leaf when renewAll (kubenode certs rotate).
func ensurePKIWith(cfg *config.Config, log logr.Logger, renewAll bool) (*credentials, error) {
	store, err := pki.Open(cfg.PKIDir())
	if err != nil {
		return nil, err
	}
	store.RenewAll = renewAll
	var changes []string
	note := func(name, file, changed string) {
		if changed != "" {
			log.Info("certificate "+changed, "name", name, "file", file)
			changes = append(changes, name+": "+changed)
		}
	}
	store.Logf = func(format string, args ...any) { log.Info(fmt.Sprintf(format, args...)) }
	ca, err := store.EnsureCA()
	if err != nil {
		return nil, err
	}
	loopback := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	apiIPs := append(config.IPs(cfg.APIServiceIPs()), config.IPs(cfg.NodeIPs)...)
	apiIPs = append(apiIPs, config.IPs(cfg.HostIPs())...)
	apiIPs = append(apiIPs, loopback...)
	svc := "kubernetes.default.svc"
	specs := []pki.CertSpec{
		{Name: "apiserver", CommonName: "kube-apiserver", Server: true, IPs: apiIPs,
			DNSNames: []string{cfg.APIName(), cfg.NodeName, "kubernetes", "kubernetes.default", svc, svc + "." + cfg.ClusterDomain, "localhost"}},
		{Name: "apiserver-kubelet-client", CommonName: "kube-apiserver-kubelet-client", Client: true},
		{Name: "admin", CommonName: "kubenode-admin", Organization: []string{"system:masters"}, Client: true},
		{Name: "kube-scheduler", CommonName: "system:kube-scheduler", Client: true, Server: true, IPs: loopback, DNSNames: []string{"localhost"}},
		{Name: "kube-controller-manager", CommonName: "system:kube-controller-manager", Client: true, Server: true, IPs: loopback, DNSNames: []string{"localhost"}},
		{Name: "kubelet-client-" + cfg.NodeName, CommonName: "system:node:" + cfg.NodeName, Organization: []string{"system:nodes"}, Client: true},
		{Name: "kube-proxy", CommonName: "system:kube-proxy", Client: true},
		{Name: "coredns", CommonName: CoreDNSUser, Client: true},
		// The metrics API's client certificate towards the apiserver and
		// the kubelets, and its serving certificate for the aggregator.
		{Name: "metrics-api", CommonName: metricsapi.User, Client: true, Server: true,
			IPs: config.IPs(cfg.NodeIPs), DNSNames: []string{metricsapi.ServiceHost}},
	}
	pairs := map[string]*pki.KeyPair{}
	for _, spec := range specs {
		kp, changed, err := store.EnsureCert(ca, spec)
		if err != nil {
			return nil, err
		}
		note(spec.Name, kp.CertFile, changed)
		pairs[spec.Name] = kp
	}
	if _, err := store.WriteChain(ca, pairs["apiserver"], "apiserver"); err != nil {
		return nil, err
	}
	front, err := pki.Open(filepath.Join(cfg.PKIDir(), "front-proxy"))
	if err != nil {
		return nil, err
	}
	front.CACommonName = "kubenode-front-proxy-ca"
	front.RenewAll = renewAll
	frontCA, err := front.EnsureCA()
	if err != nil {
		return nil, err
	}
	if kp, changed, err := front.EnsureCert(frontCA, pki.CertSpec{Name: "front-proxy-client", CommonName: apiserver.FrontProxyClientName, Client: true}); err != nil {
		return nil, err
	} else {
		note("front-proxy-client", kp.CertFile, changed)
	}
	// Kubelet serving certificates have a CA of their own (see
	// controllermanager.KubeletServingCAFile); the apiserver verifies
	// kubelets against it for logs, exec and port-forward.
	kubeletServing, err := pki.Open(filepath.Join(cfg.PKIDir(), "kubelet-serving"))
	if err != nil {
		return nil, err
	}
	kubeletServing.CACommonName = "kubenode-kubelet-serving-ca"
	kubeletServing.RenewAll = renewAll
	kubeletServingCA, err := kubeletServing.EnsureCA()
	if err != nil {
		return nil, err
	}
	if kp, changed, err := kubeletServing.EnsureCert(kubeletServingCA, pki.CertSpec{
		Name: "kubelet-serving-" + cfg.NodeName, CommonName: "system:node:" + cfg.NodeName, Organization: []string{"system:nodes"}, Server: true,
		DNSNames: []string{cfg.NodeName}, IPs: append(config.IPs(cfg.NodeIPs), config.IPs(cfg.HostIPs())...),
	}); err != nil {
		return nil, err
	} else {
		note("kubelet-serving-"+cfg.NodeName, kp.CertFile, changed)
	}
	saKey, saPub, err := store.EnsureServiceAccountKey()
	if err != nil {
		return nil, err
	}
	local := "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.APIPort))
	c := &credentials{
		store: store, front: front, kubeletServing: kubeletServing, ca: ca, saKey: saKey, saPub: saPub,
		changed:             changes,
		schedulerKubeconfig: filepath.Join(cfg.DataDir, "kube-scheduler.kubeconfig"),
		controllerConfig:    filepath.Join(cfg.DataDir, "kube-controller-manager.kubeconfig"),
	}
	admin := "https://" + net.JoinHostPort(primaryAddress(cfg).String(), strconv.Itoa(cfg.APIPort))
	for _, kc := range []struct {
		path, server, pair string
	}{
		{cfg.AdminKubeconfig(), admin, "admin"},
		{c.schedulerKubeconfig, local, "kube-scheduler"},
		{c.controllerConfig, local, "kube-controller-manager"},
		{kubeletKubeconfig(cfg), local, "kubelet-client-" + cfg.NodeName},
		{kubeProxyKubeconfig(cfg), local, "kube-proxy"},
		{coreDNSKubeconfig(cfg), local, "coredns"},
		{metricsAPIKubeconfig(cfg), local, "metrics-api"},
	} {
		if err := pki.WriteKubeconfig(kc.path, kc.server, ca.CertPEM, pairs[kc.pair], kc.pair); err != nil {
			return nil, err
		}
	}
	if c.generated, err = metricsapi.APIService(ca.CertPEM); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	adminPair := pairs["admin"]
	c.probe = &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{
			RootCAs:      pool,
			Certificates: []tls.Certificate{{Certificate: [][]byte{adminPair.Cert.Raw}, PrivateKey: adminPair.Key, Leaf: adminPair.Cert}},
			MinVersion:   tls.VersionTLS12,
		}},
	}
	return c, nil
}

// controlPlane returns the components that serve the API (etcd, and the
// apiserver, which needs it) and those that need only the API, which start
// together.
func controlPlane(cfg *config.Config, c *credentials) (store, apiServer supervisor.Component, users []supervisor.Component) {
	p := c.store.Path
	e := &etcd.Etcd{DataDir: cfg.EtcdDir(), Socket: cfg.EtcdSocket()}
	issuer := "https://" + net.JoinHostPort(cfg.APIName(), strconv.Itoa(cfg.APIPort))
	api := &apiserver.APIServer{
		Settings: apiserver.Settings{
			EtcdURL: e.ClientURL(),
			Files: apiserver.Files{
				CA: p("ca.crt"), Cert: p("apiserver-chain.crt"), Key: p("apiserver.key"),
				KubeletClientCert: p("apiserver-kubelet-client.crt"), KubeletClientKey: p("apiserver-kubelet-client.key"),
				KubeletServingCA:  c.kubeletServing.Path("ca.crt"),
				ServiceAccountPub: c.saPub, ServiceAccountKey: c.saKey,
				EncryptionConfig: p("encryption-config.yaml"),
				FrontProxyCA:     c.front.Path("ca.crt"),
				ProxyClientCert:  c.front.Path("front-proxy-client.crt"),
				ProxyClientKey:   c.front.Path("front-proxy-client.key"),
			},
			AdvertiseAddress: primaryAddress(cfg),
			BindAddress:      bindAddress(cfg),
			Port:             cfg.APIPort,
			ServiceCIDRs:     cfg.ServiceCIDRs,
			Issuer:           issuer,
		},
		Probe: c.probe,
	}
	controllerManager := &controllermanager.ControllerManager{
		Kubeconfig: c.controllerConfig,
		CertFile:   p("kube-controller-manager.crt"), KeyFile: p("kube-controller-manager.key"),
		CAFile: p("ca.crt"), CAKeyFile: p("ca.key"),
		KubeletServingCAFile: c.kubeletServing.Path("ca.crt"), KubeletServingCAKeyFile: c.kubeletServing.Path("ca.key"),
		ServiceAccountKey: c.saKey,
		Probe:             c.probe,
	}
	sched := &scheduler.Scheduler{
		Kubeconfig: c.schedulerKubeconfig,
		CertFile:   p("kube-scheduler.crt"), KeyFile: p("kube-scheduler.key"),
		Probe: c.probe,
	}
	return e, api, []supervisor.Component{
		controllerManager, sched,
		&addons.Addons{Kubeconfig: cfg.AdminKubeconfig(), ManifestsDir: cfg.ManifestsDir(), Generated: c.generated},
	}
}

func metricsAPIKubeconfig(cfg *config.Config) string {
	return filepath.Join(cfg.DataDir, "metrics-api.kubeconfig")
}

// metricsAPI serves metrics.k8s.io on the primary's node IP, where the
// apiserver's aggregator reaches it.
func metricsAPI(cfg *config.Config, c *credentials, log logr.Logger) *metricsapi.Server {
	p := c.store.Path
	return &metricsapi.Server{
		Kubeconfig: metricsAPIKubeconfig(cfg),
		CertFile:   p("metrics-api.crt"), KeyFile: p("metrics-api.key"),
		KubeletCAFile:    c.kubeletServing.Path("ca.crt"),
		FrontProxyCAFile: c.front.Path("ca.crt"),
		Address:          primaryAddress(cfg),
		NodeName:         cfg.NodeName,
		Log:              log.WithValues("component", "metrics-api"),
	}
}
