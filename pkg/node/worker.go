package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-logr/logr"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubenode/kubenode/pkg/components/csrapprover"
	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/internal/fsutil"
	"github.com/kubenode/kubenode/pkg/join"
	"github.com/kubenode/kubenode/pkg/netsetup"
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

// claimToken makes a join token single-use: the first join with it creates
// Lease kubenode-token-ID (atomically); any other host's join fails.
func claimToken(ctx context.Context, client kubernetes.Interface, tokenID, joinID string) error {
	leases := client.CoordinationV1().Leases("kube-node-lease")
	name := csrapprover.TokenLeasePrefix + tokenID
	_, err := leases.Create(ctx, &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app.kubernetes.io/managed-by": "kubenode"}},
		Spec:       coordinationv1.LeaseSpec{HolderIdentity: &joinID},
	}, metav1.CreateOptions{})
	switch {
	case err == nil:
		return nil
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("join: the primary does not accept bootstrap token %s (expired, deleted or mistyped): make a new one with `kubenode token create` on the primary", tokenID)
	case apierrors.IsAlreadyExists(err):
		l, gerr := leases.Get(ctx, name, metav1.GetOptions{})
		if gerr == nil && l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity == joinID {
			return nil // our own earlier, interrupted attempt
		}
		return fmt.Errorf("join: token %s was already used to join another host; tokens are single-use: make a new one with `kubenode token create` on the primary", tokenID)
	default:
		return fmt.Errorf("join: claim token %s: %w", tokenID, err)
	}
}

// IndexLeasePrefix names the Leases in kube-node-lease that hold node
// indexes: creating kubenode-index-N succeeds for exactly one caller.
const IndexLeasePrefix = csrapprover.IndexLeasePrefix

// allocateIndex returns the index whose Lease this join holds, creating the
// lowest free one (or the configured one) when it holds none.
func allocateIndex(ctx context.Context, client kubernetes.Interface, id string, want int) (int, error) {
	leases := client.CoordinationV1().Leases("kube-node-lease")
	list, err := leases.List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, fmt.Errorf("node index: list leases: %w", err)
	}
	for _, l := range list.Items {
		if i, ok := strings.CutPrefix(l.Name, IndexLeasePrefix); ok && l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity == id {
			if n, err := strconv.Atoi(i); err == nil {
				return n, nil
			}
		}
	}
	try := func(n int) (bool, error) {
		lease := &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: IndexLeasePrefix + strconv.Itoa(n), Labels: map[string]string{"app.kubernetes.io/managed-by": "kubenode"}},
			Spec:       coordinationv1.LeaseSpec{HolderIdentity: &id},
		}
		_, err := leases.Create(ctx, lease, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return false, nil
		}
		return err == nil, err
	}
	if want > 1 {
		ok, err := try(want)
		if err != nil {
			return 0, fmt.Errorf("node index %d: %w", want, err)
		}
		if !ok {
			return 0, fmt.Errorf("node index %d is already taken by another node: remove nodeIndex from the config to get a free one", want)
		}
		return want, nil
	}
	for n := 2; n <= 255; n++ {
		ok, err := try(n)
		if err != nil {
			return 0, fmt.Errorf("node index %d: %w", n, err)
		}
		if ok {
			return n, nil
		}
	}
	return 0, errors.New("node index: all indexes 2..255 are taken")
}

// RunWorker joins the cluster named by token (first start) or rejoins it
// with the saved identity, then runs the node runtime until ctx ends.
func RunWorker(ctx context.Context, cfg *config.Config, token string, log logr.Logger, notify func(string) error) error {
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
	}
	if st == nil && token == "" {
		return errors.New("this host has not joined a cluster: pass --join TOKEN (`kubenode token create` on the primary prints one)")
	}
	if st == nil || st.Index == 0 {
		if st, err = firstJoin(ctx, cfg, tok, st, log); err != nil {
			return err
		}
	}
	cfg = cfg.WithIndex(st.Index)
	store, err := pki.Open(cfg.PKIDir())
	if err != nil {
		return err
	}
	log.Info("Worker", "name", cfg.NodeName, "index", cfg.NodeIndex, "nodeIPs", cfg.NodeIPs, "podCIDRs", cfg.NodeCIDRs(cfg.NodeIndex), "server", st.Server)

	network, err := netsetup.New(cfg, netsetup.PeersFromConfig(cfg), log.WithValues("component", "network"))
	if err != nil {
		return err
	}
	// Everything after the kubelet uses the kubelet's own client
	// certificate, which it bootstraps and renews.
	nodeCreds := filepath.Join(cfg.KubeletRootDir(), "pki", "kubelet-client-current.pem")
	for _, path := range []string{kubeProxyKubeconfig(cfg), coreDNSKubeconfig(cfg)} {
		if err := writeCertKubeconfig(path, st.Server, store.Path("ca.crt"), nodeCreds); err != nil {
			network.Close()
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
		network.Close()
		return err
	}
	m := supervisor.New(supervisor.Options{Logger: log, Notify: notify})
	m.Add(&networkPhase{net: network})
	m.Add(rt.crio)
	for _, c := range rt.agents() {
		m.Add(c)
	}
	meshC := rt.meshComponent(cfg, network, kubeletKubeconfig(cfg), "")
	m.Add(meshC)
	stopStatus, err := serveStatus(StatusSocket(cfg), func() Status {
		return Status{Role: "worker", NodeName: cfg.NodeName, Index: cfg.NodeIndex, Server: st.Server,
			Kubeconfig: kubeletKubeconfig(cfg), Components: m.Status(), Peers: meshC.Members()}
	})
	if err != nil {
		network.Close()
		return err
	}
	defer stopStatus()
	return m.Run(ctx)
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
	defer func() {
		if err == nil {
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
	ca, err := join.FetchCA(ctx, tok.Server, tok.CAHash)
	if err != nil {
		return nil, err
	}
	if err := store.WriteCACert(join.CAPEM(ca)); err != nil {
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
	want := cfg.NodeIndex
	if want == 1 {
		want = 0 // the default: any free index; 1 is the primary's
	}
	if err := claimToken(ctx, client, tok.ID(), st.ID); err != nil {
		return nil, err
	}
	if st.Index, err = allocateIndex(ctx, client, st.ID, want); err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	if err := writeJoinState(cfg.DataDir, st); err != nil {
		return nil, err
	}
	if err := writeBootstrapKubeconfig(bootstrapKubeconfig(cfg), st.Server, store.Path("ca.crt"), tok.BootstrapToken); err != nil {
		return nil, err
	}
	log.Info("Joined", "server", st.Server, "index", st.Index)
	return st, nil
}

// ResetJoin removes a worker's join state and credentials (so the host can
// join again, possibly another cluster) and returns what it removed. The
// node's Node object and index Lease stay in the cluster: delete the Node
// with kubectl on the primary.
func ResetJoin(cfg *config.Config) ([]string, error) {
	if _, err := os.Stat(joinStateFile(cfg.DataDir)); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	var done []string
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
