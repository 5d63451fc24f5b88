package node

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/controllers"
	"github.com/kubenode/kubenode/pkg/fsutil"
	"github.com/kubenode/kubenode/pkg/join"
	"github.com/kubenode/kubenode/pkg/localpv"
	"github.com/kubenode/kubenode/pkg/mesh"
	"github.com/kubenode/kubenode/pkg/pki"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// joinState is what a worker keeps of its join: enough to restart without
// the (expiring) token, with the same identity, index and keys.
type joinState struct {
	Server string `json:"server"`
	CAHash string `json:"caHash"`
	// ID names this host's join attempt; its index Lease carries it, so a
	// join interrupted after the Lease was made finds it again.
	ID    string `json:"id"`
	Index int    `json:"index,omitempty"`
}

func joinStateFile(dataDir string) string { return filepath.Join(dataDir, "join.json") }

func readJoinState(dataDir string) (*joinState, error) {
	data, err := os.ReadFile(joinStateFile(dataDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st joinState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w (remove it with `kubenode reset` and join again)", joinStateFile(dataDir), err)
	}
	return &st, nil
}

func writeJoinState(dataDir string, st *joinState) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(joinStateFile(dataDir), data, 0o600, 0o700)
}

// RunWorker joins the cluster named by token (first start) or rejoins it
// with the saved identity, then runs the node runtime until ctx ends.
func RunWorker(ctx context.Context, cfg *config.Config, token string, log logr.Logger, notify func(string) error) error {
	if err := checkVersions(cfg, log); err != nil {
		return err
	}
	if err := preflightNode(cfg); err != nil {
		return err
	}
	// No etcd here: CRI-O's images and the kubelet's eviction take care of
	// the rest, so only warn.
	if err := checkSpace(cfg.DataDir, 0, log); err != nil {
		return err
	}
	st, err := readJoinState(cfg.DataDir)
	if err != nil {
		return err
	}
	var tok join.Token
	if token != "" {
		if tok, err = join.Parse(token); err != nil {
			return err
		}
		if st != nil && (st.Server != tok.Server || st.CAHash != tok.CAHash) {
			return fmt.Errorf("this host already joined the cluster at %s (CA %s): run `kubenode reset` before joining another", st.Server, st.CAHash)
		}
		// A finished join keeps its identity: a new token would silently
		// do nothing, so say so (an interrupted one, index 0, goes on).
		if st != nil && st.Index != 0 {
			return fmt.Errorf("this host already joined the cluster at %s as %s; the token is not used: start it without --join (later starts need none), or to join again run `kubenode reset` first", st.Server, config.NodeNameOf(st.Index, cfg.ClusterDomain))
		}
	}
	if st == nil && token == "" {
		return errors.New("this host has not joined a cluster: pass --join TOKEN (`kubenode token create` on the primary prints one)")
	}
	if st == nil || st.Index == 0 {
		if st, err = firstJoin(ctx, cfg, tok, st, log); err != nil {
			return err
		}
	}
	if err := recordVersions(cfg); err != nil {
		return err
	}
	skewCreds := kubeletKubeconfig(cfg)
	if _, err := os.Stat(filepath.Join(cfg.KubeletRootDir(), "pki", "kubelet-client-current.pem")); err != nil {
		skewCreds = bootstrapKubeconfig(cfg)
	}
	if client, err := clientFor(skewCreds); err == nil {
		if err := checkSkew(ctx, client, log); err != nil {
			return err
		}
	}
	cfg = cfg.WithIndex(st.Index)
	store, err := pki.Open(cfg.PKIDir())
	if err != nil {
		return err
	}
	log.Info("worker node", "name", cfg.NodeName, "index", cfg.NodeIndex, "nodeIPs", cfg.NodeIPs, "podCIDRs", cfg.NodeCIDRs(cfg.NodeIndex), "server", st.Server)

	network, err := newNetwork(cfg, log)
	if err != nil {
		return err
	}
	// Everything after the kubelet uses the kubelet's own client
	// certificate, which it bootstraps and renews.
	nodeCreds := filepath.Join(cfg.KubeletRootDir(), "pki", "kubelet-client-current.pem")
	for _, path := range []string{kubeProxyKubeconfig(cfg), coreDNSKubeconfig(cfg)} {
		if err := writeCertKubeconfig(path, st.Server, store.Path("ca.crt"), nodeCreds); err != nil {
			network.Release()
			return err
		}
	}
	creds := runtimeCreds{
		kubelet: kubeletKubeconfig(cfg), bootstrap: bootstrapKubeconfig(cfg),
		kubeProxy: kubeProxyKubeconfig(cfg), coreDNS: coreDNSKubeconfig(cfg),
		caFile: store.Path("ca.crt"),
	}
	rt, err := newRuntime(cfg, creds, network, false, log)
	if err != nil {
		network.Release()
		return err
	}
	m := supervisor.New(supervisor.Options{Logger: log, Notify: notify})
	netPhase := newNetworkPhase(network, cfg.Runtime.KeepsPods(), log)
	m.Add(netPhase)
	m.Add(rt.crio)
	rt.addAgents(m)
	m.Add(newNodeMetrics(cfg, false, rt.kubelet, network, m.Status, log))
	meshC, err := rt.meshController(cfg, network, mesh.TaintUnmanaged)
	if err != nil {
		network.Release()
		return err
	}
	// After the kubelet: the node's credentials exist only once it has
	// bootstrapped them.
	host := &controllers.Host{
		Kubeconfigs: map[controllers.Identity]string{controllers.NodeIdentity: kubeletKubeconfig(cfg)},
		Log:         log.WithValues("component", "controllers"),
	}
	host.Add(meshC, meshC.Options())
	host.AddRunnable(&localpv.Provisioner{NodeName: cfg.NodeName, LocalPath: cfg.Storage.LocalPath,
		Log: log.WithValues("component", "local-volumes")})
	m.Add(host)
	m.Add(host.Gate(meshC.Name()))
	m.Add(nodeCertificates(cfg, false))
	ctx, shut := newShutdowner(ctx, rt.crio, netPhase, log)
	stopStatus, err := serveStatus(StatusSocket(cfg), func() Status {
		return Status{Role: "worker", NodeName: cfg.NodeName, Index: cfg.NodeIndex, Server: st.Server,
			Kubeconfig: kubeletKubeconfig(cfg), Components: m.Status(), Peers: meshC.Members(),
			NetworkPeers: network.Peers()}
	}, shut.request)
	if err != nil {
		network.Release()
		return err
	}
	defer stopStatus()
	return shut.result(m.Run(ctx))
}

