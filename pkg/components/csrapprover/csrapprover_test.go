package csrapprover

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"strings"
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func csrFor(t *testing.T, cn string, org []string, dns []string, ips []net.IP, usages ...certificatesv1.KeyUsage) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn, Organization: org}, DNSNames: dns, IPAddresses: ips,
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	return &certificatesv1.CertificateSigningRequest{Spec: certificatesv1.CertificateSigningRequestSpec{
		Request: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
		Usages:  usages,
	}}
}

var nodes = []string{"system:nodes"}

func TestCheckServing(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node2.k8s.internal"}, Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: "192.168.77.2"}, {Type: corev1.NodeInternalIP, Address: "fd77::2"}, {Type: corev1.NodeHostName, Address: "node2.k8s.internal"},
	}}}
	serving := []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageServerAuth}
	good := func(c *certificatesv1.CertificateSigningRequest) *certificatesv1.CertificateSigningRequest {
		c.Spec.Username, c.Spec.Groups = "system:node:node2.k8s.internal", []string{"system:nodes", "system:authenticated"}
		return c
	}
	ok := good(csrFor(t, "system:node:node2.k8s.internal", nodes, []string{"node2.k8s.internal"}, []net.IP{net.ParseIP("192.168.77.2"), net.ParseIP("fd77::2")}, serving...))
	if err := Check(ok, node); err != nil {
		t.Fatalf("the node's own serving CSR refused: %v", err)
	}
	for name, tc := range map[string]struct {
		csr  *certificatesv1.CertificateSigningRequest
		want string
	}{
		"another node's name":   {good(csrFor(t, "system:node:node2.k8s.internal", nodes, []string{"node1.k8s.internal"}, nil, serving...)), "is not the node's name"},
		"another address":       {good(csrFor(t, "system:node:node2.k8s.internal", nodes, nil, []net.IP{net.ParseIP("192.168.77.1")}, serving...)), "is not an address of node"},
		"subject of other node": {good(csrFor(t, "system:node:node1.k8s.internal", nodes, nil, nil, serving...)), "is not the requesting node"},
		"client usage":          {good(csrFor(t, "system:node:node2.k8s.internal", nodes, nil, nil, certificatesv1.UsageClientAuth)), "is not for serving"},
	} {
		if err := Check(tc.csr, node); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
		}
	}
	bootstrap := csrFor(t, "system:node:node2.k8s.internal", nodes, nil, nil, serving...)
	bootstrap.Spec.Username = "system:bootstrap:abcdef"
	if err := Check(bootstrap, node); err == nil {
		t.Error("a serving CSR from a bootstrap token was approved")
	}
}

func TestCheckClient(t *testing.T) {
	name := "node3.k8s.internal"
	clientUsages := []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageClientAuth}
	if err := CheckClient(csrFor(t, "system:node:node3.k8s.internal", nodes, nil, nil, clientUsages...), name); err != nil {
		t.Fatalf("the joined node's client CSR refused: %v", err)
	}
	for what, csr := range map[string]*certificatesv1.CertificateSigningRequest{
		"the primary's name":   csrFor(t, "system:node:node1.k8s.internal", nodes, nil, nil, clientUsages...),
		"another group":        csrFor(t, "system:node:node3.k8s.internal", []string{"system:masters"}, nil, nil, clientUsages...),
		"a serving usage":      csrFor(t, "system:node:node3.k8s.internal", nodes, nil, nil, certificatesv1.UsageServerAuth),
		"host names requested": csrFor(t, "system:node:node3.k8s.internal", nodes, []string{"node3.k8s.internal"}, nil, clientUsages...),
	} {
		if err := CheckClient(csr, name); err == nil {
			t.Errorf("%s: approved", what)
		}
	}
}
