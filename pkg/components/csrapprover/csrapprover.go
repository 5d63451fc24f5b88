// Package csrapprover runs, on the primary, the join protocol (see
// pkg/join/protocol.go) and the approval of node certificates, each only
// for what the primary itself recorded:
//
//   - a join request (signer kubenode.io/join, filed with a bootstrap
//     token): the primary takes the token for one host, allocates its node
//     index and records both in Leases no requester can write;
//   - a kubelet client certificate requested with a bootstrap token: only
//     for the node that token joined, once (the controller-manager's own
//     nodeclient approval would give a bootstrap token any node's name, the
//     primary's included, so kubenode does not grant it);
//   - a kubelet serving certificate: only the requesting node's own name and
//     addresses on its Node that are no other node's, no Service's and in
//     no other node's pod range. Serving certificates come from their own
//     CA, which no API client trusts for the apiserver.
//
// When a joined node registers, its token is deleted; when a Node is
// deleted, its index is freed. Renewals of node client certificates (CN
// equal to the requester) stay with the controller-manager
// (selfnodeclient).
//
// It runs on the controller host: one worker reviews one request at a
// time from a workqueue, so the same CSR is never reviewed twice at once;
// a panic fails that item, not the process.
package csrapprover

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/go-logr/logr"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	certlisters "k8s.io/client-go/listers/certificates/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/controllers"
	"github.com/kubenode/kubenode/pkg/join"
)

// Approver watches CertificateSigningRequests and Nodes with the admin
// identity. It is a reconciler on the controller host (pkg/controllers).
type Approver struct {
	Config *config.Config // the primary's: domain, address plan, node IPs

	r *reviewer
}

var _ controllers.Controller = (*Approver)(nil)

func (a *Approver) Name() string { return "csr-approver" }

// Queue keys: kind/name.
const (
	keyCSR         = "csr/"
	keyNodeAdded   = "node-added/"
	keyNodeDeleted = "node-deleted/"
	keyReserve     = "reserve-primary-index"
	maxRetries     = 8
)

// Options: one worker, so that two join requests never allocate an index
// at the same time; a key is dropped after maxRetries failures (the
// informers' resync brings an undecided CSR back).
func (a *Approver) Options() controllers.Options {
	return controllers.Options{MaxRetries: maxRetries}
}

func (a *Approver) Setup(s *controllers.Setup) error {
	client, err := s.Client(controllers.AdminIdentity)
	if err != nil {
		return err
	}
	factory, err := s.Informers(controllers.AdminIdentity)
	if err != nil {
		return err
	}
	csrs := factory.Certificates().V1().CertificateSigningRequests()
	nodes := factory.Core().V1().Nodes()
	queue := s.Queue()
	if _, err := csrs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { enqueueCSR(queue, obj) },
		UpdateFunc: func(_, obj any) { enqueueCSR(queue, obj) },
	}); err != nil {
		return err
	}
	if _, err := nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if n, ok := obj.(*corev1.Node); ok {
				queue.Add(keyNodeAdded + n.Name)
			}
		},
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if n, ok := obj.(*corev1.Node); ok {
				queue.Add(keyNodeDeleted + n.Name)
			}
		},
	}); err != nil {
		return err
	}
	s.WaitFor(csrs.Informer().HasSynced, nodes.Informer().HasSynced)
	queue.Add(keyReserve)
	a.r = &reviewer{log: s.Log(), client: client, cfg: a.Config, csrs: csrs.Lister(), nodes: nodes.Lister()}
	return nil
}

func (a *Approver) Reconcile(ctx context.Context, key string) error {
	return a.r.process(ctx, key)
}

func enqueueCSR(queue workqueue.TypedRateLimitingInterface[string], obj any) {
	if csr, ok := obj.(*certificatesv1.CertificateSigningRequest); ok && !decided(csr) {
		queue.Add(keyCSR + csr.Name)
	}
}

func decided(csr *certificatesv1.CertificateSigningRequest) bool {
	for _, c := range csr.Status.Conditions {
		if c.Type == certificatesv1.CertificateApproved || c.Type == certificatesv1.CertificateDenied {
			return true
		}
	}
	return false
}

