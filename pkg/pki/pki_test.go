package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/tools/clientcmd"
)

var apiserverSpec = CertSpec{
	Name:       "apiserver",
	CommonName: "kube-apiserver",
	DNSNames:   []string{"kubernetes", "kubernetes.default.svc", "localhost"},
	IPs:        []net.IP{net.ParseIP("10.0.0.1"), net.ParseIP("127.0.0.1"), net.ParseIP("fd88::1")},
	Server:     true,
}

var adminSpec = CertSpec{
	Name:         "admin",
	CommonName:   "kubenode-admin",
	Organization: []string{"system:masters"},
	Client:       true,
}

// logRecorder collects Store.Logf output.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *logRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

func newStore(t *testing.T) (*Store, *logRecorder) {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "data", "pki"))
	if err != nil {
		t.Fatal(err)
	}
	rec := &logRecorder{}
	s.Logf = rec.logf
	return s, rec
}

func mustCA(t *testing.T, s *Store) *CA {
	t.Helper()
	ca, err := s.EnsureCA()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func mustCert(t *testing.T, s *Store, ca *CA, spec CertSpec, wantChanged string) *KeyPair {
	t.Helper()
	kp, changed, err := s.EnsureCert(ca, spec)
	if err != nil {
		t.Fatal(err)
	}
	if changed != wantChanged {
		t.Fatalf("EnsureCert(%s) changed = %q, want %q", spec.Name, changed, wantChanged)
	}
	return kp
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %04o, want %04o", path, got, want)
	}
}

func checkErr(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", wants)
	}
	t.Logf("error: %v", err)
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	if !strings.HasPrefix(err.Error(), "pki: ") {
		t.Errorf("error %q does not start with \"pki: \"", err)
	}
}

func near(got, want time.Time) bool {
	d := got.Sub(want)
	return d > -time.Minute && d < time.Minute
}

func TestCreate(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	kp := mustCert(t, s, ca, apiserverSpec, "created")

	checkMode(t, s.Dir, 0o700)
	checkMode(t, s.Path("ca.key"), 0o600)
	checkMode(t, s.Path("ca.crt"), 0o644)
	checkMode(t, s.Path("apiserver.key"), 0o600)
	checkMode(t, s.Path("apiserver.crt"), 0o644)
	if kp.CertFile != s.Path("apiserver.crt") || kp.KeyFile != s.Path("apiserver.key") {
		t.Errorf("files = %s, %s", kp.CertFile, kp.KeyFile)
	}
	if diff := cmp.Diff(readFile(t, kp.CertFile), kp.CertPEM); diff != "" {
		t.Errorf("CertPEM differs from the file (-file +returned):\n%s", diff)
	}
	if diff := cmp.Diff(readFile(t, kp.KeyFile), kp.KeyPEM); diff != "" {
		t.Errorf("KeyPEM differs from the file (-file +returned):\n%s", diff)
	}
	if diff := cmp.Diff(readFile(t, s.Path("ca.crt")), ca.CertPEM); diff != "" {
		t.Errorf("CA CertPEM differs from the file (-file +returned):\n%s", diff)
	}
	entries, _ := os.ReadDir(s.Dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"apiserver.crt", "apiserver.key", "ca.crt", "ca.key"}, names); diff != "" {
		t.Errorf("files in %s (-want +got):\n%s", s.Dir, diff)
	}

	now := time.Now()
	c := ca.Cert
	if c.Subject.CommonName != "kubenode-ca" || !c.IsCA || !c.BasicConstraintsValid {
		t.Errorf("CA subject %q IsCA %v", c.Subject.CommonName, c.IsCA)
	}
	if c.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("CA key usage %b", c.KeyUsage)
	}
	if !near(c.NotAfter, now.Add(10*365*24*time.Hour)) {
		t.Errorf("CA NotAfter %v", c.NotAfter)
	}
	if pub, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("CA key is %T, want ECDSA P-256", c.PublicKey)
	}

	l := kp.Cert
	if !near(l.NotBefore, now.Add(-5*time.Minute)) || !near(l.NotAfter, now.Add(365*24*time.Hour)) {
		t.Errorf("leaf validity %v .. %v", l.NotBefore, l.NotAfter)
	}
	if l.IsCA {
		t.Error("leaf is a CA")
	}
	if l.SerialNumber.BitLen() < 100 || l.SerialNumber.BitLen() > 128 {
		t.Errorf("serial %v has %d bits", l.SerialNumber, l.SerialNumber.BitLen())
	}
	if pub, ok := l.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("leaf key is %T, want ECDSA P-256", l.PublicKey)
	}
}

func TestOpenTightensDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	checkMode(t, dir, 0o700)
}

func TestSecondCallUnchanged(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	kp1 := mustCert(t, s, ca, apiserverSpec, "created")

	// A fresh Store over the same directory, as after a restart.
	s2, err := Open(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ca2 := mustCA(t, s2)
	if diff := cmp.Diff(ca.CertPEM, ca2.CertPEM); diff != "" {
		t.Errorf("CA changed:\n%s", diff)
	}
	kp2 := mustCert(t, s2, ca2, apiserverSpec, "")
	if diff := cmp.Diff(kp1.CertPEM, kp2.CertPEM); diff != "" {
		t.Errorf("cert changed:\n%s", diff)
	}
	if diff := cmp.Diff(kp1.KeyPEM, kp2.KeyPEM); diff != "" {
		t.Errorf("key changed:\n%s", diff)
	}
	if !kp2.Cert.Equal(kp1.Cert) {
		t.Error("parsed certificate changed")
	}

	// Duplicates and order in the spec are not a change.
	spec := apiserverSpec
	spec.IPs = append([]net.IP{net.ParseIP("127.0.0.1"), net.IPv4(10, 0, 0, 1)}, spec.IPs...)
	spec.DNSNames = []string{"localhost", "kubernetes.default.svc", "kubernetes", "localhost"}
	mustCert(t, s2, ca2, spec, "")
}

func TestLeafVerifies(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	server := mustCert(t, s, ca, apiserverSpec, "created")
	client := mustCert(t, s, ca, adminSpec, "created")

	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	for _, host := range []string{"kubernetes.default.svc", "localhost", "10.0.0.1", "127.0.0.1", "fd88::1"} {
		if _, err := server.Cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: host, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("server cert for %s: %v", host, err)
		}
	}
	if _, err := server.Cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "10.0.0.2", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("server cert verified for an address it does not name")
	}
	if _, err := server.Cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("server-only cert verified for client auth")
	}

	if _, err := client.Cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client cert: %v", err)
	}
	if _, err := client.Cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("client-only cert verified for server auth")
	}
	if diff := cmp.Diff(pkix.Name{CommonName: "kubenode-admin", Organization: []string{"system:masters"}}.String(), client.Cert.Subject.String()); diff != "" {
		t.Errorf("client subject:\n%s", diff)
	}
}

