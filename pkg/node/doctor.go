package node

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/doctor"
	"github.com/kubenode/kubenode/pkg/mesh"
	"github.com/kubenode/kubenode/pkg/netsetup"
)

// DoctorInput gathers what `kubenode doctor` needs about the node with
// cfg's data and run dirs, running or stopped: its role and index, the
// peers it should have (the running node's, else the Node objects', else
// the config's), its API credentials and certificates.
func DoctorInput(ctx context.Context, cfg *config.Config) (doctor.Input, error) {
	in := doctor.Input{Config: cfg}
	js, err := readJoinState(cfg.DataDir)
	if err != nil {
		return in, err
	}
	in.Primary = js == nil
	if in.Primary {
		if _, err := os.Stat(cfg.AdminKubeconfig()); err != nil {
			return in, fmt.Errorf("no kubenode node has run with data dir %s (no %s and no %s): pass the --data-dir (and --config) the node runs with", cfg.DataDir, cfg.AdminKubeconfig(), joinStateFile(cfg.DataDir))
		}
	}
	kubeconfig := cfg.AdminKubeconfig()
	if !in.Primary {
		kubeconfig = kubeletKubeconfig(cfg)
		if js.Index == 0 {
			return in, fmt.Errorf("this host has not joined a cluster yet (%s has no node index): run `kubenode worker --join TOKEN` first", joinStateFile(cfg.DataDir))
		}
		in.Config = cfg.WithIndex(js.Index)
	}
	cfg = in.Config
	if st, err := ReadStatus(ctx, cfg); err == nil {
		in.Running = true
		if st.NetworkPeers != nil {
			in.Peers, in.PeersFrom = st.NetworkPeers, "the running node"
		}
	}
	var rc *rest.Config
	if _, err := os.Stat(kubeconfig); err == nil {
		if rc, err = clientcmd.BuildConfigFromFlags("", kubeconfig); err != nil {
			return in, err
		}
		rc.Timeout = 5 * time.Second
		in.API = func(ctx context.Context) doctor.APIAnswer { return askReadyz(ctx, rc) }
	}
	if in.PeersFrom == "" && rc != nil {
		if peers, err := peersFromNodes(ctx, cfg, rc); err == nil {
			in.Peers, in.PeersFrom = peers, "the Node objects"
		}
	}
	if in.PeersFrom == "" {
		in.Peers, in.PeersFrom = netsetup.PeersFromConfig(cfg), "the config (neither the node nor the API answers)"
	}
	certs := nodeCertificates(cfg, in.Primary)
	in.CertFiles, in.CertDirs = certs.files, certs.dirs
	return in, nil
}

// peersFromNodes is the peer list the mesh would give this node now.
func peersFromNodes(ctx context.Context, cfg *config.Config, rc *rest.Config) ([]netsetup.Peer, error) {
	n, err := netsetup.New(cfg, nil, logr.Discard())
	if err != nil {
		return nil, err
	}
	key, err := n.PublicKey()
	n.Release()
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, err
	}
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	nodes := make([]*corev1.Node, 0, len(list.Items))
	for i := range list.Items {
		nodes = append(nodes, &list.Items[i])
	}
	self := mesh.Self{NodeName: cfg.NodeName, Index: cfg.NodeIndex, PublicKey: key.String()}
	peers, _ := mesh.PeersFromNodes(self, cfg, netsetup.PeersFromConfig(cfg), nodes)
	return peers, nil
}

// askReadyz asks /readyz with the node's credentials, keeping the
// server's Date header for the clock check.
func askReadyz(ctx context.Context, rc *rest.Config) doctor.APIAnswer {
	a := doctor.APIAnswer{Server: rc.Host}
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		a.Err = err
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rc.Host+"/readyz", nil)
	if err != nil {
		a.Err = err
		return a
	}
	a.Sent = time.Now()
	resp, err := hc.Do(req)
	a.Received = time.Now()
	if err != nil {
		a.Err = err
		return a
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	a.Body = string(body)
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		a.Date = d
	}
	if resp.StatusCode != http.StatusOK {
		a.Err = fmt.Errorf("%s: %s", resp.Status, body)
	}
	return a
}