// reviewer does the work of one queue item at a time.
type reviewer struct {
	log    logr.Logger
	client kubernetes.Interface
	cfg    *config.Config
	csrs   certlisters.CertificateSigningRequestLister
	nodes  corelisters.NodeLister
}

func (r *reviewer) process(ctx context.Context, key string) error {
	switch {
	case key == keyReserve:
		return r.reservePrimaryIndex(ctx)
	case strings.HasPrefix(key, keyNodeAdded):
		return r.nodeAdded(ctx, strings.TrimPrefix(key, keyNodeAdded))
	case strings.HasPrefix(key, keyNodeDeleted):
		return r.nodeDeleted(ctx, strings.TrimPrefix(key, keyNodeDeleted))
	case strings.HasPrefix(key, keyCSR):
		csr, err := r.csrs.Get(strings.TrimPrefix(key, keyCSR))
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil || decided(csr) {
			return err
		}
		return r.review(ctx, csr)
	}
	return fmt.Errorf("unknown item %q", key)
}

// review decides one undecided CSR. An error means "try again later".
func (r *reviewer) review(ctx context.Context, csr *certificatesv1.CertificateSigningRequest) error {
	var verdict error
	switch {
	case csr.Spec.SignerName == join.SignerName:
		verdict = r.reviewJoin(ctx, csr)
	case csr.Spec.SignerName == certificatesv1.KubeAPIServerClientKubeletSignerName && join.TokenIDOf(csr.Spec.Username) != "":
		verdict = r.reviewBootstrapClient(ctx, csr)
	case csr.Spec.SignerName == certificatesv1.KubeletServingSignerName:
		verdict = r.reviewServing(ctx, csr)
	default:
		return nil // someone else's
	}
	var d denial
	if errors.As(verdict, &d) {
		return r.decide(ctx, csr, certificatesv1.CertificateDenied, d.reason, d.msg)
	}
	return verdict
}

// denial is a verdict: the request is wrong, not the moment.
type denial struct{ reason, msg string }

func (d denial) Error() string { return d.msg }

func deny(reason, format string, args ...any) error {
	return denial{reason: reason, msg: fmt.Sprintf(format, args...)}
}

func (r *reviewer) decide(ctx context.Context, csr *certificatesv1.CertificateSigningRequest, kind certificatesv1.RequestConditionType, reason, msg string) error {
	csr = csr.DeepCopy()
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: kind, Status: corev1.ConditionTrue, Reason: reason, Message: msg,
	})
	if _, err := r.client.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, csr.Name, csr, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("%s CSR %s: %w", strings.ToLower(string(kind)), csr.Name, err)
	}
	r.log.Info("node certificate request "+strings.ToLower(string(kind)), "csr", csr.Name, "signer", csr.Spec.SignerName, "requester", csr.Spec.Username, "reason", msg)
	return nil
}

func (r *reviewer) leases() leaseClient {
	return r.client.CoordinationV1().Leases(join.LeaseNamespace)
}

type leaseClient interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (*coordinationv1.Lease, error)
	List(ctx context.Context, opts metav1.ListOptions) (*coordinationv1.LeaseList, error)
	Create(ctx context.Context, lease *coordinationv1.Lease, opts metav1.CreateOptions) (*coordinationv1.Lease, error)
	Update(ctx context.Context, lease *coordinationv1.Lease, opts metav1.UpdateOptions) (*coordinationv1.Lease, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
}

func newLease(name, holder string, annotations map[string]string) *coordinationv1.Lease {
	return &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: join.LeaseNamespace, Annotations: annotations,
			Labels: map[string]string{"app.kubernetes.io/managed-by": "kubenode"}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder},
	}
}

