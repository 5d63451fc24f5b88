package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultCACommonName is the CA subject EnsureCA creates unless
	// Store.CACommonName says otherwise.
	DefaultCACommonName = "kubenode-ca"

	CAValidity   = 10 * 365 * 24 * time.Hour
	LeafValidity = 365 * 24 * time.Hour
	// RenewBefore is how close to expiry a leaf is renewed, and a CA
	// refused.
	RenewBefore = 30 * 24 * time.Hour
	// clockSkew backdates NotBefore so that a peer whose clock is a little
	// behind accepts a certificate issued a moment ago.
	clockSkew = 5 * time.Minute
)

// CertSpec describes a leaf certificate.
type CertSpec struct {
	Name         string // file base name, e.g. "apiserver", "admin", "kubelet-node1"
	CommonName   string
	Organization []string
	DNSNames     []string
	IPs          []net.IP
	Server       bool // ExtKeyUsageServerAuth
	Client       bool // ExtKeyUsageClientAuth
}

// Store is the directory that holds the node's key material. Its methods
// are safe for concurrent use within one process.
type Store struct {
	Dir string
	// RenewAll makes EnsureCert renew every existing leaf, whatever its
	// expiry (kubenode certs rotate). The key stays.
	RenewAll bool
	// CACommonName is the subject of a CA that EnsureCA creates; empty
	// means DefaultCACommonName. An existing CA keeps its own.
	CACommonName string
	// Logf receives notices that need no decision from the caller, such as
	// a key file whose permissions were tightened. nil uses log.Printf.
	Logf func(format string, args ...any)

	mu sync.Mutex
}

// CA is the cluster CA.
type CA struct {
	Cert     *x509.Certificate
	Key      crypto.Signer
	CertPEM  []byte
	CertFile string // where Cert was loaded from, for error messages; may be empty
}

// KeyPair is a leaf certificate with its key, as stored on disk.
type KeyPair struct {
	Cert              *x509.Certificate
	Key               crypto.Signer
	CertPEM, KeyPEM   []byte
	CertFile, KeyFile string
}

// Open returns the store in dir, creating the directory with mode 0700. A
// directory that others can read is tightened to 0700.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("pki: open: empty directory path")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pki: open %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, dirMode); err != nil {
		return nil, fmt.Errorf("pki: open %s: %w", abs, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("pki: open %s: %w", abs, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("pki: open %s: not a directory", abs)
	}
	s := &Store{Dir: abs}
	if perm := fi.Mode().Perm(); perm&^dirMode != 0 {
		if err := os.Chmod(abs, dirMode); err != nil {
			return nil, fmt.Errorf("pki: %s has mode %04o and cannot be tightened to %04o: %w", abs, perm, dirMode, err)
		}
		s.logf("pki: %s had mode %04o; changed it to %04o", abs, perm, dirMode)
	}
	return s, nil
}

// Path returns the path of file name (with its extension) in the store,
// e.g. Path("ca.crt").
func (s *Store) Path(name string) string {
	return filepath.Join(s.Dir, name)
}

func (s *Store) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// tightenKey makes a key file 0600. Refusing to start over a 0644 key would
// help nobody; the key may already have leaked, which the notice says.
func (s *Store) tightenKey(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("pki: stat %s: %w", path, err)
	}
	perm := fi.Mode().Perm()
	if perm&^keyMode == 0 {
		return nil
	}
	if err := os.Chmod(path, keyMode); err != nil {
		return fmt.Errorf("pki: %s has mode %04o and cannot be tightened to %04o: %w", path, perm, keyMode, err)
	}
	s.logf("pki: private key %s had mode %04o; changed it to %04o (if untrusted users had access, replace the key)", path, perm, keyMode)
	return nil
}

// CAHash returns "sha256:<hex>" over the CA's DER SubjectPublicKeyInfo, the
// format of kubeadm's --discovery-token-ca-cert-hash.
func CAHash(ca *x509.Certificate) string {
	sum := sha256.Sum256(ca.RawSubjectPublicKeyInfo)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func newKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generate key: %w", err)
	}
	return k, nil
}

func randomSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return nil, fmt.Errorf("pki: serial number: %w", err)
		}
		if n.Sign() > 0 { // RFC 5280 requires a positive serial
			return n, nil
		}
	}
}

// EnsureCA loads ca.crt and ca.key, creating them when both are missing.
// It never replaces an existing CA: a CA within RenewBefore of expiry is an
// error that the operator has to resolve.
func (s *Store) EnsureCA() (*CA, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	certFile, keyFile := s.Path("ca.crt"), s.Path("ca.key")
	certPEM, err := readOptional(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := readOptional(keyFile)
	if err != nil {
		return nil, err
	}

	switch {
	case certPEM == nil && keyPEM == nil:
		key, err := newKey()
		if err != nil {
			return nil, err
		}
		kp, err := encodeKeyPEM(key)
		if err != nil {
			return nil, fmt.Errorf("pki: encode %s: %w", keyFile, err)
		}
		ca, err := s.selfSign(key, certFile, nil)
		if err != nil {
			return nil, err
		}
		pk, err := writeTemp(keyFile, kp, keyMode)
		if err != nil {
			return nil, err
		}
		pc, err := writeTemp(certFile, ca.CertPEM, certMode)
		if err != nil {
			discard(pk)
			return nil, err
		}
		if err := commitFiles(pk, pc); err != nil {
			return nil, err
		}
		return ca, nil

	case certPEM == nil:
		// The key landed but the certificate did not (a crash between
		// the two renames), or the operator removed a broken ca.crt: a
		// certificate over the same key keeps issued leaves valid.
		key, err := parseKeyPEM(keyPEM)
		if err != nil {
			return nil, fmt.Errorf("pki: parse %s: %v: %s", keyFile, err, caKeyHint)
		}
		if err := s.tightenKey(keyFile); err != nil {
			return nil, err
		}
		ca, err := s.selfSign(key, certFile, nil)
		if err != nil {
			return nil, err
		}
		if err := writeFileAtomic(certFile, ca.CertPEM, certMode); err != nil {
			return nil, err
		}
		s.logf("pki: %s was missing; created it from the existing %s", certFile, keyFile)
		return ca, nil

	case keyPEM == nil:
		return nil, fmt.Errorf("pki: %s exists but %s is missing: restore the key from a backup; the CA cannot issue certificates without it (removing %s as well creates a new cluster CA, and every certificate, kubeconfig and joined node must then be replaced)",
			certFile, keyFile, filepath.Base(certFile))
	}

	ca, err := s.loadCA(certFile, keyFile, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	if left := time.Until(ca.Cert.NotAfter); left < RenewBefore {
		when := "expires"
		if left <= 0 {
			when = "expired"
		}
		return nil, fmt.Errorf("pki: cluster CA %s %s on %s; kubenode never replaces the CA by itself because every certificate, kubeconfig and joined node trusts it: renew it over the same key and subject (Store.RenewCA), which keeps issued certificates and the CA hash valid, or move the contents of %s away to start a new cluster CA and rejoin every node",
			certFile, when, ca.Cert.NotAfter.UTC().Format(time.DateOnly), s.Dir)
	}
	return ca, nil
}

// loadCA parses and checks an existing CA pair.
func (s *Store) loadCA(certFile, keyFile string, certPEM, keyPEM []byte) (*CA, error) {
	cert, err := ParseCertPEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: parse %s: %v: remove it to recreate it from %s, or restore it from a backup", certFile, err, filepath.Base(keyFile))
	}
	key, err := parseKeyPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: parse %s: %v: %s", keyFile, err, caKeyHint)
	}
	if !samePublicKey(key.Public(), cert.PublicKey) {
		return nil, fmt.Errorf("pki: %s does not match %s: restore the pair from a backup (removing both creates a new cluster CA, which invalidates every certificate it issued)", keyFile, certFile)
	}
	if !cert.IsCA || !cert.BasicConstraintsValid || (cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageCertSign == 0) {
		return nil, fmt.Errorf("pki: %s is not a CA certificate (it lacks CA:true or keyCertSign): restore the cluster CA from a backup", certFile)
	}
	if err := s.tightenKey(keyFile); err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, CertPEM: certPEM, CertFile: certFile}, nil
}

