package e2e

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// joinToken is the kn1 join token's contents: the format is a contract
// between kubenode versions, so the test decodes it on its own.
type joinToken struct {
	Server string `json:"server"`
	CAHash string `json:"caHash"`
	Token  string `json:"token"`
}

func decodeJoinToken(t *testing.T, s string) joinToken {
	t.Helper()
	body, ok := strings.CutPrefix(s, "kn1.")
	if !ok {
		t.Fatalf("join token %q does not start with kn1.", s)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		t.Fatalf("join token: %v", err)
	}
	var jt joinToken
	if err := json.Unmarshal(raw, &jt); err != nil {
		t.Fatalf("join token: %v: %s", err, raw)
	}
	return jt
}

func (jt joinToken) encode() string {
	b, _ := json.Marshal(jt)
	return "kn1." + base64.RawURLEncoding.EncodeToString(b)
}

// caHashOf is "sha256:<hex>" of the SubjectPublicKeyInfo of the CA in file.
func caHashOf(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM", file)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(ca.RawSubjectPublicKeyInfo)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// getBearer is get with a bearer token instead of a client certificate.
func getBearer(t *testing.T, h *host, bearer, path string) (int, string) {
	t.Helper()
	return getWith(t, h, path, "E2E_BEARER="+bearer)
}

var joinTokenRE = regexp.MustCompile(`kn1\.[A-Za-z0-9_-]+`)

func TestTokens(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	h.ensureRuntimeConfig()
	token := func(args ...string) (string, error) {
		return h.run(append(append([]string{"token"}, args...), h.nodeArgs()...)...)
	}
	mustToken := func(t *testing.T, args ...string) string {
		t.Helper()
		out, err := token(args...)
		if err != nil {
			t.Fatalf("token %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}

	t.Run("before the primary ever ran", func(t *testing.T) {
		out, err := token("list")
		want := "no admin kubeconfig at " + filepath.Join(h.dataDir(), "admin.kubeconfig")
		if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "run on the primary") {
			t.Fatalf("token list without a primary: err=%v, want %q in:\n%s", err, want, out)
		}
	})

	p := startPrimary(t, h)

	var tok string
	var jt joinToken
	var id, secret, expires string
	t.Run("create", func(t *testing.T) {
		start := time.Now()
		out := mustToken(t, "create", "--ttl", "1h", "--description", "e2e")
		t.Logf("token create took %s:\n%s", time.Since(start).Round(time.Millisecond), out)
		if strings.Contains(out, "warning:") {
			t.Errorf("create warned:\n%s", out)
		}
		tok = joinTokenRE.FindString(out)
		if tok == "" {
			t.Fatalf("no kn1. token in:\n%s", out)
		}
		if !strings.Contains(out, "\n    kubenode worker --join "+tok+"\n") {
			t.Fatalf("no ready-to-paste join line in:\n%s", out)
		}
		m := regexp.MustCompile(`expires at (\S+), in (59m|60m)\.`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no expiry an hour ahead in:\n%s", out)
		}
		expires = m[1]
		if e, err := time.Parse(time.RFC3339, expires); err != nil || e.Sub(start) < 59*time.Minute || e.Sub(start) > 61*time.Minute {
			t.Fatalf("expiry %q (%v) is not an hour after %v", expires, err, start)
		}
		jt = decodeJoinToken(t, tok)
		if want := "https://192.168.77.1:6443"; jt.Server != want {
			t.Errorf("server %q, want %q", jt.Server, want)
		}
		if want := caHashOf(t, filepath.Join(h.dataDir(), "pki", "ca.crt")); jt.CAHash != want {
			t.Errorf("CA hash %q, want %q (of pki/ca.crt)", jt.CAHash, want)
		}
		var ok bool
		id, secret, ok = strings.Cut(jt.Token, ".")
		if !ok || len(id) != 6 || len(secret) != 16 {
			t.Fatalf("bootstrap token %q is not id.secret", jt.Token)
		}
		if !strings.Contains(out, "Join token "+id+" ") {
			t.Errorf("output does not name the token ID %s", id)
		}
	})
	if tok == "" {
		t.FailNow()
	}

	t.Run("kubenode parses it", func(t *testing.T) {
		// token check is kubenode's own Parse (and then FetchCA).
		out, _ := token("check", tok)
		for _, want := range []string{"server:          " + jt.Server, "CA hash:         " + jt.CAHash, "bootstrap token: " + id + " (ID)"} {
			if !strings.Contains(out, want) {
				t.Errorf("token check output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, secret) {
			t.Errorf("token check shows the secret:\n%s", out)
		}
		if out, err := token("check", tok[:len(tok)-10]); err == nil || !strings.Contains(out, "truncated or garbled") {
			t.Errorf("truncated token: err=%v\n%s", err, out)
		}
	})

	t.Run("list shows it without the secret", func(t *testing.T) {
		out := mustToken(t, "list")
		t.Logf("token list:\n%s", out)
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, id+" ") {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("token %s not listed:\n%s", id, out)
		}
		for _, want := range []string{expires + " (in ", "authentication,signing", "system:bootstrappers:kubenode:worker", " e2e"} {
			if !strings.Contains(line, want) {
				t.Errorf("list line %q lacks %q", line, want)
			}
		}
		if strings.Contains(out, secret) {
			t.Fatalf("token list shows the secret:\n%s", out)
		}
	})

	t.Run("the bootstrap token authenticates", func(t *testing.T) {
		code, body := getBearer(t, h, jt.Token, "/api/v1/namespaces/kube-system/secrets")
		if code != http.StatusForbidden || !strings.Contains(body, `User \"system:bootstrap:`+id+`\" cannot list`) {
			t.Fatalf("GET with the bootstrap token: %d %s, want 403 for user system:bootstrap:%s", code, body, id)
		}
		// A wrong secret for the same ID is not a user at all.
		if code, body := getBearer(t, h, id+".0000000000000000", "/api/v1/namespaces/kube-system/secrets"); code != http.StatusUnauthorized {
			t.Fatalf("GET with a wrong secret: %d %s, want 401", code, body)
		}
	})

	t.Run("FetchCA with the right hash", func(t *testing.T) {
		out, err := token("check", tok)
		if err != nil && strings.Contains(out, "sends only its own certificate") {
			t.Skipf("the primary's API does not serve the CA in its chain yet (tls-cert-file is not a chain file), so the pin cannot be checked:\n%s", out)
		}
		if err != nil || !strings.Contains(out, "CA:              CN=kubenode-ca, valid until ") || !strings.Contains(out, "matches the pin") {
			t.Fatalf("token check: err=%v\n%s", err, out)
		}
	})

	t.Run("FetchCA with a wrong hash", func(t *testing.T) {
		wrong := jt
		sum := sha256.Sum256([]byte("some other cluster"))
		wrong.CAHash = "sha256:" + hex.EncodeToString(sum[:])
		out, err := token("check", wrong.encode())
		if err == nil {
			t.Fatalf("a token pinning another CA passed the check:\n%s", out)
		}
		if strings.Contains(out, "sends only its own certificate") {
			t.Skipf("the primary's API does not serve the CA in its chain yet; refused for that reason:\n%s", out)
		}
		want := "the server's CA is " + jt.CAHash + " (CN=kubenode-ca) but the join token pins " + wrong.CAHash + ": wrong cluster, or someone in between"
		if !strings.Contains(out, want) {
			t.Fatalf("wrong hash: want %q in:\n%s", want, out)
		}
		t.Logf("token check with a wrong hash:\n%s", out)
	})

	t.Run("a token without expiry", func(t *testing.T) {
		out := mustToken(t, "create", "--ttl", "0")
		forever := joinTokenRE.FindString(out)
		if forever == "" || !strings.Contains(out, "It never expires: remove it with `kubenode token delete ") {
			t.Fatalf("ttl 0:\n%s", out)
		}
		fid, _, _ := strings.Cut(decodeJoinToken(t, forever).Token, ".")
		if list := mustToken(t, "list"); !regexp.MustCompile(`(?m)^` + fid + ` +never `).MatchString(list) {
			t.Fatalf("list does not show %s as never expiring:\n%s", fid, list)
		}
		// delete accepts the whole join token too.
		if out := mustToken(t, "delete", forever); !strings.Contains(out, "deleted bootstrap token "+fid) {
			t.Fatalf("delete by join token:\n%s", out)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if out := mustToken(t, "delete", id); strings.TrimSpace(out) != "deleted bootstrap token "+id {
			t.Fatalf("delete: %q", out)
		}
		if out := mustToken(t, "list"); strings.Contains(out, id+" ") {
			t.Fatalf("deleted token still listed:\n%s", out)
		}
		out, err := token("delete", id)
		if err == nil || !strings.Contains(out, `no bootstrap token with ID "`+id+`"`) || !strings.Contains(out, "kubenode token list") {
			t.Fatalf("second delete: err=%v\n%s", err, out)
		}
		// The apiserver stops accepting it once its informer sees the
		// deletion.
		deleted := time.Now()
		eventually(t, 30*time.Second, "the deleted token is refused", func() error {
			if code, body := getBearer(t, h, jt.Token, "/api/v1/namespaces/kube-system/secrets"); code != http.StatusUnauthorized {
				return &statusError{code, body}
			}
			return nil
		})
		t.Logf("the apiserver refused the deleted token %s after the delete", time.Since(deleted).Round(100*time.Millisecond))
	})

	t.Run("primary not running", func(t *testing.T) {
		if _, err := p.stop(15 * time.Second); err != nil {
			t.Fatal(err)
		}
		out, err := token("list")
		if err == nil || !strings.Contains(out, "the primary's API does not answer: is `kubenode primary` running with data dir "+h.dataDir()) {
			t.Fatalf("token list with the primary stopped: err=%v\n%s", err, out)
		}
		t.Logf("token list with the primary stopped:\n%s", out)
		// A bad ID is named as such before any API call.
		out, err = token("delete", "../../x")
		if err == nil || !strings.Contains(out, `"../../x" is not a bootstrap token ID: an ID is 6 characters of a-z and 0-9`) {
			t.Fatalf("token delete ../../x: err=%v\n%s", err, out)
		}
		out, err = token("check", tok)
		if err == nil || !strings.Contains(out, "cannot reach the primary's API at 192.168.77.1:6443") || !strings.Contains(out, "firewall") {
			t.Fatalf("token check with the primary stopped: err=%v\n%s", err, out)
		}
		t.Logf("token check with the primary stopped:\n%s", out)
	})
}

type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string { return http.StatusText(e.code) + ": " + e.body }

// TestTokenMultiHomedPrimary: the primary runs with --node-ip on its LAN
// link while the default route leaves by another one. `token create`
// without --node-ip names the address the running primary uses (its
// status socket says), not the default route's, and a worker joins with it.
func TestTokenMultiHomedPrimary(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	// A second link (a veth whose other end stays in h1: no dummy module
	// here) that the default routes use.
	h1.mustExec("ip", "link", "add", "eth1", "type", "veth", "peer", "name", "eth1p")
	h1.mustExec("ip", "addr", "add", "172.30.1.1/24", "dev", "eth1")
	h1.mustExec("ip", "addr", "add", "fd30::1/64", "dev", "eth1", "nodad")
	h1.mustExec("ip", "link", "set", "eth1p", "up")
	h1.mustExec("ip", "link", "set", "eth1", "up")
	h1.mustExec("ip", "route", "replace", "default", "via", "172.30.1.254", "dev", "eth1")
	h1.mustExec("ip", "-6", "route", "replace", "default", "via", "fd30::fe", "dev", "eth1")
	startPrimary(t, h1, "--node-ip", h1.addr4+","+h1.addr6)

	out, err := h1.run(append([]string{"token", "create"}, h1.nodeArgs()...)...)
	m := joinLine.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	if server := tokenField(t, m[1], "server"); server != "https://192.168.77.1:6443" {
		t.Fatalf("the token names %s, want the running primary's https://192.168.77.1:6443 (not the default route's 172.30.1.1):\n%s", server, out)
	}
	if strings.Contains(out, "warning") {
		t.Errorf("token create warns:\n%s", out)
	}
	startWorker(t, h2, m[1])
}
