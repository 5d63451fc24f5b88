package node

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
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
		in.Components = st.Components
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

// DoctorPath resolves `kubenode doctor --from POD --to POD|SERVICE[:PORT]`
// (each [NAMESPACE/]NAME) through the API with the node's credentials.
func DoctorPath(ctx context.Context, in doctor.Input, from, to string) (doctor.PathInput, error) {
	cfg := in.Config
	p := doctor.PathInput{Config: cfg, NetnsDir: filepath.Join(cfg.RunDir, "crio", "ns", "netns")}
	kubeconfig := cfg.AdminKubeconfig()
	if !in.Primary {
		kubeconfig = kubeletKubeconfig(cfg)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return p, err
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return p, err
	}
	indexOf := func(ip netip.Addr) int {
		for i := 1; i <= 255; i++ {
			for _, c := range cfg.NodeCIDRs(i) {
				if c.Contains(ip) {
					return i
				}
			}
		}
		return 0
	}
	split := func(s string) (string, string) {
		if ns, name, ok := strings.Cut(s, "/"); ok {
			return ns, name
		}
		return metav1.NamespaceDefault, s
	}
	podEnd := func(ns, name string) (doctor.Endpoint, error) {
		pod, err := client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return doctor.Endpoint{}, err
		}
		ip, err := netip.ParseAddr(pod.Status.PodIP)
		if err != nil {
			return doctor.Endpoint{}, fmt.Errorf("pod %s/%s has no IP yet (phase %s)", ns, name, pod.Status.Phase)
		}
		return doctor.Endpoint{Name: ns + "/" + name, IP: ip, NodeIndex: indexOf(ip)}, nil
	}
	ns, name := split(from)
	if p.From, err = podEnd(ns, name); err != nil {
		return p, fmt.Errorf("--from: %w", err)
	}
	target, portText, _ := strings.Cut(to, ":")
	if portText != "" {
		if p.Port, err = strconv.Atoi(portText); err != nil || p.Port < 1 || p.Port > 65535 {
			return p, fmt.Errorf("--to %s: port %q is not a number from 1 to 65535", to, portText)
		}
	}
	ns, name = split(target)
	p.ToName = ns + "/" + name
	if end, err := podEnd(ns, name); err == nil {
		p.ToName = "pod " + p.ToName
		p.ToIP, p.Targets = end.IP, []doctor.Endpoint{end}
		return p, nil
	} else if !apierrors.IsNotFound(err) {
		return p, fmt.Errorf("--to: %w", err)
	}
	svc, err := client.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return p, fmt.Errorf("--to %s: neither a pod nor a Service: %w", to, err)
	}
	p.ToName = "service " + p.ToName
	if p.ToIP, err = netip.ParseAddr(svc.Spec.ClusterIP); err != nil {
		return p, fmt.Errorf("--to: service %s/%s has no cluster IP (%q)", ns, name, svc.Spec.ClusterIP)
	}
	if p.Port == 0 && len(svc.Spec.Ports) > 0 {
		p.Port = int(svc.Spec.Ports[0].Port)
	}
	slices, err := client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + name})
	if err != nil {
		return p, fmt.Errorf("--to: endpoints of service %s/%s: %w", ns, name, err)
	}
	for _, s := range slices.Items {
		for _, e := range s.Endpoints {
			if e.Conditions.Ready != nil && !*e.Conditions.Ready {
				continue
			}
			for _, a := range e.Addresses {
				if ip, err := netip.ParseAddr(a); err == nil && ip.Is4() == p.ToIP.Is4() {
					n := a
					if e.TargetRef != nil {
						n = e.TargetRef.Namespace + "/" + e.TargetRef.Name
					}
					p.Targets = append(p.Targets, doctor.Endpoint{Name: n, IP: ip, NodeIndex: indexOf(ip)})
				}
			}
		}
	}
	return p, nil
}
