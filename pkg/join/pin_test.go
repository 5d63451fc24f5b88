package join

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubenode/kubenode/pkg/pki"
)

// cluster is a CA with a serving certificate for 127.0.0.1, made by pkg/pki
// as the primary makes its own.
type cluster struct {
	ca   *pki.CA
	leaf *pki.KeyPair
}

func newCluster(t *testing.T) cluster {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	store, err := pki.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	store.Logf = t.Logf
	ca, err := store.EnsureCA()
	if err != nil {
		t.Fatal(err)
	}
	leaf, _, err := store.EnsureCert(ca, pki.CertSpec{Name: "apiserver", CommonName: "kube-apiserver", Server: true,
		IPs: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"api.k8s.internal"}})
	if err != nil {
		t.Fatal(err)
	}
	return cluster{ca: ca, leaf: leaf}
}

// server is an HTTPS server on 127.0.0.1 that presents chain (DER, leaf
// first) with key, and counts the requests that reach it and the bearer
// tokens it was sent.
type server struct {
	*httptest.Server
	requests atomic.Int32
	bearer   atomic.Value
}

func serve(t *testing.T, cert tls.Certificate) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.bearer.Store(r.Header.Get("Authorization"))
		w.Write([]byte("ok"))
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func chain(leaf *pki.KeyPair, certs ...*x509.Certificate) tls.Certificate {
	c := tls.Certificate{PrivateKey: leaf.Key, Certificate: [][]byte{leaf.Cert.Raw}}
	for _, x := range certs {
		c.Certificate = append(c.Certificate, x.Raw)
	}
	return c
}

// getWithToken sends a request with a bearer token over PinnedTLSConfig,
// as a joining worker would.
func getWithToken(s *server, caHash string) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: PinnedTLSConfig(caHash, "127.0.0.1")}}
	req, _ := http.NewRequest("GET", s.URL+"/api", nil)
	req.Header.Set("Authorization", "Bearer abcdef.0123456789abcdef")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func wantErr(t *testing.T, err, kind error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestFetchCAMatchingHash(t *testing.T) {
	c := newCluster(t)
	s := serve(t, chain(c.leaf, c.ca.Cert))
	got, err := FetchCA(context.Background(), s.URL, pki.CAHash(c.ca.Cert))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(c.ca.Cert) {
		t.Fatalf("FetchCA returned %s, want the cluster CA", got.Subject)
	}
	if string(CAPEM(got)) != string(c.ca.CertPEM) {
		t.Fatalf("CAPEM differs from the CA file:\n%s\n%s", CAPEM(got), c.ca.CertPEM)
	}
	if err := getWithToken(s, pki.CAHash(c.ca.Cert)); err != nil {
		t.Fatal(err)
	}
	if got := s.bearer.Load(); got != "Bearer abcdef.0123456789abcdef" {
		t.Fatalf("server got Authorization %q", got)
	}
}

func TestFetchCAWrongHash(t *testing.T) {
	c, other := newCluster(t), newCluster(t)
	s := serve(t, chain(c.leaf, c.ca.Cert))
	pin := pki.CAHash(other.ca.Cert)
	_, err := FetchCA(context.Background(), s.URL, pin)
	wantErr(t, err, ErrCAMismatch, "the server's CA is "+pki.CAHash(c.ca.Cert)+" (CN=kubenode-ca) but the join token pins "+pin+": wrong cluster, or someone in between")

	err = getWithToken(s, pin)
	wantErr(t, err, ErrCAMismatch)
	if n := s.requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the server: the bootstrap token was sent to an unverified server", n)
	}
}

