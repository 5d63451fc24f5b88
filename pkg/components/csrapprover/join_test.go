package csrapprover

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	certlisters "k8s.io/client-go/listers/certificates/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/join"
)

// testPrimary is a reviewer for a default primary at 192.168.77.1, with
// the given Nodes in its lister.
func testPrimary(t *testing.T, nodeObjs ...*corev1.Node) (*reviewer, *fake.Clientset) {
	t.Helper()
	cfg := &config.Config{NodeIndex: 1, NodeName: "node1.k8s.internal", ClusterDomain: "k8s.internal",
		NodeIPs:      []netip.Addr{netip.MustParseAddr("192.168.77.1")},
		ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix(config.DefaultClusterCIDRv4), netip.MustParsePrefix(config.DefaultClusterCIDRv6)},
		ServiceCIDRs: []netip.Prefix{netip.MustParsePrefix(config.DefaultServiceCIDRv4), netip.MustParsePrefix(config.DefaultServiceCIDRv6)},
	}
	var objs []runtime.Object
	nodeIdx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for _, n := range nodeObjs {
		objs = append(objs, n)
		if err := nodeIdx.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	client := fake.NewClientset(objs...)
	r := &reviewer{client: client, cfg: cfg,
		csrs:  certlisters.NewCertificateSigningRequestLister(cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})),
		nodes: corelisters.NewNodeLister(nodeIdx)}
	if err := r.reservePrimaryIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r, client
}

