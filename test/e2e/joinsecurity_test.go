package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestJoinSecurity performs the join-token attacks against a real primary
// and a real worker, and checks the faults around a join:
//   - a join token can neither write join records (Leases) nor list them,
//     and its kubelet client CSR for the primary's name is denied;
//   - a worker started before its primary waits for it, token create on a
//     starting primary waits until it accepts joins, and a kubelet
//     certificate of another cluster in its kubelet dir is moved aside;
//   - a token stops authenticating once its node registered;
//   - a worker that put the primary's and the API Service's addresses on
//     its Node gets no serving certificate for them, and kubelet serving
//     certificates do not verify against the cluster CA at all;
//   - a reset worker deletes its Node, the primary frees its index, and
//     the host joins again as the same node.
func TestJoinSecurity(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	p1 := startPrimary(t, h1)
	caFile := filepath.Join(h1.dataDir(), "pki", "ca.crt")
	server := "https://" + net.JoinHostPort(h1.addr4, "6443")

	attackTok := createToken(t, h1)
	bearer := tokenField(t, attackTok, "token")
	tokenKC := writeTestKubeconfig(t, filepath.Join(h1.root, "token.kubeconfig"), server, caFile, "    token: "+bearer+"\n")

	t.Run("a join token writes and lists no join records and gets no node identity", func(t *testing.T) {
		leaseFile := filepath.Join(h1.root, "lease.yaml")
		for _, name := range []string{"kubenode-index-1", "kubenode-index-7", "kubenode-token-" + bearer[:6]} {
			write(t, leaseFile, fmt.Sprintf("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: %s, namespace: kube-node-lease}\nspec: {holderIdentity: attacker}\n", name))
			out, err := h1.run("kubectl", "--kubeconfig", tokenKC, "create", "-f", leaseFile)
			if err == nil || !strings.Contains(out, "forbidden") {
				t.Fatalf("a join token created Lease %s: %v\n%s", name, err, out)
			}
		}
		if out, err := h1.run("kubectl", "--kubeconfig", tokenKC, "get", "leases", "-n", "kube-node-lease"); err == nil || !strings.Contains(out, "forbidden") {
			t.Fatalf("a join token listed the join records: %v\n%s", err, out)
		}
		csr := csrManifest(t, "attack-primary-client", "kubernetes.io/kube-apiserver-client-kubelet",
			"system:node:node1.k8s.internal", nil, "digital signature", "client auth")
		csrFile := filepath.Join(h1.root, "csr.yaml")
		write(t, csrFile, csr)
		if out, err := h1.run("kubectl", "--kubeconfig", tokenKC, "create", "-f", csrFile); err != nil {
			t.Fatalf("filing the CSR: %v\n%s", err, out)
		}
		wantDenied(t, h1, "attack-primary-client")
	})

	// The primary is down when the worker starts: the worker waits.
	tok := createToken(t, h1)
	if _, err := p1.stop(20 * time.Second); err != nil {
		t.Fatalf("stop primary: %v", err)
	}
	foreign := filepath.Join(h2.root, "kubelet", "pki")
	if err := os.MkdirAll(foreign, 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(foreign, "kubelet-client-current.pem"), selfSignedPair(t, "system:node:node2.k8s.internal"))
	h2.ensureRuntimeConfig()
	p2 := h2.start(append(append([]string{"worker"}, h2.nodeArgs()...), "--join", tok)...)
	p2.waitLog("primary not accepting joins yet; waiting", time.Minute)
	p1 = h1.start(append([]string{"primary"}, h1.nodeArgs()...)...)
	// token create on a primary that is starting waits until it accepts
	// joins.
	eventually(t, 30*time.Second, "the starting primary's status socket", func() error {
		if !fileExists(filepath.Join(h1.runDir(), "status.sock")) {
			return fmt.Errorf("no status socket yet")
		}
		return nil
	})
	if out, err := h1.run(append([]string{"token", "create"}, h1.nodeArgs()...)...); err != nil || !joinLine.MatchString(out) || !strings.Contains(out, "waiting for the primary to accept joins") {
		t.Fatalf("token create on a starting primary: %v\n%s", err, out)
	}
	p1.waitLog("node ready", readyTimeout)
	p2.waitLog("node ready", readyTimeout)
	if !strings.Contains(p2.output(), "kubelet certificates not signed by this cluster's CA moved aside") {
		t.Fatalf("the worker did not say it moved the other cluster's certificate aside:\n%s", p2.tail(60))
	}
	if aside, _ := filepath.Glob(foreign + ".other-cluster-*"); len(aside) != 1 {
		t.Fatalf("the other cluster's kubelet certificates were not kept aside: %v", aside)
	}

	t.Run("a used token stops authenticating", func(t *testing.T) {
		eventually(t, time.Minute, "the used token refused", func() error {
			if code, body := bearerGet(t, h1, "/api", tokenField(t, tok, "token")); code != http.StatusUnauthorized {
				return fmt.Errorf("GET /api with the used token: %d %s", code, body)
			}
			return nil
		})
	})

	t.Run("a worker gets no serving certificate for the primary's address", func(t *testing.T) {
		pair := filepath.Join(h2.root, "kubelet", "pki", "kubelet-client-current.pem")
		nodeKC := writeTestKubeconfig(t, filepath.Join(h2.root, "node.kubeconfig"), server, caFile,
			"    client-certificate: "+pair+"\n    client-key: "+pair+"\n")
		// A node may update its own status (NodeRestriction) but not read
		// nodes/status, which kubectl patch does first: PUT it raw.
		out, err := h2.run("kubectl", "--kubeconfig", nodeKC, "get", "node", "node2.k8s.internal", "-o", "json")
		if err != nil {
			t.Fatalf("the worker reads its Node: %v\n%s", err, out)
		}
		var nodeObj map[string]any
		if err := json.Unmarshal([]byte(out), &nodeObj); err != nil {
			t.Fatal(err)
		}
		status := nodeObj["status"].(map[string]any)
		status["addresses"] = append(status["addresses"].([]any),
			map[string]any{"type": "InternalIP", "address": h1.addr4}, map[string]any{"type": "InternalIP", "address": "10.88.0.1"})
		nodeFile := filepath.Join(h2.root, "node.json")
		b, _ := json.Marshal(nodeObj)
		write(t, nodeFile, string(b))
		if out, err := h2.run("kubectl", "--kubeconfig", nodeKC, "replace", "--raw", "/api/v1/nodes/node2.k8s.internal/status", "-f", nodeFile); err != nil {
			t.Fatalf("the worker puts the primary's address on its own Node (admission allows it): %v\n%s", err, out)
		}
		csrFile := filepath.Join(h2.root, "serving-csr.yaml")
		write(t, csrFile, csrManifest(t, "attack-serving", "kubernetes.io/kubelet-serving", "system:node:node2.k8s.internal",
			[]net.IP{net.ParseIP(h2.addr4), net.ParseIP(h1.addr4), net.ParseIP("10.88.0.1")}, "digital signature", "key encipherment", "server auth"))
		if out, err := h2.run("kubectl", "--kubeconfig", nodeKC, "create", "-f", csrFile); err != nil {
			t.Fatalf("filing the serving CSR: %v\n%s", err, out)
		}
		wantDenied(t, h1, "attack-serving")

		// The worker's real serving certificate: from the kubelet-serving
		// CA, which no API client trusts for the apiserver.
		serving, err := os.ReadFile(filepath.Join(h2.root, "kubelet", "pki", "kubelet-server-current.pem"))
		if err != nil {
			t.Fatalf("the worker has no serving certificate: %v", err)
		}
		if verifies(t, serving, caFile) {
			t.Fatal("a kubelet serving certificate verifies against the cluster CA: a worker could pass for the apiserver")
		}
		if !verifies(t, serving, filepath.Join(h1.dataDir(), "pki", "kubelet-serving", "ca.crt")) {
			t.Fatal("the worker's serving certificate is not from the kubelet-serving CA")
		}
		primaryServing, err := os.ReadFile(filepath.Join(h1.dataDir(), "pki", "kubelet-serving", "kubelet-serving-node1.k8s.internal.crt"))
		if err != nil || verifies(t, primaryServing, caFile) {
			t.Fatalf("the primary's kubelet serving certificate: %v, or it verifies against the cluster CA", err)
		}
		// The apiserver still reaches the worker's kubelet.
		eventually(t, 30*time.Second, "logs through the apiserver", func() error {
			out, err := h1.kubectl("get", "--raw", "/api/v1/nodes/node2.k8s.internal/proxy/healthz")
			if err != nil || strings.TrimSpace(out) != "ok" {
				return fmt.Errorf("%v: %s", err, out)
			}
			return nil
		})
	})

	t.Run("a reset worker frees its index and joins again as the same node", func(t *testing.T) {
		if _, err := p2.stop(20 * time.Second); err != nil {
			t.Fatalf("stop worker: %v", err)
		}
		out, err := h2.run(append([]string{"reset"}, h2.nodeArgs()...)...)
		if err != nil || !strings.Contains(out, "deleted Node node2.k8s.internal") {
			t.Fatalf("reset: %v\n%s", err, out)
		}
		eventually(t, 30*time.Second, "index 2 freed", func() error {
			out, err := h1.kubectl("get", "leases", "-n", "kube-node-lease", "-o", "name")
			if err != nil {
				return fmt.Errorf("%v: %s", err, out)
			}
			if strings.Contains(out, "kubenode-index-2") || !strings.Contains(out, "kubenode-index-1") {
				return fmt.Errorf("leases:\n%s", out)
			}
			return nil
		})
		startWorker(t, h2, createToken(t, h1))
		if name := h1.mustKubectl("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"); name != "node1.k8s.internal node2.k8s.internal" {
			t.Fatalf("nodes after the rejoin: %q", name)
		}
	})
}