func TestFetchCANoCAInChain(t *testing.T) {
	c := newCluster(t)
	s := serve(t, chain(c.leaf))
	_, err := FetchCA(context.Background(), s.URL, pki.CAHash(c.ca.Cert))
	wantErr(t, err, ErrNoCA, "sends only its own certificate (CN=kube-apiserver, issued by CN=kubenode-ca)", "upgrade kubenode on the primary", "restart it")
	wantErr(t, getWithToken(s, pki.CAHash(c.ca.Cert)), ErrNoCA)
	if n := s.requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

// An impostor with its own key and certificate cannot borrow the cluster's
// CA certificate (public) to pass the pin.
func TestFetchCAImpostorPresentingPinnedCA(t *testing.T) {
	c, impostor := newCluster(t), newCluster(t)
	s := serve(t, chain(impostor.leaf, c.ca.Cert))
	_, err := FetchCA(context.Background(), s.URL, pki.CAHash(c.ca.Cert))
	wantErr(t, err, ErrUntrusted, "presents the pinned CA", "issued by someone else", "refusing to send the bootstrap token")
	wantErr(t, getWithToken(s, pki.CAHash(c.ca.Cert)), ErrUntrusted)
	if n := s.requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
	// The same with the impostor's CA in the chain as well.
	s2 := serve(t, chain(impostor.leaf, impostor.ca.Cert, c.ca.Cert))
	_, err = FetchCA(context.Background(), s2.URL, pki.CAHash(c.ca.Cert))
	wantErr(t, err, ErrUntrusted, "issued by someone else")
}

func TestFetchCAWrongName(t *testing.T) {
	c := newCluster(t)
	s := serve(t, chain(c.leaf, c.ca.Cert))
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	// localhost reaches the server, but its certificate does not name it.
	_, err := FetchCA(context.Background(), "https://localhost:"+port, pki.CAHash(c.ca.Cert))
	wantErr(t, err, ErrUntrusted, "not valid for localhost", "api.k8s.internal, 127.0.0.1")
}

func TestFetchCAExpiredLeaf(t *testing.T) {
	c := newCluster(t)
	// A leaf signed by the cluster CA that expired a day ago.
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-48 * time.Hour),
		NotAfter:     time.Now().Add(-24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.ca.Cert, c.leaf.Key.Public(), c.ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := x509.ParseCertificate(der)
	s := serve(t, tls.Certificate{PrivateKey: c.leaf.Key, Certificate: [][]byte{der, c.ca.Cert.Raw}})
	_, err = FetchCA(context.Background(), s.URL, pki.CAHash(c.ca.Cert))
	wantErr(t, err, ErrClock, "server's certificate (CN=kube-apiserver) of 127.0.0.1 has expired by this machine's clock",
		"valid from "+expired.NotBefore.UTC().Format(time.RFC3339)+" to "+expired.NotAfter.UTC().Format(time.RFC3339),
		"this machine's time is "+time.Now().UTC().Format("2006-01-02T"), "clock skew")
}

func TestFetchCAClockBehind(t *testing.T) {
	c := newCluster(t)
	s := serve(t, chain(c.leaf, c.ca.Cert))
	// This machine's clock an hour behind the primary's: the certificates
	// it just made are not valid yet here.
	behind := time.Now().Add(-time.Hour)
	setNow(t, behind)
	_, err := FetchCA(context.Background(), s.URL, pki.CAHash(c.ca.Cert))
	wantErr(t, err, ErrClock, "cluster CA certificate (CN=kubenode-ca) of 127.0.0.1 is not valid yet",
		"this machine's time is "+behind.UTC().Format(time.RFC3339), "clock skew")
}

func TestFetchCAUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = FetchCA(context.Background(), "https://"+addr, "sha256:"+strings.Repeat("ab", 32))
	wantErr(t, err, ErrUnreachable, "cannot reach the primary's API at "+addr, "connection refused", "--join", "firewall")
}

func TestFetchCANotTLS(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler()) // plain HTTP
	t.Cleanup(s.Close)
	_, err := FetchCA(context.Background(), strings.Replace(s.URL, "http:", "https:", 1), "sha256:"+strings.Repeat("ab", 32))
	if err == nil || !strings.Contains(err.Error(), "TLS handshake with") {
		t.Fatalf("plain HTTP server: %v", err)
	}
}

func TestFetchCABadArguments(t *testing.T) {
	if _, err := FetchCA(context.Background(), "http://127.0.0.1:1", "sha256:"+strings.Repeat("ab", 32)); err == nil || !strings.Contains(err.Error(), "not an https:// URL") {
		t.Errorf("http server: %v", err)
	}
	if _, err := FetchCA(context.Background(), "https://127.0.0.1:1", "md5:abc"); err == nil || !strings.Contains(err.Error(), "does not start with sha256:") {
		t.Errorf("bad hash: %v", err)
	}
}