func bootstrapKubeconfig(cfg *config.Config) string {
	return filepath.Join(cfg.DataDir, "bootstrap.kubeconfig")
}

func writeBootstrapKubeconfig(path, server, caFile, token string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["kubenode"] = &clientcmdapi.Cluster{Server: server, CertificateAuthority: caFile}
	kc.AuthInfos["bootstrap"] = &clientcmdapi.AuthInfo{Token: token}
	kc.Contexts["bootstrap"] = &clientcmdapi.Context{Cluster: "kubenode", AuthInfo: "bootstrap"}
	kc.CurrentContext = "bootstrap"
	return writeKubeconfig(path, kc)
}

// writeCertKubeconfig points at a certificate+key file the kubelet
// rotates, so clients pick up renewals on restart.
func writeCertKubeconfig(path, server, caFile, pairFile string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["kubenode"] = &clientcmdapi.Cluster{Server: server, CertificateAuthority: caFile}
	kc.AuthInfos["node"] = &clientcmdapi.AuthInfo{ClientCertificate: pairFile, ClientKey: pairFile}
	kc.Contexts["node"] = &clientcmdapi.Context{Cluster: "kubenode", AuthInfo: "node"}
	kc.CurrentContext = "node"
	return writeKubeconfig(path, kc)
}