// wantDenied waits until CSR name is denied and checks it got no
// certificate.
func wantDenied(t *testing.T, h *host, name string) {
	t.Helper()
	eventually(t, 30*time.Second, "CSR "+name+" denied", func() error {
		out, err := h.kubectl("get", "csr", name, "-o", "jsonpath={.status.conditions[*].type} {.status.conditions[*].message}|{.status.certificate}")
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		conds, cert, _ := strings.Cut(out, "|")
		if strings.HasPrefix(conds, "Approved") || cert != "" {
			t.Fatalf("CSR %s was approved: %s", name, out)
		}
		if !strings.HasPrefix(conds, "Denied") {
			return fmt.Errorf("CSR %s: %q", name, out)
		}
		t.Logf("CSR %s: %s", name, conds)
		return nil
	})
}

// bearerGet is GET path on h's API with a bearer token.
func bearerGet(t *testing.T, h *host, path, bearer string) (int, string) {
	t.Helper()
	return getWith(t, h, path, "E2E_BEARER="+bearer)
}

func writeTestKubeconfig(t *testing.T, path, server, caFile, user string) string {
	t.Helper()
	write(t, path, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: %q, certificate-authority: %q}
users:
- name: u
  user:
%scontexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`, server, caFile, user))
	return path
}

// csrManifest is a CertificateSigningRequest object for a fresh key.
func csrManifest(t *testing.T, name, signer, cn string, ips []net.IP, usages ...string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn, Organization: []string{"system:nodes"}}, IPAddresses: ips,
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	req := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	return fmt.Sprintf("apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: %s}\nspec:\n  signerName: %s\n  request: %s\n  usages: [%s]\n",
		name, signer, req, strings.Join(usages, ", "))
}

// selfSignedPair is a certificate and key (one PEM file, as the kubelet
// keeps them) of a CA that is no cluster's.
func selfSignedPair(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: bigOne(), Subject: pkix.Name{CommonName: cn, Organization: []string{"system:nodes"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})) + string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

// verifies says whether the first certificate of pemData verifies against
// the CA in caFile.
func verifies(t *testing.T, pemData []byte, caFile string) bool {
	t.Helper()
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	for rest := pemData; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			t.Fatal("no certificate in the PEM data")
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		return err == nil
	}
}

func bigOne() *big.Int { return big.NewInt(1) }
