// Package csrapprover approves the certificates of joining nodes on the
// primary, each only for what that node may claim:
//
//   - a kubelet client certificate requested with a bootstrap token: only
//     for CN=system:node:<the node the token joined>, the node whose index
//     Lease the token's claim Lease names (the controller-manager's own
//     nodeclient approval would give a bootstrap token any node's name,
//     the primary's included, so kubenode does not grant it);
//   - a kubelet serving certificate: only the requesting node's own name
//     and the addresses on its Node object.
//
// Renewals of node client certificates (CN equal to the requester) stay
// with the controller-manager (selfnodeclient).
package csrapprover

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Approver watches CertificateSigningRequests.
type Approver struct {
	Kubeconfig    string // may approve CSRs (the admin's)
	ClusterDomain string // node names are node<index>.<ClusterDomain>

	mu     sync.Mutex
	cancel context.CancelFunc
	synced cache.InformerSynced
}

var (
	_ supervisor.Component = (*Approver)(nil)
	_ supervisor.Readier   = (*Approver)(nil)
)

func (a *Approver) Name() string { return "csr-approver" }

func (a *Approver) Init(context.Context) error { return nil }

func (a *Approver) Start(ctx context.Context) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", a.Kubeconfig)
	if err != nil {
		return fmt.Errorf("csr-approver: %w", err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("csr-approver: %w", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	factory := informers.NewSharedInformerFactory(client, 10*time.Minute)
	inf := factory.Certificates().V1().CertificateSigningRequests().Informer()
	handle := func(obj any) {
		csr, ok := obj.(*certificatesv1.CertificateSigningRequest)
		if !ok || decided(csr) {
			return
		}
		switch csr.Spec.SignerName {
		case certificatesv1.KubeletServingSignerName:
			go a.review(ctx, client, csr)
		case certificatesv1.KubeAPIServerClientKubeletSignerName:
			if strings.HasPrefix(csr.Spec.Username, "system:bootstrap:") {
				go a.reviewBootstrap(ctx, client, csr)
			}
		}
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    handle,
		UpdateFunc: func(_, obj any) { handle(obj) },
	}); err != nil {
		cancel()
		return fmt.Errorf("csr-approver: %w", err)
	}
	factory.Start(ctx.Done())
	a.mu.Lock()
	a.cancel, a.synced = cancel, inf.HasSynced
	a.mu.Unlock()
	return nil
}

func (a *Approver) Ready(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.synced == nil || !a.synced() {
		return errors.New("csr-approver: CSR informer not synced")
	}
	return nil
}

func (a *Approver) Stop(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cancel != nil {
		a.cancel()
	}
	return nil
}

func decided(csr *certificatesv1.CertificateSigningRequest) bool {
	for _, c := range csr.Status.Conditions {
		if c.Type == certificatesv1.CertificateApproved || c.Type == certificatesv1.CertificateDenied {
			return true
		}
	}
	return false
}

func (a *Approver) review(ctx context.Context, client kubernetes.Interface, csr *certificatesv1.CertificateSigningRequest) {
	nodeName := strings.TrimPrefix(csr.Spec.Username, "system:node:")
	var node *corev1.Node
	if nodeName != csr.Spec.Username {
		n, err := client.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
		if err != nil {
			klog.InfoS("Kubelet serving CSR left pending: requesting node not found", "csr", csr.Name, "node", nodeName, "err", err)
			return
		}
		node = n
	}
	if err := Check(csr, node); err != nil {
		klog.InfoS("Kubelet serving CSR left pending", "csr", csr.Name, "requester", csr.Spec.Username, "reason", err.Error())
		return
	}
	approve(ctx, client, csr, "KubenodeNodeServing", "kubenode: the node's own name and addresses")
}

func approve(ctx context.Context, client kubernetes.Interface, csr *certificatesv1.CertificateSigningRequest, reason, msg string) {
	csr = csr.DeepCopy()
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: reason, Message: msg,
	})
	if _, err := client.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, csr.Name, csr, metav1.UpdateOptions{}); err != nil {
		klog.ErrorS(err, "Approving CSR", "csr", csr.Name)
		return
	}
	klog.InfoS("Approved node certificate", "csr", csr.Name, "signer", csr.Spec.SignerName, "requester", csr.Spec.Username)
}

