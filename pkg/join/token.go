// Package join holds what a worker needs to join a kubenode cluster and what
// the primary needs to let it: the join token (API address, CA pin and a
// Kubernetes bootstrap token in one copy-pasteable string), bootstrap token
// Secrets, and fetching the cluster CA over TLS pinned to the token's hash,
// so that the bootstrap token is only ever sent to the right cluster.
package join

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// TokenPrefix starts every join token of this format. The digit is the
// format's version: a later, incompatible format gets another prefix, so an
// old kubenode can say that it does not understand a token instead of
// calling it garbled.
const TokenPrefix = "kn1."

// Token is what a worker needs to join: where the API is, which CA to trust
// and the bootstrap token to authenticate with until it has a certificate.
type Token struct {
	// Server is https://host:port of the API, an IPv6 host in brackets.
	Server string `json:"server"`
	// CAHash is "sha256:<64 hex>" over the cluster CA's
	// SubjectPublicKeyInfo, as pki.CAHash returns it.
	CAHash string `json:"caHash"`
	// BootstrapToken is "<id>.<secret>", e.g. "abcdef.0123456789abcdef".
	BootstrapToken string `json:"token"`
}

// String returns the join token: TokenPrefix followed by the unpadded
// base64url encoding of the token's compact JSON. Its characters are
// letters, digits, '-', '_' and one '.', so it is one word for the shell
// and for a terminal's double-click selection. It holds the bootstrap
// token's secret: never log it.
func (t Token) String() string {
	b, err := json.Marshal(t) // three strings: cannot fail
	if err != nil {
		panic(err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// ID is the public half of the bootstrap token, safe to show and log.
func (t Token) ID() string {
	id, _, _ := strings.Cut(t.BootstrapToken, ".")
	return id
}

const createHint = "run `kubenode token create` on the primary and copy the whole kn1.… string it prints"

// Parse decodes and validates a join token. Surrounding white space (from
// copying) is ignored. Errors say what is wrong and how to get a good token;
// they never contain the bootstrap token's secret.
func Parse(s string) (Token, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Token{}, fmt.Errorf("the join token is empty: %s", createHint)
	case bootstraputil.IsValidBootstrapToken(s):
		return Token{}, fmt.Errorf("this is a bare Kubernetes bootstrap token (id %s), not a kubenode join token, which also carries the API address and the CA hash: %s", s[:6], createHint)
	case !strings.HasPrefix(s, TokenPrefix):
		if v, ok := otherVersion(s); ok {
			return Token{}, fmt.Errorf("the join token is of format %s, which this kubenode does not know (it reads %s): use the same kubenode version on the worker as on the primary", v, strings.TrimSuffix(TokenPrefix, "."))
		}
		return Token{}, fmt.Errorf("not a kubenode join token (it does not start with %q): %s", TokenPrefix, createHint)
	}
	body := s[len(TokenPrefix):]
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Token{}, fmt.Errorf("the join token is truncated or garbled (%d characters after %q do not decode: %v): copy it again in full, as one line", len(body), TokenPrefix, err)
	}
	var t Token
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Token{}, fmt.Errorf("the join token is truncated or garbled (%d characters after %q, contents do not parse: %v): copy it again in full, as one line", len(body), TokenPrefix, err)
	}
	if dec.More() {
		return Token{}, fmt.Errorf("the join token is garbled (data after its end): copy it again in full, as one line")
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"server", t.Server}, {"caHash", t.CAHash}, {"token", t.BootstrapToken}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return Token{}, fmt.Errorf("the join token lacks %s: it was not made by `kubenode token create` or was edited; %s", strings.Join(missing, ", "), createHint)
	}
	if err := ValidateCAHash(t.CAHash); err != nil {
		return Token{}, fmt.Errorf("the join token's %v; %s", err, createHint)
	}
	if !bootstraputil.IsValidBootstrapToken(t.BootstrapToken) {
		return Token{}, fmt.Errorf("the join token's bootstrap token is not of the form <6 of [a-z0-9]>.<16 of [a-z0-9]>: the token was edited or damaged; %s", createHint)
	}
	if err := ValidateServer(t.Server); err != nil {
		return Token{}, fmt.Errorf("the join token's %v; %s", err, createHint)
	}
	return t, nil
}

// ReadTokenFile reads a join token from a file (a secret kept out of the
// command line and the environment, e.g. a NixOS joinTokenFile). It returns
// the token as Parse checked it; errors name the file, never the secret.
func ReadTokenFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("join token file: %w; write the kn1.… line that `kubenode token create` prints on the primary there", err)
	}
	s := strings.TrimSpace(string(data))
	if _, err := Parse(s); err != nil {
		return "", fmt.Errorf("join token file %s: %w", path, err)
	}
	return s, nil
}

// TokenID returns the bootstrap token ID that s names: the ID itself (the
// ID column of `kubenode token list`), id.secret, or a whole kn1. join
// token. Anything else is an error that shows what an ID looks like, so a
// mistyped argument never reaches the API.
func TokenID(s string) (string, error) {
	t := strings.TrimSpace(s)
	switch {
	case bootstraputil.IsValidBootstrapTokenID(t):
		return t, nil
	case bootstraputil.IsValidBootstrapToken(t):
		id, _, _ := strings.Cut(t, ".")
		return id, nil
	case strings.HasPrefix(t, TokenPrefix):
		tok, err := Parse(t)
		if err != nil {
			return "", err
		}
		return tok.ID(), nil
	}
	return "", fmt.Errorf("%q is not a bootstrap token ID: an ID is 6 characters of a-z and 0-9 (e.g. 07401b), the ID column of `kubenode token list`; id.secret or a whole %s… join token work too", s, TokenPrefix)
}

// otherVersion recognises "knN." prefixes of other formats.
func otherVersion(s string) (string, bool) {
	v, _, ok := strings.Cut(s, ".")
	if !ok || len(v) < 3 || !strings.HasPrefix(v, "kn") {
		return "", false
	}
	if _, err := strconv.Atoi(v[2:]); err != nil {
		return "", false
	}
	return v, true
}

// ValidateCAHash checks the "sha256:<64 lowercase hex>" form of pki.CAHash.
func ValidateCAHash(h string) error {
	hexPart, ok := strings.CutPrefix(h, "sha256:")
	if !ok {
		return fmt.Errorf("CA hash %q does not start with sha256: (the form is sha256:<64 hex digits>)", h)
	}
	if len(hexPart) != 64 || strings.ToLower(hexPart) != hexPart {
		return fmt.Errorf("CA hash %q is not sha256:<64 lowercase hex digits> (it has %d after sha256:)", h, len(hexPart))
	}
	if _, err := hex.DecodeString(hexPart); err != nil {
		return fmt.Errorf("CA hash %q is not sha256:<64 hex digits>: %v", h, err)
	}
	return nil
}

// ValidateServer checks that s is https://host:port and nothing more.
func ValidateServer(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("server %q is not a URL: %v", s, err)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("server %q is not an https:// URL", s)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("server %q must be https://host:port only, without user, path or query", s)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" {
		return fmt.Errorf("server %q lacks a host and port (https://host:port, an IPv6 address in brackets)", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("server %q has port %q, not a number from 1 to 65535", s, port)
	}
	return nil
}

// serverAddress returns host:port and the bare host of a valid server URL.
func serverAddress(server string) (addr, host string, err error) {
	if err := ValidateServer(server); err != nil {
		return "", "", err
	}
	u, _ := url.Parse(server)
	return u.Host, u.Hostname(), nil
}
