package join

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/kubernetes"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/pki"
)

// ServerURL is the API address a worker joins: https://<node IP of the
// cluster's primary family>:<apiPort>, the address the admin kubeconfig
// and the kubernetes Service use.
func ServerURL(cfg *config.Config) (string, error) {
	if len(cfg.NodeIPs) == 0 {
		return "", errors.New("the node has no node IP to offer workers: set nodeIPs in the config or --node-ip")
	}
	addr := cfg.NodeIPs[0]
	if len(cfg.ServiceCIDRs) > 0 {
		want4 := cfg.ServiceCIDRs[0].Addr().Is4()
		for _, a := range cfg.NodeIPs {
			if a.Is4() == want4 {
				addr = a
				break
			}
		}
	}
	return "https://" + net.JoinHostPort(addr.String(), strconv.Itoa(cfg.APIPort)), nil
}

// ReadCA reads the cluster CA certificate (the first certificate of file).
func ReadCA(file string) (*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no cluster CA at %s: run this on the primary, with the --data-dir (or config) it runs with; the CA is made at its first start", file)
	}
	if err != nil {
		return nil, fmt.Errorf("read cluster CA: %w", err)
	}
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("%s holds no PEM certificate", file)
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		if !c.IsCA {
			return nil, fmt.Errorf("%s is not a CA certificate", file)
		}
		return c, nil
	}
}

// IssueJoinToken creates a bootstrap token (see CreateToken) and returns the
// join token for this primary: server (its ServerURL when "") and the hash
// of the CA in <data-dir>/pki/ca.crt. expires is zero when ttl is 0.
func IssueJoinToken(ctx context.Context, client kubernetes.Interface, cfg *config.Config, server string, ttl time.Duration, description string) (Token, time.Time, error) {
	if server == "" {
		var err error
		if server, err = ServerURL(cfg); err != nil {
			return Token{}, time.Time{}, err
		}
	}
	ca, err := ReadCA(filepath.Join(cfg.PKIDir(), "ca.crt"))
	if err != nil {
		return Token{}, time.Time{}, err
	}
	id, secret, expires, err := CreateToken(ctx, client, ttl, description)
	if err != nil {
		return Token{}, time.Time{}, err
	}
	return Token{Server: server, CAHash: pki.CAHash(ca), BootstrapToken: id + "." + secret}, expires, nil
}

// PrintJoinHint writes the join token, its lifetime and the command to run
// on a worker. expires is zero for a token that never expires.
func PrintJoinHint(w io.Writer, tok Token, expires time.Time) {
	life := "It never expires: remove it with `kubenode token delete " + tok.ID() + "` once the workers have joined."
	if !expires.IsZero() {
		// The expiry has whole seconds: a token made for an hour a moment
		// ago has 59m59.x left, which is "in 60m" to its reader.
		left := expires.Sub(now())
		if left > time.Minute {
			left = left.Round(time.Minute)
		}
		life = fmt.Sprintf("It expires at %s, in %s.", expires.UTC().Format(time.RFC3339), duration.HumanDuration(left))
	}
	fmt.Fprintf(w, "Join token %s for %s, CA %s.\n%s\n\n    %s\n\nTo add a worker, run on it:\n\n    kubenode worker --join %s\n\n",
		tok.ID(), tok.Server, tok.CAHash, life, tok, tok)
}