// RenewCA replaces ca.crt with a new self-signed certificate, valid for
// CAValidity, over the same key, subject and subject key identifier, so
// that certificates it issued still chain to it and CAHash is unchanged.
// It is the operator's decision (EnsureCA only reports an expiring CA);
// clients that hold a copy of the old ca.crt keep working until its own
// expiry and should be given the new one before then.
func (s *Store) RenewCA() (*CA, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	certFile, keyFile := s.Path("ca.crt"), s.Path("ca.key")
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("pki: renew CA: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("pki: renew CA: %w", err)
	}
	old, err := s.loadCA(certFile, keyFile, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	ca, err := s.selfSign(old.Key, certFile, old.Cert)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(certFile, ca.CertPEM, certMode); err != nil {
		return nil, err
	}
	return ca, nil
}

const caKeyHint = "restore it from a backup; without it the CA cannot issue certificates (removing ca.crt and ca.key creates a new cluster CA, and every certificate, kubeconfig and joined node must then be replaced)"

// selfSign creates a CA certificate for key. With prev it copies prev's
// encoded subject and key identifier byte for byte: chain building matches
// a leaf's issuer and authority key identifier against them exactly, and
// a re-encoded name (PrintableString vs UTF8String) or a key identifier
// computed another way would orphan every issued certificate.
func (s *Store) selfSign(key crypto.Signer, certFile string, prev *x509.Certificate) (*CA, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	cn := s.CACommonName
	if cn == "" {
		cn = DefaultCACommonName
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(CAValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	if prev != nil {
		tmpl.RawSubject = prev.RawSubject
		tmpl.SubjectKeyId = prev.SubjectKeyId
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: create CA certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key, CertPEM: encodeCertPEM(der), CertFile: certFile}, nil
}

// Sign issues a leaf certificate for pub. Its NotAfter is capped at the
// CA's, since a chain is only valid as long as its shortest member.
func (ca *CA) Sign(spec CertSpec, pub crypto.PublicKey, validity time.Duration) (*x509.Certificate, []byte, error) {
	if ca == nil || ca.Cert == nil || ca.Key == nil {
		return nil, nil, errors.New("pki: sign: no CA")
	}
	spec, err := normalizeSpec(spec)
	if err != nil {
		return nil, nil, err
	}
	if validity <= 0 {
		return nil, nil, fmt.Errorf("pki: sign %q: validity %v is not positive", spec.CommonName, validity)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	notAfter := now.Add(validity)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	usage := x509.KeyUsageDigitalSignature
	if _, ok := pub.(*rsa.PublicKey); ok {
		usage |= x509.KeyUsageKeyEncipherment // RSA key exchange in TLS 1.2
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: spec.CommonName, Organization: spec.Organization},
		DNSNames:              spec.DNSNames,
		IPAddresses:           spec.IPs,
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              notAfter,
		KeyUsage:              usage,
		ExtKeyUsage:           specUsages(spec),
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: sign %q: %w", spec.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: sign %q: %w", spec.CommonName, err)
	}
	return cert, encodeCertPEM(der), nil
}

func specUsages(spec CertSpec) []x509.ExtKeyUsage {
	var u []x509.ExtKeyUsage
	if spec.Server {
		u = append(u, x509.ExtKeyUsageServerAuth)
	}
	if spec.Client {
		u = append(u, x509.ExtKeyUsageClientAuth)
	}
	return u
}

// normalizeSpec checks spec and drops duplicate names and addresses, so
// that a caller listing an IP twice does not cause a reissue on every load.
func normalizeSpec(spec CertSpec) (CertSpec, error) {
	if spec.CommonName == "" {
		return spec, fmt.Errorf("pki: certificate %q: empty common name", spec.Name)
	}
	if !spec.Server && !spec.Client {
		return spec, fmt.Errorf("pki: certificate %q: neither server nor client usage", spec.Name)
	}
	spec.Organization = dedupe(spec.Organization)
	spec.DNSNames = dedupe(spec.DNSNames)
	var ips []net.IP
	seen := map[netip.Addr]bool{}
	for _, ip := range spec.IPs {
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			return spec, fmt.Errorf("pki: certificate %q: invalid IP address %v", spec.Name, ip)
		}
		a = a.Unmap()
		if !seen[a] {
			seen[a] = true
			ips = append(ips, net.IP(a.AsSlice()))
		}
	}
	spec.IPs = ips
	return spec, nil
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// validName keeps spec.Name a plain file name that cannot reach outside the
// store or clobber the CA or service-account files.
func validName(name string) error {
	if name == "" {
		return errors.New("pki: certificate spec has an empty name")
	}
	if name == "ca" || name == "sa" {
		return fmt.Errorf("pki: certificate name %q is reserved", name)
	}
	if name[0] == '.' {
		return fmt.Errorf("pki: certificate name %q starts with a dot", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("pki: certificate name %q: only letters, digits, '-', '_' and '.' are allowed", name)
		}
	}
	return nil
}

// EnsureCert loads NAME.crt and NAME.key, creating them when missing.
// changed reports what happened: "" (loaded as is), "created", "renewed"
// (within RenewBefore of expiry) or "reissued: <why>" (the certificate no
// longer matches spec, e.g. the node IP changed). Renewal and reissue keep
// the existing key.
func (s *Store) EnsureCert(ca *CA, spec CertSpec) (kp *KeyPair, changed string, err error) {
	if err := validName(spec.Name); err != nil {
		return nil, "", err
	}
	if ca == nil || ca.Cert == nil || ca.Key == nil {
		return nil, "", fmt.Errorf("pki: certificate %q: no CA", spec.Name)
	}
	spec, err = normalizeSpec(spec)
	if err != nil {
		return nil, "", err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	certFile, keyFile := s.Path(spec.Name+".crt"), s.Path(spec.Name+".key")
	certPEM, err := readOptional(certFile)
	if err != nil {
		return nil, "", err
	}
	keyPEM, err := readOptional(keyFile)
	if err != nil {
		return nil, "", err
	}
	keyHint := fmt.Sprintf("remove it and %s to regenerate both, or restore it from a backup", filepath.Base(certFile))

	switch {
	case certPEM == nil && keyPEM == nil:
		key, err := newKey()
		if err != nil {
			return nil, "", err
		}
		keyPEM, err := encodeKeyPEM(key)
		if err != nil {
			return nil, "", fmt.Errorf("pki: encode %s: %w", keyFile, err)
		}
		cert, certPEM, err := ca.Sign(spec, key.Public(), LeafValidity)
		if err != nil {
			return nil, "", err
		}
		pk, err := writeTemp(keyFile, keyPEM, keyMode)
		if err != nil {
			return nil, "", err
		}
		pc, err := writeTemp(certFile, certPEM, certMode)
		if err != nil {
			discard(pk)
			return nil, "", err
		}
		if err := commitFiles(pk, pc); err != nil {
			return nil, "", err
		}
		return &KeyPair{Cert: cert, Key: key, CertPEM: certPEM, KeyPEM: keyPEM, CertFile: certFile, KeyFile: keyFile}, "created", nil

	case certPEM == nil:
		// Either a crash between renaming the key and the certificate, or
		// the operator removed the certificate: issue one for the key.
		key, err := parseKeyPEM(keyPEM)
		if err != nil {
			return nil, "", fmt.Errorf("pki: parse %s: %v: %s", keyFile, err, keyHint)
		}
		if err := s.tightenKey(keyFile); err != nil {
			return nil, "", err
		}
		kp := &KeyPair{Key: key, KeyPEM: keyPEM, CertFile: certFile, KeyFile: keyFile}
		if err := s.issue(ca, spec, kp); err != nil {
			return nil, "", err
		}
		return kp, "created", nil

	case keyPEM == nil:
		return nil, "", fmt.Errorf("pki: %s exists but %s is missing: remove %s to regenerate both, or restore the key from a backup",
			certFile, keyFile, filepath.Base(certFile))
	}

	cert, err := ParseCertPEM(certPEM)
	if err != nil {
		return nil, "", fmt.Errorf("pki: parse %s: %v: remove it to regenerate it, or restore it from a backup", certFile, err)
	}
	key, err := parseKeyPEM(keyPEM)
	if err != nil {
		return nil, "", fmt.Errorf("pki: parse %s: %v: %s", keyFile, err, keyHint)
	}
	if !samePublicKey(key.Public(), cert.PublicKey) {
		return nil, "", fmt.Errorf("pki: %s does not match %s (an interrupted write or a manual change): remove both to regenerate them, or restore the pair from a backup", keyFile, certFile)
	}
	if err := cert.CheckSignatureFrom(ca.Cert); err != nil {
		where := ""
		if ca.CertFile != "" {
			where = " in " + ca.CertFile
		}
		return nil, "", fmt.Errorf("pki: %s was not signed by the cluster CA%s (%v): remove %s and %s to issue new ones, or restore the CA that signed it",
			certFile, where, err, filepath.Base(certFile), filepath.Base(keyFile))
	}
	if err := s.tightenKey(keyFile); err != nil {
		return nil, "", err
	}

	kp = &KeyPair{Cert: cert, Key: key, CertPEM: certPEM, KeyPEM: keyPEM, CertFile: certFile, KeyFile: keyFile}
	switch why := certDiff(cert, spec); {
	case why != "":
		changed = "reissued: " + why
	case time.Until(cert.NotAfter) < RenewBefore:
		changed = "renewed"
	case s.RenewAll:
		changed = "renewed (rotate)"
	default:
		return kp, "", nil
	}
	if err := s.issue(ca, spec, kp); err != nil {
		return nil, "", err
	}
	return kp, changed, nil
}

// issue signs a new certificate for kp.Key and replaces kp's certificate
// file; the key file is left alone, so key and certificate always match.
func (s *Store) issue(ca *CA, spec CertSpec, kp *KeyPair) error {
	cert, certPEM, err := ca.Sign(spec, kp.Key.Public(), LeafValidity)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(kp.CertFile, certPEM, certMode); err != nil {
		return err
	}
	kp.Cert, kp.CertPEM = cert, certPEM
	return nil
}

// certDiff says how cert differs from spec, or returns "".
func certDiff(cert *x509.Certificate, spec CertSpec) string {
	var why []string
	if cert.Subject.CommonName != spec.CommonName {
		why = append(why, fmt.Sprintf("common name %q -> %q", cert.Subject.CommonName, spec.CommonName))
	}
	if !sameSet(cert.Subject.Organization, spec.Organization) {
		why = append(why, fmt.Sprintf("organization %v -> %v", cert.Subject.Organization, spec.Organization))
	}
	if !sameSet(cert.DNSNames, spec.DNSNames) {
		why = append(why, fmt.Sprintf("DNS names %v -> %v", cert.DNSNames, spec.DNSNames))
	}
	if !sameSet(ipStrings(cert.IPAddresses), ipStrings(spec.IPs)) {
		why = append(why, fmt.Sprintf("IP addresses %v -> %v", cert.IPAddresses, spec.IPs))
	}
	has := func(u x509.ExtKeyUsage) bool { return slices.Contains(cert.ExtKeyUsage, u) }
	if has(x509.ExtKeyUsageServerAuth) != spec.Server || has(x509.ExtKeyUsageClientAuth) != spec.Client {
		why = append(why, fmt.Sprintf("usages %s -> %s", usageString(has(x509.ExtKeyUsageServerAuth), has(x509.ExtKeyUsageClientAuth)), usageString(spec.Server, spec.Client)))
	}
	if now := time.Now(); now.Before(cert.NotBefore) {
		why = append(why, fmt.Sprintf("not valid until %s (the clock moved back?)", cert.NotBefore.UTC().Format(time.RFC3339)))
	}
	return strings.Join(why, "; ")
}

func usageString(server, client bool) string {
	switch {
	case server && client:
		return "server+client"
	case server:
		return "server"
	case client:
		return "client"
	}
	return "none"
}

func ipStrings(ips []net.IP) []string {
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, a.Unmap().String())
		} else {
			out = append(out, ip.String())
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// EnsureServiceAccountKey loads or creates sa.key (the token signing key,
// 0600) and sa.pub (its public key, 0644). sa.pub may list further public
// keys, e.g. a previous signing key during rotation, but must include
// sa.key's.
func (s *Store) EnsureServiceAccountKey() (privFile, pubFile string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	privFile, pubFile = s.Path("sa.key"), s.Path("sa.pub")
	keyPEM, err := readOptional(privFile)
	if err != nil {
		return "", "", err
	}
	pubPEM, err := readOptional(pubFile)
	if err != nil {
		return "", "", err
	}

	if keyPEM == nil {
		if pubPEM != nil {
			return "", "", fmt.Errorf("pki: %s exists but %s is missing: restore the key from a backup, or remove %s to create a new pair (service account tokens signed by the old key then stop working)",
				pubFile, privFile, filepath.Base(pubFile))
		}
		key, err := newKey()
		if err != nil {
			return "", "", err
		}
		kp, err := encodeKeyPEM(key)
		if err != nil {
			return "", "", fmt.Errorf("pki: encode %s: %w", privFile, err)
		}
		pp, err := encodePublicKeyPEM(key.Public())
		if err != nil {
			return "", "", fmt.Errorf("pki: encode %s: %w", pubFile, err)
		}
		tk, err := writeTemp(privFile, kp, keyMode)
		if err != nil {
			return "", "", err
		}
		tp, err := writeTemp(pubFile, pp, certMode)
		if err != nil {
			discard(tk)
			return "", "", err
		}
		if err := commitFiles(tk, tp); err != nil {
			return "", "", err
		}
		return privFile, pubFile, nil
	}

	key, err := parseKeyPEM(keyPEM)
	if err != nil {
		return "", "", fmt.Errorf("pki: parse %s: %v: restore it from a backup, or remove %s and %s to create a new pair (service account tokens signed by the old key then stop working)",
			privFile, err, filepath.Base(privFile), filepath.Base(pubFile))
	}
	if pubPEM == nil {
		// sa.pub is derived data: recreating it loses nothing.
		pp, err := encodePublicKeyPEM(key.Public())
		if err != nil {
			return "", "", fmt.Errorf("pki: encode %s: %w", pubFile, err)
		}
		if err := writeFileAtomic(pubFile, pp, certMode); err != nil {
			return "", "", err
		}
	} else {
		pubs, err := parsePublicKeysPEM(pubPEM)
		if err != nil {
			return "", "", fmt.Errorf("pki: parse %s: %v: remove it to recreate it from %s, or restore it from a backup", pubFile, err, filepath.Base(privFile))
		}
		if !slices.ContainsFunc(pubs, func(p crypto.PublicKey) bool { return samePublicKey(key.Public(), p) }) {
			return "", "", fmt.Errorf("pki: %s does not contain the public key of %s: remove %s to recreate it from the key, or restore the pair from a backup", pubFile, privFile, filepath.Base(pubFile))
		}
	}
	if err := s.tightenKey(privFile); err != nil {
		return "", "", err
	}
	return privFile, pubFile, nil
}

// WriteChain writes name.crt's certificate followed by the CA's as
// name-chain.crt (0644) and returns its path. A server that presents the
// chain lets a joining node pin the CA by its hash in the TLS handshake,
// before it sends any credential (anonymous requests are refused).
func (s *Store) WriteChain(ca *CA, kp *KeyPair, name string) (string, error) {
	path := s.Path(name + "-chain.crt")
	data := append(append([]byte{}, kp.CertPEM...), ca.CertPEM...)
	if err := writeFileAtomic(path, data, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// WriteCACert stores a CA certificate received from elsewhere (a worker's
// copy of the cluster CA, pinned by hash at join) as ca.crt.
func (s *Store) WriteCACert(certPEM []byte) error {
	if _, err := ParseCertPEM(certPEM); err != nil {
		return fmt.Errorf("pki: CA certificate: %w", err)
	}
	return writeFileAtomic(s.Path("ca.crt"), certPEM, 0o644)
}