func holderOf(l *coordinationv1.Lease) string {
	if l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

// reservePrimaryIndex holds index 1 for the primary, so no join takes it.
func (r *reviewer) reservePrimaryIndex(ctx context.Context) error {
	_, err := r.leases().Create(ctx, newLease(join.IndexLeasePrefix+"1", join.PrimaryHolder,
		map[string]string{join.AnnotationNodeIPs: join.FormatIPs(r.cfg.NodeIPs)}), metav1.CreateOptions{})
	if err == nil || apierrors.IsAlreadyExists(err) {
		return nil
	}
	return fmt.Errorf("reserve node index 1: %w", err)
}

// reviewJoin answers a join request: the token's first host gets an index.
func (r *reviewer) reviewJoin(ctx context.Context, csr *certificatesv1.CertificateSigningRequest) error {
	tokenID := join.TokenIDOf(csr.Spec.Username)
	if tokenID == "" || !slices.Contains(csr.Spec.Groups, join.WorkerGroup) {
		return deny("NotAJoinToken", "the requester %q is not a kubenode join token (group %s)", csr.Spec.Username, join.WorkerGroup)
	}
	req, err := join.ParseRequest(csr)
	if err != nil {
		return deny("BadJoinRequest", "join request: %v", err)
	}
	leases := r.leases()
	claimName := join.TokenLeasePrefix + tokenID
	claim, err := leases.Get(ctx, claimName, metav1.GetOptions{})
	switch {
	case err == nil && holderOf(claim) != req.JoinID:
		return deny("TokenUsed", "token %s was already used to join another host; tokens are single-use: make a new one with `kubenode token create` on the primary", tokenID)
	case err == nil:
		return r.approveJoin(ctx, csr, claim)
	case !apierrors.IsNotFound(err):
		return err
	}
	list, err := leases.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	others := slices.DeleteFunc(slices.Clone(list.Items), func(l coordinationv1.Lease) bool { return holderOf(&l) == req.JoinID })
	if err := r.checkJoinIPs(req, others); err != nil {
		return err
	}
	index, err := r.allocateIndex(ctx, leases, list.Items, req, tokenID)
	if err != nil {
		return err
	}
	claim, err = leases.Create(ctx, newLease(claimName, req.JoinID, map[string]string{join.AnnotationNodeIndex: strconv.Itoa(index)}), metav1.CreateOptions{})
	if err != nil {
		return err // the index Lease stays with this join; a retry finds it
	}
	return r.approveJoin(ctx, csr, claim)
}

func (r *reviewer) approveJoin(ctx context.Context, csr *certificatesv1.CertificateSigningRequest, claim *coordinationv1.Lease) error {
	index, _ := strconv.Atoi(claim.Annotations[join.AnnotationNodeIndex])
	return r.decide(ctx, csr, certificatesv1.CertificateApproved, "KubenodeJoin",
		fmt.Sprintf("node index %d (%s)", index, config.NodeNameOf(index, r.cfg.ClusterDomain)))
}

// allocateIndex returns the index whose Lease this join holds, creating the
// wanted or the lowest free one when it holds none.
func (r *reviewer) allocateIndex(ctx context.Context, leases leaseClient, existing []coordinationv1.Lease, req join.Request, tokenID string) (int, error) {
	for _, l := range existing {
		if n := join.IndexOf(l.Name); n > 1 && holderOf(&l) == req.JoinID {
			return n, nil
		}
	}
	try := func(n int) (bool, error) {
		_, err := leases.Create(ctx, newLease(join.IndexLeasePrefix+strconv.Itoa(n), req.JoinID, map[string]string{
			join.AnnotationTokenID: tokenID, join.AnnotationNodeIPs: join.FormatIPs(req.NodeIPs),
		}), metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return false, nil
		}
		return err == nil, err
	}
	if req.Index > 0 {
		ok, err := try(req.Index)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, deny("IndexTaken", "node index %d is already taken by another node: remove nodeIndex from the worker's config to get a free one", req.Index)
		}
		return req.Index, nil
	}
	for n := 2; n <= 255; n++ {
		ok, err := try(n)
		if err != nil {
			return 0, err
		}
		if ok {
			return n, nil
		}
	}
	return 0, deny("NoFreeIndex", "all node indexes 2..255 are taken: delete the Nodes of hosts that are gone (kubenode kubectl delete node NAME) to free theirs")
}