func TestRenewal(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	kp := mustCert(t, s, ca, apiserverSpec, "created")

	// Replace the certificate with one that expires in 10 days.
	short, shortPEM, err := ca.Sign(apiserverSpec, kp.Key.Public(), 10*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, kp.CertFile, shortPEM, 0o644)

	renewed := mustCert(t, s, ca, apiserverSpec, "renewed")
	if short.SerialNumber.Cmp(renewed.Cert.SerialNumber) == 0 {
		t.Error("serial number not changed")
	}
	if !near(renewed.Cert.NotAfter, time.Now().Add(365*24*time.Hour)) {
		t.Errorf("renewed NotAfter %v", renewed.Cert.NotAfter)
	}
	if diff := cmp.Diff(readFile(t, kp.CertFile), renewed.CertPEM); diff != "" {
		t.Errorf("file differs from the renewed cert:\n%s", diff)
	}
	if diff := cmp.Diff(kp.KeyPEM, readFile(t, kp.KeyFile)); diff != "" {
		t.Errorf("renewal changed the key:\n%s", diff)
	}
	checkMode(t, kp.CertFile, 0o644)
	mustCert(t, s, ca, apiserverSpec, "")

	// So is one about to expire.
	_, expiredPEM, err := ca.Sign(apiserverSpec, kp.Key.Public(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, kp.CertFile, expiredPEM, 0o644)
	mustCert(t, s, ca, apiserverSpec, "renewed")
}

func TestReissueOnChange(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	kp := mustCert(t, s, ca, apiserverSpec, "created")

	spec := apiserverSpec
	spec.IPs = []net.IP{net.ParseIP("10.0.0.2"), net.ParseIP("127.0.0.1"), net.ParseIP("fd88::1")}
	got, changed, err := s.EnsureCert(ca, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(changed, "reissued: ") || !strings.Contains(changed, "IP addresses") || !strings.Contains(changed, "10.0.0.2") {
		t.Errorf("changed = %q", changed)
	}
	if err := got.Cert.VerifyHostname("10.0.0.2"); err != nil {
		t.Error(err)
	}
	if err := got.Cert.VerifyHostname("10.0.0.1"); err == nil {
		t.Error("reissued cert still names the old address")
	}
	if diff := cmp.Diff(kp.KeyPEM, readFile(t, kp.KeyFile)); diff != "" {
		t.Errorf("reissue changed the key:\n%s", diff)
	}
	mustCert(t, s, ca, spec, "")

	spec.Client = true
	spec.CommonName = "kube-apiserver-2"
	_, changed, err = s.EnsureCert(ca, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(changed, "common name") || !strings.Contains(changed, "usages server -> server+client") {
		t.Errorf("changed = %q", changed)
	}
}

func TestCorruptFiles(t *testing.T) {
	for _, name := range []string{"apiserver.crt", "apiserver.key", "ca.crt", "ca.key"} {
		t.Run(name, func(t *testing.T) {
			s, _ := newStore(t)
			ca := mustCA(t, s)
			mustCert(t, s, ca, apiserverSpec, "created")

			path := s.Path(name)
			garbage := []byte("this is not PEM\n")
			mode := os.FileMode(0o644)
			if strings.HasSuffix(name, ".key") {
				mode = 0o600
			}
			writeFile(t, path, garbage, mode)

			var err error
			if strings.HasPrefix(name, "ca.") {
				_, err = s.EnsureCA()
			} else {
				_, _, err = s.EnsureCert(ca, apiserverSpec)
			}
			checkErr(t, err, "pki: parse "+path+": ", "restore it from a backup")
			if diff := cmp.Diff(garbage, readFile(t, path)); diff != "" {
				t.Errorf("file was modified:\n%s", diff)
			}
		})
	}

	t.Run("leaf hint", func(t *testing.T) {
		s, _ := newStore(t)
		ca := mustCA(t, s)
		mustCert(t, s, ca, apiserverSpec, "created")
		writeFile(t, s.Path("apiserver.crt"), []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644)
		_, _, err := s.EnsureCert(ca, apiserverSpec)
		checkErr(t, err, "pki: parse "+s.Path("apiserver.crt")+": ", ": remove it to regenerate it, or restore it from a backup")
	})
}

func TestKeyMismatch(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	kp := mustCert(t, s, ca, apiserverSpec, "created")

	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherPEM, err := encodeKeyPEM(other)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, kp.KeyFile, otherPEM, 0o600)
	_, _, err = s.EnsureCert(ca, apiserverSpec)
	checkErr(t, err, kp.KeyFile+" does not match "+kp.CertFile, "remove both to regenerate them")
	if diff := cmp.Diff(kp.CertPEM, readFile(t, kp.CertFile)); diff != "" {
		t.Errorf("cert was modified:\n%s", diff)
	}

	// The CA pair as well.
	writeFile(t, s.Path("ca.key"), otherPEM, 0o600)
	_, err = s.EnsureCA()
	checkErr(t, err, s.Path("ca.key")+" does not match "+s.Path("ca.crt"))
}

func TestForeignCA(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	other, _ := newStore(t)
	otherCA := mustCA(t, other)
	foreign := mustCert(t, other, otherCA, apiserverSpec, "created")

	writeFile(t, s.Path("apiserver.crt"), foreign.CertPEM, 0o644)
	writeFile(t, s.Path("apiserver.key"), foreign.KeyPEM, 0o600)
	_, _, err := s.EnsureCert(ca, apiserverSpec)
	checkErr(t, err, s.Path("apiserver.crt")+" was not signed by the cluster CA in "+s.Path("ca.crt"))
	if diff := cmp.Diff(foreign.CertPEM, readFile(t, s.Path("apiserver.crt"))); diff != "" {
		t.Errorf("cert was modified:\n%s", diff)
	}
}

func TestKeyPermissionsTightened(t *testing.T) {
	s, rec := newStore(t)
	ca := mustCA(t, s)
	kp := mustCert(t, s, ca, apiserverSpec, "created")
	if err := os.Chmod(kp.KeyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	mustCert(t, s, ca, apiserverSpec, "")
	checkMode(t, kp.KeyFile, 0o600)
	if !strings.Contains(rec.String(), kp.KeyFile+" had mode 0644; changed it to 0600") {
		t.Errorf("log = %q", rec.String())
	}
}

func TestMissingHalf(t *testing.T) {
	t.Run("leaf key without cert", func(t *testing.T) {
		// What a crash between the two renames leaves behind.
		s, _ := newStore(t)
		ca := mustCA(t, s)
		kp := mustCert(t, s, ca, apiserverSpec, "created")
		os.Remove(kp.CertFile)
		got := mustCert(t, s, ca, apiserverSpec, "created")
		if diff := cmp.Diff(kp.KeyPEM, got.KeyPEM); diff != "" {
			t.Errorf("key changed:\n%s", diff)
		}
		if !samePublicKey(got.Cert.PublicKey, kp.Key.Public()) {
			t.Error("new cert is not for the existing key")
		}
	})
	t.Run("leaf cert without key", func(t *testing.T) {
		s, _ := newStore(t)
		ca := mustCA(t, s)
		kp := mustCert(t, s, ca, apiserverSpec, "created")
		os.Remove(kp.KeyFile)
		_, _, err := s.EnsureCert(ca, apiserverSpec)
		checkErr(t, err, kp.CertFile+" exists but "+kp.KeyFile+" is missing")
	})
	t.Run("ca key without cert", func(t *testing.T) {
		s, _ := newStore(t)
		ca := mustCA(t, s)
		mustCert(t, s, ca, apiserverSpec, "created")
		os.Remove(s.Path("ca.crt"))
		ca2 := mustCA(t, s)
		if !samePublicKey(ca.Cert.PublicKey, ca2.Cert.PublicKey) {
			t.Error("recreated CA has another key")
		}
		// Leaves issued before still chain to it.
		mustCert(t, s, ca2, apiserverSpec, "")
	})
	t.Run("ca cert without key", func(t *testing.T) {
		s, _ := newStore(t)
		mustCA(t, s)
		os.Remove(s.Path("ca.key"))
		_, err := s.EnsureCA()
		checkErr(t, err, s.Path("ca.crt")+" exists but "+s.Path("ca.key")+" is missing")
		if _, err := os.Stat(s.Path("ca.key")); err == nil {
			t.Error("ca.key was recreated")
		}
	})
}

func TestCAExpiring(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          ca.Cert.SerialNumber,
		Subject:               ca.Cert.Subject,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(20 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ca.Key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := encodeCertPEM(der)
	writeFile(t, s.Path("ca.crt"), certPEM, 0o644)
	_, err = s.EnsureCA()
	checkErr(t, err, "cluster CA "+s.Path("ca.crt")+" expires on", "never replaces the CA by itself", "Store.RenewCA")
	if diff := cmp.Diff(certPEM, readFile(t, s.Path("ca.crt"))); diff != "" {
		t.Errorf("ca.crt was modified:\n%s", diff)
	}
}

func TestRenewCA(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	kp := mustCert(t, s, ca, apiserverSpec, "created")

	renewed, err := s.RenewCA()
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Cert.SerialNumber.Cmp(ca.Cert.SerialNumber) == 0 || bytes.Equal(renewed.CertPEM, ca.CertPEM) {
		t.Error("CA certificate not replaced")
	}
	if got, want := CAHash(renewed.Cert), CAHash(ca.Cert); got != want {
		t.Errorf("CA hash changed: %s -> %s", want, got)
	}
	if diff := cmp.Diff(renewed.CertPEM, readFile(t, s.Path("ca.crt"))); diff != "" {
		t.Errorf("ca.crt:\n%s", diff)
	}

	// Certificates issued by the old CA certificate chain to the new one.
	loaded := mustCA(t, s)
	roots := x509.NewCertPool()
	roots.AddCert(loaded.Cert)
	if _, err := kp.Cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost"}); err != nil {
		t.Errorf("old leaf against renewed CA: %v", err)
	}
	mustCert(t, s, loaded, apiserverSpec, "")
}

func TestInvalidSpec(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	for _, spec := range []CertSpec{
		{Name: "", CommonName: "x", Client: true},
		{Name: "ca", CommonName: "x", Client: true},
		{Name: "sa", CommonName: "x", Client: true},
		{Name: "../x", CommonName: "x", Client: true},
		{Name: ".hidden", CommonName: "x", Client: true},
		{Name: "x", CommonName: "", Client: true},
		{Name: "x", CommonName: "x"},
		{Name: "x", CommonName: "x", Server: true, IPs: []net.IP{{1, 2, 3}}},
	} {
		if _, _, err := s.EnsureCert(ca, spec); err == nil {
			t.Errorf("EnsureCert(%+v) succeeded", spec)
		}
	}
	if _, _, err := ca.Sign(adminSpec, ca.Key.Public(), 0); err == nil {
		t.Error("Sign with zero validity succeeded")
	}
}

func TestSignCappedAtCAExpiry(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	cert, _, err := ca.Sign(adminSpec, ca.Key.Public(), 20*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if cert.NotAfter.After(ca.Cert.NotAfter) {
		t.Errorf("leaf NotAfter %v is after the CA's %v", cert.NotAfter, ca.Cert.NotAfter)
	}
}

func TestServiceAccountKey(t *testing.T) {
	s, _ := newStore(t)
	priv, pub, err := s.EnsureServiceAccountKey()
	if err != nil {
		t.Fatal(err)
	}
	if priv != s.Path("sa.key") || pub != s.Path("sa.pub") {
		t.Errorf("files = %s, %s", priv, pub)
	}
	checkMode(t, priv, 0o600)
	checkMode(t, pub, 0o644)
	key, err := parseKeyPEM(readFile(t, priv))
	if err != nil {
		t.Fatal(err)
	}
	pubs, err := parsePublicKeysPEM(readFile(t, pub))
	if err != nil {
		t.Fatal(err)
	}
	if len(pubs) != 1 || !samePublicKey(key.Public(), pubs[0]) {
		t.Fatal("sa.pub does not hold sa.key's public key")
	}

	keyPEM, pubPEM := readFile(t, priv), readFile(t, pub)
	if _, _, err := s.EnsureServiceAccountKey(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(keyPEM, readFile(t, priv)); diff != "" {
		t.Errorf("sa.key changed:\n%s", diff)
	}

	// sa.pub is derived and comes back.
	os.Remove(pub)
	if _, _, err := s.EnsureServiceAccountKey(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pubPEM, readFile(t, pub)); diff != "" {
		t.Errorf("recreated sa.pub differs:\n%s", diff)
	}

	// A previous key listed alongside is fine; a foreign one alone is not.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherPub, _ := encodePublicKeyPEM(other.Public())
	writeFile(t, pub, append(append([]byte{}, otherPub...), pubPEM...), 0o644)
	if _, _, err := s.EnsureServiceAccountKey(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, pub, otherPub, 0o644)
	_, _, err = s.EnsureServiceAccountKey()
	checkErr(t, err, pub+" does not contain the public key of "+priv)
}

func TestKubeconfig(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	kp := mustCert(t, s, ca, adminSpec, "created")
	path := filepath.Join(t.TempDir(), "etc", "admin.kubeconfig")
	const server = "https://10.0.0.1:6443"
	if err := WriteKubeconfig(path, server, ca.CertPEM, kp, "admin"); err != nil {
		t.Fatal(err)
	}
	checkMode(t, path, 0o600)

	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "default" {
		t.Errorf("current context %q", cfg.CurrentContext)
	}
	ctx := cfg.Contexts["default"]
	if ctx == nil || ctx.AuthInfo != "admin" {
		t.Fatalf("context %+v", ctx)
	}
	cluster := cfg.Clusters[ctx.Cluster]
	if cluster == nil || cluster.Server != server {
		t.Fatalf("cluster %+v", cluster)
	}
	if diff := cmp.Diff(ca.CertPEM, cluster.CertificateAuthorityData); diff != "" {
		t.Errorf("CA data:\n%s", diff)
	}
	user := cfg.AuthInfos["admin"]
	if user == nil {
		t.Fatal("no user admin")
	}
	if diff := cmp.Diff(kp.CertPEM, user.ClientCertificateData); diff != "" {
		t.Errorf("client cert data:\n%s", diff)
	}
	if diff := cmp.Diff(kp.KeyPEM, user.ClientKeyData); diff != "" {
		t.Errorf("client key data:\n%s", diff)
	}

	// The resulting client config is usable as is.
	rc, err := clientcmd.NewDefaultClientConfig(*cfg, nil).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	if rc.Host != server || len(rc.TLSClientConfig.CertData) == 0 {
		t.Errorf("rest config host %q", rc.Host)
	}

	// Rewriting the same content leaves the file alone.
	fi1, _ := os.Stat(path)
	if err := WriteKubeconfig(path, server, ca.CertPEM, kp, "admin"); err != nil {
		t.Fatal(err)
	}
	fi2, _ := os.Stat(path)
	if !os.SameFile(fi1, fi2) {
		t.Error("identical kubeconfig was rewritten")
	}
}

func TestCAHash(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	h := CAHash(ca.Cert)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(h) {
		t.Fatalf("CAHash = %q", h)
	}
	sum := sha256.Sum256(ca.Cert.RawSubjectPublicKeyInfo)
	if want := "sha256:" + hex.EncodeToString(sum[:]); h != want {
		t.Errorf("CAHash = %q, want %q", h, want)
	}
	if h2 := CAHash(mustCA(t, s).Cert); h2 != h {
		t.Errorf("hash changed on reload: %q -> %q", h, h2)
	}
	other, _ := newStore(t)
	if CAHash(mustCA(t, other).Cert) == h {
		t.Error("two CAs have the same hash")
	}
}

func TestConcurrentEnsure(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	var wg sync.WaitGroup
	pems := make([][]byte, 8)
	for i := range pems {
		wg.Go(func() {
			kp, _, err := s.EnsureCert(ca, apiserverSpec)
			if err != nil {
				t.Error(err)
				return
			}
			pems[i] = kp.CertPEM
		})
	}
	wg.Wait()
	for i := range pems {
		if diff := cmp.Diff(pems[0], pems[i]); diff != "" {
			t.Errorf("call %d got another certificate:\n%s", i, diff)
		}
	}
}