// file creates csr as requester and reviews it; it returns the verdict:
// "Approved", "Denied: message" or "" (left pending).
func file(t *testing.T, r *reviewer, client *fake.Clientset, csr *certificatesv1.CertificateSigningRequest, user string, groups ...string) string {
	t.Helper()
	ctx := context.Background()
	csr.Spec.Username, csr.Spec.Groups = user, groups
	if _, err := client.CertificatesV1().CertificateSigningRequests().Create(ctx, csr, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := r.review(ctx, csr); err != nil {
		return "error: " + err.Error()
	}
	got, err := client.CertificatesV1().CertificateSigningRequests().Get(ctx, csr.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got.Status.Conditions {
		if c.Type == certificatesv1.CertificateDenied {
			return "Denied: " + c.Message
		}
		return string(c.Type)
	}
	return ""
}

func joinCSR(t *testing.T, id string, index int, ips ...string) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	req := join.Request{JoinID: id, Index: index}
	for _, ip := range ips {
		req.NodeIPs = append(req.NodeIPs, netip.MustParseAddr(ip))
	}
	csr, err := join.RequestCSR(req)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

func lease(t *testing.T, client *fake.Clientset, name string) *coordinationv1.Lease {
	t.Helper()
	l, err := client.CoordinationV1().Leases(join.LeaseNamespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("lease %s: %v", name, err)
	}
	return l
}

const (
	tokenA = "system:bootstrap:aaaaaa"
	tokenB = "system:bootstrap:bbbbbb"
)

var workerGroups = []string{"system:bootstrappers", join.WorkerGroup, "system:authenticated"}

func TestJoinRecordsTokenAndIndex(t *testing.T) {
	r, client := testPrimary(t)
	if got := holderOf(lease(t, client, join.IndexLeasePrefix+"1")); got != join.PrimaryHolder {
		t.Fatalf("index 1 held by %q, want the primary", got)
	}
	if v := file(t, r, client, joinCSR(t, "host-a", 0, "192.168.77.2"), tokenA, workerGroups...); v != "Approved" {
		t.Fatalf("first join: %s", v)
	}
	claim := lease(t, client, join.TokenLeasePrefix+"aaaaaa")
	if holderOf(claim) != "host-a" || claim.Annotations[join.AnnotationNodeIndex] != "2" {
		t.Fatalf("token record = holder %q, annotations %v; want host-a at index 2", holderOf(claim), claim.Annotations)
	}
	idx := lease(t, client, join.IndexLeasePrefix+"2")
	if idx.Annotations[join.AnnotationTokenID] != "aaaaaa" || idx.Annotations[join.AnnotationNodeIPs] != "192.168.77.2" {
		t.Fatalf("index record annotations = %v", idx.Annotations)
	}

	for name, tc := range map[string]struct {
		csr        *certificatesv1.CertificateSigningRequest
		user, want string
		groups     []string
	}{
		"the same token from another host": {joinCSR(t, "host-b", 0, "192.168.77.3"), tokenA, "was already used to join another host", workerGroups},
		"a taken index":                    {joinCSR(t, "host-c", 2, "192.168.77.3"), tokenB, "node index 2 is already taken", workerGroups},
		"the primary's address":            {joinCSR(t, "host-d", 0, "192.168.77.1"), tokenB, "belongs to the primary", workerGroups},
		"another node's recorded address":  {joinCSR(t, "host-e", 0, "192.168.77.2"), tokenB, "belongs to node2.k8s.internal", workerGroups},
		"a Service address":                {joinCSR(t, "host-f", 0, "10.88.0.1"), tokenB, "is in the Service range", workerGroups},
		"a pod address":                    {joinCSR(t, "host-g", 0, "10.88.1.7"), tokenB, "is in the cluster's pod range", workerGroups},
		"loopback":                         {joinCSR(t, "host-h", 0, "127.0.0.1"), tokenB, "is not a unicast address", workerGroups},
		"no node IP":                       {joinCSR(t, "host-i", 0), tokenB, "names no node IP", workerGroups},
		"a token of another group":         {joinCSR(t, "host-j", 0, "192.168.77.9"), tokenB, "is not a kubenode join token", []string{"system:bootstrappers"}},
		"not a token":                      {joinCSR(t, "host-k", 0, "192.168.77.9"), "system:node:node2.k8s.internal", "is not a kubenode join token", workerGroups},
	} {
		if v := file(t, r, client, tc.csr, tc.user, tc.groups...); !strings.Contains(v, "Denied: ") || !strings.Contains(v, tc.want) {
			t.Errorf("%s: %s; want denied with %q", name, v, tc.want)
		}
	}
	if v := file(t, r, client, joinCSR(t, "host-z", 0, "fd77::3"), tokenB, workerGroups...); v != "Approved" {
		t.Fatalf("second token's join: %s", v)
	}
	if got := lease(t, client, join.TokenLeasePrefix+"bbbbbb").Annotations[join.AnnotationNodeIndex]; got != "3" {
		t.Fatalf("second join got index %s, want 3", got)
	}
}

// The first join attack: a token holder makes up the join record (a
// token Lease naming index 1), then asks for the primary's client
// certificate; and a joined token asks twice.
func TestBootstrapClientOnlyFromThePrimarysRecord(t *testing.T) {
	r, client := testPrimary(t)
	ctx := context.Background()
	clientUsages := []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageClientAuth}
	kubeletCSR := func(name, cn string) *certificatesv1.CertificateSigningRequest {
		c := csrFor(t, cn, nodes, nil, nil, clientUsages...)
		c.Name, c.Spec.SignerName = name, certificatesv1.KubeAPIServerClientKubeletSignerName
		return c
	}
	if v := file(t, r, client, kubeletCSR("before-join", "system:node:node2.k8s.internal"), tokenA, workerGroups...); !strings.Contains(v, "has not joined a node") {
		t.Fatalf("client CSR before any join: %s", v)
	}
	holder := "attacker"
	if _, err := client.CoordinationV1().Leases(join.LeaseNamespace).Create(ctx, &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: join.TokenLeasePrefix + "bbbbbb", Annotations: map[string]string{join.AnnotationNodeIndex: "1"}},
		Spec:       coordinationv1.LeaseSpec{HolderIdentity: &holder},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if v := file(t, r, client, kubeletCSR("primary-identity", "system:node:node1.k8s.internal"), tokenB, workerGroups...); !strings.HasPrefix(v, "Denied: ") {
		t.Fatalf("a client CSR for the primary's name: %s", v)
	}

	if v := file(t, r, client, joinCSR(t, "host-a", 0, "192.168.77.2"), tokenA, workerGroups...); v != "Approved" {
		t.Fatalf("join: %s", v)
	}
	if v := file(t, r, client, kubeletCSR("other-node", "system:node:node3.k8s.internal"), tokenA, workerGroups...); !strings.Contains(v, "the node this token joined") {
		t.Fatalf("a client CSR for another node: %s", v)
	}
	if v := file(t, r, client, kubeletCSR("first", "system:node:node2.k8s.internal"), tokenA, workerGroups...); v != "Approved" {
		t.Fatalf("the joined node's client CSR: %s", v)
	}
	if v := file(t, r, client, kubeletCSR("second", "system:node:node2.k8s.internal"), tokenA, workerGroups...); !strings.Contains(v, "already got the client certificate") {
		t.Fatalf("a second client CSR with the same token: %s", v)
	}
}

// The second join attack: a worker puts the primary's and the API
// Service's addresses on its own Node and asks for a serving certificate.
func TestServingOnlyTheNodesOwnAddresses(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node2.k8s.internal"}, Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: "192.168.77.2"}, {Type: corev1.NodeInternalIP, Address: "192.168.77.1"},
		{Type: corev1.NodeInternalIP, Address: "10.88.0.1"}, {Type: corev1.NodeInternalIP, Address: "10.88.2.1"},
		{Type: corev1.NodeInternalIP, Address: "10.88.3.1"},
	}}}
	primary := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node1.k8s.internal"}, Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: "192.168.77.1"},
	}}}
	r, client := testPrimary(t, node, primary)
	serving := []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageServerAuth}
	csr := func(name string, ips ...string) *certificatesv1.CertificateSigningRequest {
		var nips []net.IP
		for _, ip := range ips {
			nips = append(nips, net.ParseIP(ip))
		}
		c := csrFor(t, "system:node:node2.k8s.internal", nodes, []string{"node2.k8s.internal"}, nips, serving...)
		c.Name, c.Spec.SignerName = name, certificatesv1.KubeletServingSignerName
		return c
	}
	as := func(c *certificatesv1.CertificateSigningRequest) string {
		return file(t, r, client, c, "system:node:node2.k8s.internal", "system:nodes", "system:authenticated")
	}
	for name, tc := range map[string]struct{ ip, want string }{
		"the primary's address":      {"192.168.77.1", "belongs to the primary"},
		"the API Service address":    {"10.88.0.1", "is in the Service range"},
		"another node's pod range":   {"10.88.3.1", "is in the cluster's pod range"},
		"an address not on its Node": {"192.168.77.9", "is not an address of node"},
	} {
		if v := as(csr(strings.ReplaceAll(name, " ", "-"), "192.168.77.2", tc.ip)); !strings.Contains(v, "Denied: ") || !strings.Contains(v, tc.want) {
			t.Errorf("%s: %s; want denied with %q", name, v, tc.want)
		}
	}
	if v := as(csr("own", "192.168.77.2", "10.88.2.1")); v != "Approved" {
		t.Fatalf("the node's own addresses: %s", v)
	}
}

func TestIndexOfNode(t *testing.T) {
	for name, want := range map[string]int{
		"node2.k8s.internal": 2, "node255.k8s.internal": 255, "node1.k8s.internal": 1,
		"node02.k8s.internal": 0, "node2.other": 0, "nodex.k8s.internal": 0, "node256.k8s.internal": 0,
	} {
		if got := indexOfNode(name, "k8s.internal"); got != want {
			t.Errorf("indexOfNode(%q) = %d, want %d", name, got, want)
		}
	}
}