// checkJoinIPs refuses node IPs a worker must not claim: none at all, ones
// that are not unicast, the cluster's own ranges, the primary's addresses
// and addresses another join recorded.
func (r *reviewer) checkJoinIPs(req join.Request, leases []coordinationv1.Lease) error {
	if len(req.NodeIPs) == 0 {
		return deny("BadNodeIP", "the join request names no node IP")
	}
	taken := r.takenAddresses("", leases)
	for _, a := range req.NodeIPs {
		if why := r.forbiddenAddress(a, 0, taken); why != "" {
			hint := "give the worker its own underlay address (--node-ip)"
			if owner := taken[a.Unmap()]; owner != "" && owner != "the primary" {
				hint = "if that host is gone or was reset, delete its Node on the primary (kubenode kubectl delete node " + owner + ") and join again"
			}
			return deny("BadNodeIP", "node IP %s %s: %s", a, why, hint)
		}
	}
	return nil
}

// takenAddresses maps the addresses of every node but except (the
// primary's, other Nodes', and those recorded at join) to their owner.
func (r *reviewer) takenAddresses(except string, leases []coordinationv1.Lease) map[netip.Addr]string {
	taken := map[netip.Addr]string{}
	for _, a := range append(append([]netip.Addr{}, r.cfg.NodeIPs...), r.cfg.HostIPs()...) {
		taken[a] = "the primary"
	}
	for _, l := range leases {
		if n := join.IndexOf(l.Name); n > 1 && config.NodeNameOf(n, r.cfg.ClusterDomain) != except {
			for _, a := range join.ParseIPs(l.Annotations[join.AnnotationNodeIPs]) {
				taken[a] = config.NodeNameOf(n, r.cfg.ClusterDomain)
			}
		}
	}
	if nodes, err := r.nodes.List(labels.Everything()); err == nil {
		for _, n := range nodes {
			if n.Name == except {
				continue
			}
			for _, na := range n.Status.Addresses {
				if a, err := netip.ParseAddr(na.Address); err == nil && taken[a.Unmap()] == "" {
					taken[a.Unmap()] = n.Name
				}
			}
		}
	}
	return taken
}

// forbiddenAddress says why node index (0: not yet known) must not have a
// at the underlay or in a certificate, or "".
func (r *reviewer) forbiddenAddress(a netip.Addr, index int, taken map[netip.Addr]string) string {
	a = a.Unmap()
	if !a.IsGlobalUnicast() {
		return "is not a unicast address another host can reach"
	}
	if owner, ok := taken[a]; ok {
		return "belongs to " + owner
	}
	for _, p := range r.cfg.ServiceCIDRs {
		if p.Contains(a) {
			return "is in the Service range " + p.String()
		}
	}
	for _, p := range r.cfg.ClusterCIDRs {
		if !p.Contains(a) {
			continue
		}
		if index > 1 && slices.Contains(r.cfg.HostIPsOf(index), a) {
			return "" // the node's own brkube address
		}
		return "is in the cluster's pod range " + p.String()
	}
	return ""
}

// reviewBootstrapClient approves a kubelet client certificate requested
// with a bootstrap token for exactly the node that token joined, once.
func (r *reviewer) reviewBootstrapClient(ctx context.Context, csr *certificatesv1.CertificateSigningRequest) error {
	tokenID := join.TokenIDOf(csr.Spec.Username)
	leases := r.leases()
	claim, err := leases.Get(ctx, join.TokenLeasePrefix+tokenID, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return deny("NotJoined", "bootstrap token %s has not joined a node through the primary", tokenID)
	}
	if err != nil {
		return err
	}
	index, _ := strconv.Atoi(claim.Annotations[join.AnnotationNodeIndex])
	if index < 2 || index > 255 {
		return deny("NotJoined", "bootstrap token %s's join record names no worker index", tokenID)
	}
	nodeName := config.NodeNameOf(index, r.cfg.ClusterDomain)
	if err := CheckClient(csr, nodeName); err != nil {
		return deny("WrongNode", "%v", err)
	}
	switch prev := claim.Annotations[join.AnnotationClientCSR]; prev {
	case "":
		claim = claim.DeepCopy()
		claim.Annotations[join.AnnotationClientCSR] = csr.Name
		if _, err := leases.Update(ctx, claim, metav1.UpdateOptions{}); err != nil {
			return err
		}
	case csr.Name:
	default:
		return deny("TokenUsed", "bootstrap token %s already got the client certificate of %s (CSR %s); a token gets one", tokenID, nodeName, prev)
	}
	return r.decide(ctx, csr, certificatesv1.CertificateApproved, "KubenodeJoinedNode", "kubenode: the node this bootstrap token joined")
}