func writeKubeconfig(path string, kc *clientcmdapi.Config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

// firstJoin pins the CA, takes this token for this host, allocates the
// node index and writes the kubelet's bootstrap kubeconfig. On failure it
// removes what it wrote, so a failed join leaves nothing half-joined.
func firstJoin(ctx context.Context, cfg *config.Config, tok join.Token, st *joinState, log logr.Logger) (_ *joinState, err error) {
	_, statErr := os.Stat(cfg.DataDir)
	createdDataDir := errors.Is(statErr, os.ErrNotExist)
	store, err := pki.Open(cfg.PKIDir())
	if err != nil {
		return nil, err
	}
	// Once the join request is filed, the primary may have taken the
	// single-use token for this join ID: a failure after that keeps the ID
	// (join.json, index 0) and the CA, so that running the same command
	// again resumes the join instead of being refused as another host.
	filed := false
	defer func() {
		if err == nil {
			return
		}
		if filed {
			os.Remove(bootstrapKubeconfig(cfg))
			err = fmt.Errorf("%w\n(the join request %s was filed: run the same command again to resume this join, or `kubenode reset` to give it up)", err, join.RequestPrefix+st.ID)
			return
		}
		if createdDataDir {
			os.RemoveAll(cfg.DataDir)
			return
		}
		for _, f := range []string{joinStateFile(cfg.DataDir), store.Path("ca.crt"), bootstrapKubeconfig(cfg)} {
			os.Remove(f)
		}
	}()
	if st == nil {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		st = &joinState{Server: tok.Server, CAHash: tok.CAHash, ID: hex.EncodeToString(b)}
	}
	var ca *x509.Certificate
	wait := join.NewWaiter(log)
	if err := wait.Retry(ctx, "reach the primary's API", func() (err error) {
		ca, err = join.FetchCA(ctx, tok.Server, tok.CAHash)
		return err
	}); err != nil {
		return nil, err
	}
	if err := store.WriteCACert(join.CAPEM(ca)); err != nil {
		return nil, err
	}
	if err := moveAsideForeignKubeletCerts(cfg, ca, log); err != nil {
		return nil, err
	}
	if err := writeJoinState(cfg.DataDir, st); err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(&rest.Config{
		Host: tok.Server, BearerToken: tok.BootstrapToken,
		TLSClientConfig: rest.TLSClientConfig{CAFile: store.Path("ca.crt")},
	})
	if err != nil {
		return nil, err
	}
	// Before the join request: a worker the primary must not run takes
	// no token.
	if err := checkSkew(ctx, client, log); err != nil {
		return nil, err
	}
	want := cfg.NodeIndex
	if want == 1 {
		want = 0 // the default: any free index; 1 is the primary's
	}
	if st.Index, err = join.RequestJoin(ctx, client, tok.ID(), join.Request{JoinID: st.ID, NodeIPs: cfg.NodeIPs, Index: want}, wait, &filed); err != nil {
		return nil, err
	}
	if err := writeJoinState(cfg.DataDir, st); err != nil {
		return nil, err
	}
	if err := writeBootstrapKubeconfig(bootstrapKubeconfig(cfg), st.Server, store.Path("ca.crt"), tok.BootstrapToken); err != nil {
		return nil, err
	}
	log.Info("joined", "server", st.Server, "index", st.Index)
	return st, nil
}

// ResetJoin removes a worker's join state and credentials (so the host can
// join again, possibly another cluster) and returns what it did. First it
// deletes the worker's Node with the node's own credentials, so the
// primary frees its index; when it cannot, it says what to run on the
// primary instead.
func ResetJoin(ctx context.Context, cfg *config.Config) ([]string, error) {
	st, err := readJoinState(cfg.DataDir)
	if st == nil {
		return nil, err
	}
	var done []string
	if left := leaveCluster(ctx, cfg, st); left != "" {
		done = append(done, left)
	}
	var errs []error
	for _, f := range []string{
		joinStateFile(cfg.DataDir), bootstrapKubeconfig(cfg), kubeletKubeconfig(cfg),
		kubeProxyKubeconfig(cfg), coreDNSKubeconfig(cfg), cfg.PKIDir(),
		filepath.Join(cfg.KubeletRootDir(), "pki"),
	} {
		if _, err := os.Stat(f); err != nil {
			continue
		}
		if err := os.RemoveAll(f); err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, "removed "+f)
	}
	return done, errors.Join(errs...)
}

// leaveCluster deletes this worker's Node (NodeRestriction lets a node
// delete only its own) and says so, or says how to do it by hand.
func leaveCluster(ctx context.Context, cfg *config.Config, st *joinState) string {
	pair := filepath.Join(cfg.KubeletRootDir(), "pki", "kubelet-client-current.pem")
	name := nodeNameOfCert(pair)
	if name == "" {
		return ""
	}
	client, err := kubernetes.NewForConfig(&rest.Config{
		Host: st.Server, Timeout: 10 * time.Second,
		TLSClientConfig: rest.TLSClientConfig{CAFile: filepath.Join(cfg.PKIDir(), "ca.crt"), CertFile: pair, KeyFile: pair},
	})
	if err == nil {
		err = client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
	}
	if err == nil || apierrors.IsNotFound(err) {
		return fmt.Sprintf("deleted Node %s from the cluster at %s (the primary frees its index)", name, st.Server)
	}
	return fmt.Sprintf("could not delete Node %s from the cluster (%v): run `kubenode kubectl delete node %s` on the primary to free its index", name, err, name)
}

// nodeNameOfCert is NAME of the CN system:node:NAME of the certificate in
// file, or "".
func nodeNameOfCert(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	c, err := pki.ParseCertPEM(data)
	if err != nil {
		return ""
	}
	name, ok := strings.CutPrefix(c.Subject.CommonName, "system:node:")
	if !ok {
		return ""
	}
	return name
}

// moveAsideForeignKubeletCerts moves the kubelet's certificate dir aside
// when it holds a client certificate that the cluster CA did not sign (a
// host that ran a node of another cluster): the kubelet would present it
// and loop on Unauthorized instead of bootstrapping a new one.
func moveAsideForeignKubeletCerts(cfg *config.Config, ca *x509.Certificate, log logr.Logger) error {
	dir := filepath.Join(cfg.KubeletRootDir(), "pki")
	file := filepath.Join(dir, "kubelet-client-current.pem")
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if signedBy(data, ca) {
		return nil
	}
	aside := fmt.Sprintf("%s.other-cluster-%d", dir, time.Now().Unix())
	if err := os.Rename(dir, aside); err != nil {
		return fmt.Errorf("%s is not from this cluster's CA and cannot be moved aside (%v): remove %s and join again", file, err, dir)
	}
	log.Info("kubelet certificates not signed by this cluster's CA moved aside", "from", dir, "to", aside)
	return nil
}

// signedBy says whether the first certificate in data verifies against ca.
func signedBy(data []byte, ca *x509.Certificate) bool {
	c, err := pki.ParseCertPEM(data)
	return err == nil && c.CheckSignatureFrom(ca) == nil
}