// reviewBootstrap approves a kubelet client certificate requested with a
// bootstrap token for exactly the node that token joined.
func (a *Approver) reviewBootstrap(ctx context.Context, client kubernetes.Interface, csr *certificatesv1.CertificateSigningRequest) {
	tokenID := strings.TrimPrefix(csr.Spec.Username, "system:bootstrap:")
	nodeName, err := JoinedNode(ctx, client, tokenID, a.ClusterDomain)
	if err != nil {
		klog.InfoS("Kubelet client CSR left pending", "csr", csr.Name, "requester", csr.Spec.Username, "reason", err.Error())
		return
	}
	if err := CheckClient(csr, nodeName); err != nil {
		klog.InfoS("Kubelet client CSR left pending", "csr", csr.Name, "requester", csr.Spec.Username, "reason", err.Error())
		return
	}
	approve(ctx, client, csr, "KubenodeJoinedNode", "kubenode: the node this bootstrap token joined")
}

// Leases in kube-node-lease that record joins (see pkg/node): the token's
// claim names the join, the index Lease held by that join names the node.
const (
	TokenLeasePrefix = "kubenode-token-"
	IndexLeasePrefix = "kubenode-index-"
)

// JoinedNode is the name of the node a bootstrap token joined.
func JoinedNode(ctx context.Context, client kubernetes.Interface, tokenID, domain string) (string, error) {
	leases := client.CoordinationV1().Leases("kube-node-lease")
	claim, err := leases.Get(ctx, TokenLeasePrefix+tokenID, metav1.GetOptions{})
	if err != nil || claim.Spec.HolderIdentity == nil {
		return "", fmt.Errorf("token %s has not joined a node (no claim): %v", tokenID, err)
	}
	list, err := leases.List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", err
	}
	for _, l := range list.Items {
		i, ok := strings.CutPrefix(l.Name, IndexLeasePrefix)
		if !ok || l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != *claim.Spec.HolderIdentity {
			continue
		}
		if n, err := strconv.Atoi(i); err == nil {
			return config.NodeNameOf(n, domain), nil
		}
	}
	return "", fmt.Errorf("token %s's join holds no node index yet", tokenID)
}

// CheckClient says why a kubelet client CSR must not be approved for
// nodeName, or nil.
func CheckClient(csr *certificatesv1.CertificateSigningRequest, nodeName string) error {
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil {
		return errors.New("request is not PEM")
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	if req.Subject.CommonName != "system:node:"+nodeName || !slices.Equal(req.Subject.Organization, []string{"system:nodes"}) {
		return fmt.Errorf("subject %q is not system:node:%s in system:nodes, the node this token joined", req.Subject.String(), nodeName)
	}
	if len(req.DNSNames) > 0 || len(req.IPAddresses) > 0 || len(req.EmailAddresses) > 0 || len(req.URIs) > 0 {
		return errors.New("a client certificate names no hosts")
	}
	for _, u := range csr.Spec.Usages {
		switch u {
		case certificatesv1.UsageDigitalSignature, certificatesv1.UsageKeyEncipherment, certificatesv1.UsageClientAuth:
		default:
			return fmt.Errorf("usage %q is not for a client", u)
		}
	}
	return nil
}

// Check says why a kubelet serving CSR must not be approved, or nil: it
// must come from a node (system:node:NAME in group system:nodes), name
// that node as subject, ask only for server usages, and cover only the
// node's name and the addresses on its Node object.
func Check(csr *certificatesv1.CertificateSigningRequest, node *corev1.Node) error {
	if node == nil || !slices.Contains(csr.Spec.Groups, "system:nodes") || csr.Spec.Username != "system:node:"+node.Name {
		return fmt.Errorf("requester %q is not a registered node", csr.Spec.Username)
	}
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil {
		return errors.New("request is not PEM")
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	if req.Subject.CommonName != csr.Spec.Username || !slices.Equal(req.Subject.Organization, []string{"system:nodes"}) {
		return fmt.Errorf("subject %q is not the requesting node", req.Subject.String())
	}
	for _, u := range csr.Spec.Usages {
		switch u {
		case certificatesv1.UsageDigitalSignature, certificatesv1.UsageKeyEncipherment, certificatesv1.UsageServerAuth:
		default:
			return fmt.Errorf("usage %q is not for serving", u)
		}
	}
	if len(req.EmailAddresses) > 0 || len(req.URIs) > 0 {
		return errors.New("email or URI names requested")
	}
	for _, d := range req.DNSNames {
		if d != node.Name {
			return fmt.Errorf("DNS name %q is not the node's name", d)
		}
	}
	for _, ip := range req.IPAddresses {
		if !slices.ContainsFunc(node.Status.Addresses, func(a corev1.NodeAddress) bool {
			return a.Type != corev1.NodeHostName && net.ParseIP(a.Address).Equal(ip)
		}) {
			return fmt.Errorf("IP %s is not an address of node %s", ip, node.Name)
		}
	}
	return nil
}