// reviewServing approves a kubelet serving certificate for the requesting
// node's own name and addresses.
func (r *reviewer) reviewServing(ctx context.Context, csr *certificatesv1.CertificateSigningRequest) error {
	nodeName, ok := strings.CutPrefix(csr.Spec.Username, "system:node:")
	if !ok {
		return deny("NotANode", "requester %q is not a node", csr.Spec.Username)
	}
	node, err := r.nodes.Get(nodeName)
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("node %s is not registered yet", nodeName) // retried: the kubelet may ask first
	}
	if err != nil {
		return err
	}
	if err := Check(csr, node); err != nil {
		return deny("NotTheNodesOwn", "%v", err)
	}
	req, _ := parseRequest(csr)
	index := indexOfNode(nodeName, r.cfg.ClusterDomain)
	if index < 1 {
		return deny("NotANode", "%s is not a kubenode node name", nodeName)
	}
	leases, err := r.leases().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	taken := r.takenAddresses(nodeName, leases.Items)
	for _, ip := range req.IPAddresses {
		a, _ := netip.AddrFromSlice(ip)
		if why := r.forbiddenAddress(a, index, taken); why != "" {
			return deny("NotTheNodesOwn", "IP %s %s", a.Unmap(), why)
		}
	}
	return r.decide(ctx, csr, certificatesv1.CertificateApproved, "KubenodeNodeServing", "kubenode: the node's own name and addresses")
}

// nodeAdded deletes the token of a node that registered: its join is done.
func (r *reviewer) nodeAdded(ctx context.Context, name string) error {
	index := indexOfNode(name, r.cfg.ClusterDomain)
	if index < 2 {
		return nil
	}
	l, err := r.leases().Get(ctx, join.IndexLeasePrefix+strconv.Itoa(index), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	id := l.Annotations[join.AnnotationTokenID]
	if id == "" {
		return nil
	}
	err = r.client.CoreV1().Secrets(metav1.NamespaceSystem).Delete(ctx, bootstraputil.BootstrapTokenSecretName(id), metav1.DeleteOptions{})
	switch {
	case err == nil:
		r.log.Info("deleted the join token of a registered node", "node", name, "token", id)
	case !apierrors.IsNotFound(err):
		return err
	}
	return nil
}

// nodeDeleted frees the index of a deleted worker Node and its join
// record, so a host that joins again can have it.
func (r *reviewer) nodeDeleted(ctx context.Context, name string) error {
	index := indexOfNode(name, r.cfg.ClusterDomain)
	if index < 2 {
		return nil
	}
	if _, err := r.nodes.Get(name); err == nil {
		return nil // registered again meanwhile
	}
	leases := r.leases()
	l, err := leases.Get(ctx, join.IndexLeasePrefix+strconv.Itoa(index), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if id := l.Annotations[join.AnnotationTokenID]; id != "" {
		if err := leases.Delete(ctx, join.TokenLeasePrefix+id, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	uid := l.UID
	if err := leases.Delete(ctx, l.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	r.log.Info("freed the node index of a deleted Node", "node", name, "index", index)
	return nil
}

// indexOfNode is N of nodeN.<domain>, or 0.
func indexOfNode(name, domain string) int {
	s, ok := strings.CutSuffix(name, "."+domain)
	if !ok {
		return 0
	}
	s, ok = strings.CutPrefix(s, "node")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 255 || config.NodeNameOf(n, domain) != name {
		return 0
	}
	return n
}

func parseRequest(csr *certificatesv1.CertificateSigningRequest) (*x509.CertificateRequest, error) {
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil {
		return nil, errors.New("request is not PEM")
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	return req, nil
}

// CheckClient says why a kubelet client CSR must not be approved for
// nodeName, or nil.
func CheckClient(csr *certificatesv1.CertificateSigningRequest, nodeName string) error {
	req, err := parseRequest(csr)
	if err != nil {
		return err
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
	req, err := parseRequest(csr)
	if err != nil {
		return err
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
