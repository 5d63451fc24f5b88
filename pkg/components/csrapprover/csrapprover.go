// Package csrapprover approves kubelet serving certificates on the
// primary. The controller-manager approves node client certificates
// (nodeclient, selfnodeclient) but never serving ones: anyone who can make
// a CSR could otherwise get a certificate for any name. This approver signs
// off only what a node may claim: its own name and its own addresses.
package csrapprover

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"slices"
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

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Approver watches CertificateSigningRequests.
type Approver struct {
	Kubeconfig string // may approve CSRs (the admin's)

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
		if !ok || csr.Spec.SignerName != certificatesv1.KubeletServingSignerName || decided(csr) {
			return
		}
		go a.review(ctx, client, csr)
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
	csr = csr.DeepCopy()
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type:    certificatesv1.CertificateApproved,
		Status:  corev1.ConditionTrue,
		Reason:  "KubenodeNodeServing",
		Message: "kubenode: the node's own name and addresses",
	})
	if _, err := client.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, csr.Name, csr, metav1.UpdateOptions{}); err != nil {
		klog.ErrorS(err, "Approving kubelet serving CSR", "csr", csr.Name)
		return
	}
	klog.InfoS("Approved kubelet serving certificate", "csr", csr.Name, "node", node.Name)
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
