package join

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/kubenode/kubenode/pkg/pki"
)

// Kinds of CA pinning failure, for errors.Is. The errors themselves carry
// the details and what to do.
var (
	// ErrUnreachable: no TCP connection to the server.
	ErrUnreachable = errors.New("server unreachable")
	// ErrNoCA: the server's TLS chain holds no CA certificate, so the pin
	// cannot be checked (a primary from before CAs were sent in the chain).
	ErrNoCA = errors.New("no CA in the server's certificate chain")
	// ErrCAMismatch: the server's CA is not the one the join token pins.
	ErrCAMismatch = errors.New("CA hash mismatch")
	// ErrUntrusted: the server presents the pinned CA but its own
	// certificate does not verify against it (not issued by it, or not for
	// this server name).
	ErrUntrusted = errors.New("server certificate does not verify against the pinned CA")
	// ErrClock: a certificate is expired or not yet valid by this machine's
	// clock.
	ErrClock = errors.New("certificate not valid at this machine's time")
)

// pinError is an error of one of the kinds above with its own message.
type pinError struct {
	kind  error
	msg   string
	cause error // what failed underneath, if anything
}

func (e *pinError) Error() string   { return e.msg }
func (e *pinError) Unwrap() []error { return []error{e.kind, e.cause} }

func pinErrorf(kind error, format string, args ...any) error {
	return &pinError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// PinnedTLSConfig returns a client TLS configuration that accepts a server
// only if its certificate chain contains a CA certificate whose
// SubjectPublicKeyInfo hashes to caHash (pki.CAHash) and the server's leaf
// certificate verifies against that CA alone, for serverName (a DNS name or
// an IP address) and server authentication. Nothing is sent over a
// connection before that, so a bootstrap token given to such a connection
// only reaches the pinned cluster.
//
// The system roots play no part. Session resumption stays off (no
// ClientSessionCache): a resumed session would skip the check.
func PinnedTLSConfig(caHash string, serverName string) *tls.Config {
	return &tls.Config{
		// Go's own verification needs a root pool; this one has no roots
		// until the chain is checked, so it is replaced by
		// VerifyPeerCertificate below, which does the whole verification.
		InsecureSkipVerify:     true,
		ServerName:             serverName,
		MinVersion:             tls.VersionTLS12,
		SessionTicketsDisabled: true,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			_, err := verifyPinned(raw, caHash, serverName)
			return err
		},
	}
}

