package join

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	authorizationv1 "k8s.io/api/authorization/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// The join protocol. A worker cannot be trusted to write the record of its
// own join: anything a bootstrap token may create, any token holder may
// create with any content. So the worker only asks, and the primary writes:
//
//  1. With its bootstrap token the worker files a CertificateSigningRequest
//     with signer SignerName (the request, RequestCSR). The apiserver
//     records who asks (spec.username system:bootstrap:<token ID>), which
//     no requester can forge. Nothing ever signs it.
//  2. The primary's csr-approver takes the token (Lease TokenLeasePrefix+ID,
//     created atomically, so each token joins one host), allocates the node
//     index (Lease IndexLeasePrefix+N, with the token ID and the node IPs
//     the worker announced) and approves the request, or denies it with the
//     reason.
//  3. The worker reads its index from the token's Lease. Bootstrap tokens may
//     get Leases, never create or list them, and nodes may write only their
//     own heartbeat Lease (NodeRestriction), so both Leases are the
//     primary's word.
//  4. The kubelet's TLS bootstrap then gets exactly the client certificate
//     of that index's node, once per token; the primary deletes the token
//     when that node registers.
const (
	SignerName       = "kubenode.io/join"
	RequestPrefix    = "kubenode-join-"
	LeaseNamespace   = "kube-node-lease"
	TokenLeasePrefix = "kubenode-token-"
	IndexLeasePrefix = "kubenode-index-"

	// On index Leases: the token that joined the node and the node IPs it
	// announced. On token Leases: the index, and the one kubelet client
	// CSR approved for the token.
	AnnotationTokenID   = "kubenode.io/token-id"
	AnnotationNodeIPs   = "kubenode.io/node-ips"
	AnnotationNodeIndex = "kubenode.io/node-index"
	AnnotationClientCSR = "kubenode.io/client-csr"

	// PrimaryHolder holds index 1, which no join can take.
	PrimaryHolder = "primary"

	requestCNPrefix = "kubenode-join:"
)

// Request is what a joining worker asks for.
type Request struct {
	JoinID  string       // random, one per host and join; names the request
	NodeIPs []netip.Addr // the worker's underlay addresses
	Index   int          // a wanted node index; 0 for the lowest free one
}

// RequestCSR is the join request object for r. Its x509 request carries
// the join ID as subject and the node IPs (signed by a throwaway key: only
// the object's requester matters).
func RequestCSR(r Request) (*certificatesv1.CertificateSigningRequest, error) {
	if r.JoinID == "" || strings.ContainsAny(r.JoinID, " /:") {
		return nil, fmt.Errorf("join ID %q is not a plain name", r.JoinID)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: requestCNPrefix + r.JoinID}}
	for _, a := range r.NodeIPs {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(a.AsSlice()))
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, err
	}
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: RequestPrefix + r.JoinID, Labels: map[string]string{"app.kubernetes.io/managed-by": "kubenode"}},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
			SignerName: SignerName,
			Usages:     []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageClientAuth},
		},
	}
	if r.Index > 0 {
		csr.Annotations = map[string]string{AnnotationNodeIndex: strconv.Itoa(r.Index)}
	}
	return csr, nil
}

// ParseRequest reads a join request filed by RequestCSR. Its requester is
// not checked here.
func ParseRequest(csr *certificatesv1.CertificateSigningRequest) (Request, error) {
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil {
		return Request{}, errors.New("request is not PEM")
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return Request{}, fmt.Errorf("request: %w", err)
	}
	id, ok := strings.CutPrefix(req.Subject.CommonName, requestCNPrefix)
	if !ok || id == "" || csr.Name != RequestPrefix+id {
		return Request{}, fmt.Errorf("subject %q does not match request %s", req.Subject.CommonName, csr.Name)
	}
	if len(req.DNSNames) > 0 || len(req.EmailAddresses) > 0 || len(req.URIs) > 0 {
		return Request{}, errors.New("a join request names only IP addresses")
	}
	r := Request{JoinID: id}
	for _, ip := range req.IPAddresses {
		a, _ := netip.AddrFromSlice(ip)
		r.NodeIPs = append(r.NodeIPs, a.Unmap())
	}
	if s, ok := csr.Annotations[AnnotationNodeIndex]; ok {
		if r.Index, err = strconv.Atoi(s); err != nil || r.Index < 2 || r.Index > 255 {
			return Request{}, fmt.Errorf("wanted node index %q is not in 2..255", s)
		}
	}
	return r, nil
}

// TokenIDOf is the bootstrap token ID of a requester (system:bootstrap:ID),
// or "".
func TokenIDOf(username string) string {
	id, _ := strings.CutPrefix(username, "system:bootstrap:")
	if id == username {
		return ""
	}
	return id
}

// FormatIPs and ParseIPs write and read the node-IPs annotation.
func FormatIPs(ips []netip.Addr) string {
	s := make([]string, len(ips))
	for i, a := range ips {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

func ParseIPs(s string) []netip.Addr {
	var out []netip.Addr
	for _, f := range strings.Split(s, ",") {
		if a, err := netip.ParseAddr(strings.TrimSpace(f)); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// IndexOf reads the index of an index Lease name, or 0.
func IndexOf(leaseName string) int {
	s, ok := strings.CutPrefix(leaseName, IndexLeasePrefix)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 255 {
		return 0
	}
	return n
}

// Transient says whether err is the primary not being ready yet (starting,
// RBAC for joins not applied, overloaded), which a join waits out, rather
// than an answer.
func Transient(err error) bool {
	switch {
	case err == nil:
		return false
	case apierrors.IsForbidden(err), apierrors.IsServiceUnavailable(err), apierrors.IsTooManyRequests(err),
		apierrors.IsInternalError(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err):
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// ErrNotJoinable: the primary runs but does not let join tokens join yet.
var ErrNotJoinable = errors.New("the primary does not accept joins yet")

// JoinsAccepted says why the primary would not yet accept a join with a
// kubenode join token (its RBAC for join tokens not applied yet), or nil.
func JoinsAccepted(ctx context.Context, client kubernetes.Interface) error {
	for _, ra := range []authorizationv1.ResourceAttributes{
		{Group: "certificates.k8s.io", Resource: "certificatesigningrequests", Verb: "create"},
		{Group: "coordination.k8s.io", Resource: "leases", Verb: "get", Namespace: LeaseNamespace, Name: TokenLeasePrefix + "abcdef"},
	} {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: "system:bootstrap:abcdef", Groups: []string{"system:bootstrappers", WorkerGroup, "system:authenticated"},
			ResourceAttributes: &ra,
		}}
		got, err := client.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		if !got.Status.Allowed {
			return fmt.Errorf("%w: join tokens may not %s %s (RBAC for joins not applied)", ErrNotJoinable, ra.Verb, ra.Resource)
		}
	}
	return nil
}