// verifyPinned is PinnedTLSConfig's check; it returns the pinned CA.
func verifyPinned(raw [][]byte, caHash, serverName string) (*x509.Certificate, error) {
	if err := ValidateCAHash(caHash); err != nil {
		return nil, fmt.Errorf("CA pinning: %w", err)
	}
	if len(raw) == 0 {
		return nil, pinErrorf(ErrNoCA, "the server at %s presented no certificate", serverName)
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, der := range raw {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("the server at %s presented a certificate (number %d of its chain) that does not parse: %v", serverName, i+1, err)
		}
		certs[i] = c
	}
	leaf := certs[0]
	var pinned *x509.Certificate
	var seen []string
	intermediates := x509.NewCertPool()
	for _, c := range certs[1:] {
		if !c.IsCA || !c.BasicConstraintsValid {
			continue
		}
		h := pki.CAHash(c)
		if h == caHash && pinned == nil {
			pinned = c
			continue
		}
		seen = append(seen, fmt.Sprintf("%s (CN=%s)", h, c.Subject.CommonName))
		intermediates.AddCert(c)
	}
	if pinned == nil {
		if len(seen) == 0 {
			return nil, pinErrorf(ErrNoCA, "the server at %s sends only its own certificate (CN=%s, issued by CN=%s), not the cluster CA, so the CA hash in the join token cannot be checked: upgrade kubenode on the primary (or restart it, if it is already upgraded) so that its API serves the CA in its certificate chain",
				serverName, leaf.Subject.CommonName, leaf.Issuer.CommonName)
		}
		return nil, pinErrorf(ErrCAMismatch, "the server's CA is %s but the join token pins %s: wrong cluster, or someone in between; refusing to send the bootstrap token. Check the address, and take the join token from this cluster's primary (kubenode token create)",
			strings.Join(seen, ", "), caHash)
	}
	t := now()
	for _, c := range []*x509.Certificate{pinned, leaf} {
		if t.Before(c.NotBefore) || t.After(c.NotAfter) {
			what := "server's certificate"
			if c == pinned {
				what = "cluster CA certificate"
			}
			state := "is not valid yet"
			if t.After(c.NotAfter) {
				state = "has expired"
			}
			return nil, pinErrorf(ErrClock, "the %s (CN=%s) of %s %s by this machine's clock: it is valid from %s to %s and this machine's time is %s. If the primary made it recently, the clocks differ (clock skew): set both machines' clocks right (timedatectl, NTP) and try again; if it really expired, restart the primary so it renews its certificates",
				what, c.Subject.CommonName, serverName, state,
				c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
		}
	}
	roots := x509.NewCertPool()
	roots.AddCert(pinned)
	_, err := leaf.Verify(x509.VerifyOptions{
		DNSName:       serverName,
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   t,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	switch {
	case err == nil:
		return pinned, nil
	case errors.As(err, &hostErr):
		names := append([]string{}, leaf.DNSNames...)
		for _, ip := range leaf.IPAddresses {
			names = append(names, ip.String())
		}
		return nil, pinErrorf(ErrUntrusted, "the server's certificate is not valid for %s (it names %s): join with an address the primary's API certificate names, normally the primary's node IP as `kubenode token create` prints it", serverName, strings.Join(names, ", "))
	case errors.As(err, &authErr):
		return nil, pinErrorf(ErrUntrusted, "the server at %s presents the pinned CA %s but its own certificate (CN=%s) was issued by someone else (CN=%s): someone in between, or a misconfigured primary; refusing to send the bootstrap token", serverName, caHash, leaf.Subject.CommonName, leaf.Issuer.CommonName)
	default:
		return nil, pinErrorf(ErrUntrusted, "the server's certificate (CN=%s) at %s does not verify against the pinned CA %s: %v; refusing to send the bootstrap token", leaf.Subject.CommonName, serverName, caHash, err)
	}
}

// fetchTimeout bounds FetchCA when ctx has no deadline.
const fetchTimeout = 15 * time.Second

// FetchCA connects to server (https://host:port) with PinnedTLSConfig and
// returns the pinned cluster CA certificate; pem.EncodeToMemory of a
// CERTIFICATE block of its Raw bytes (see CAPEM) is the worker's ca.crt.
// Errors wrap ErrUnreachable, ErrNoCA, ErrCAMismatch, ErrUntrusted or
// ErrClock, with a message naming the cause and what to check.
func FetchCA(ctx context.Context, server, caHash string) (*x509.Certificate, error) {
	addr, host, err := serverAddress(server)
	if err != nil {
		return nil, err
	}
	if err := ValidateCAHash(caHash); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
	}
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		pe := pinErrorf(ErrUnreachable, "cannot reach the primary's API at %s: %v: check that the join token given to --join is this cluster's (it names %s), that `kubenode primary` runs there, and that the primary's firewall lets TCP port %s in from this machine",
			addr, unwrapOpError(err), server, portOf(addr)).(*pinError)
		pe.cause = err
		return nil, pe
	}
	defer raw.Close()
	conn := tls.Client(raw, PinnedTLSConfig(caHash, host))
	if err := conn.HandshakeContext(ctx); err != nil {
		var pe *pinError
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, fmt.Errorf("TLS handshake with %s failed: %v: is that address the kubenode primary's API (port %s)?", addr, err, portOf(addr))
	}
	// The handshake ran verifyPinned; find the certificate it accepted.
	for _, c := range conn.ConnectionState().PeerCertificates[1:] {
		if c.IsCA && pki.CAHash(c) == caHash {
			return c, nil
		}
	}
	return nil, pinErrorf(ErrNoCA, "the server at %s passed the CA check but its pinned CA is not in the connection state (a bug in kubenode)", addr)
}

// CAPEM encodes a CA certificate as the PEM of a ca.crt file.
func CAPEM(ca *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
}

// unwrapOpError drops net.OpError's "dial tcp 1.2.3.4:5:" prefix, which the
// message repeats anyway.
func unwrapOpError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
