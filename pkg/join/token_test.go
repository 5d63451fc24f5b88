package join

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var goodToken = Token{
	Server:         "https://192.168.77.1:6443",
	CAHash:         "sha256:" + strings.Repeat("fedcba9876543210", 4),
	BootstrapToken: "abcdef.0123456789abcdef",
}

func TestTokenRoundTrip(t *testing.T) {
	for _, tok := range []Token{
		goodToken,
		{Server: "https://[fd77::1]:6443", CAHash: goodToken.CAHash, BootstrapToken: "z9z9z9.aaaaaaaaaaaaaaaa"},
		{Server: "https://api.example.com:443", CAHash: goodToken.CAHash, BootstrapToken: goodToken.BootstrapToken},
	} {
		s := tok.String()
		if !strings.HasPrefix(s, "kn1.") {
			t.Errorf("%q lacks the kn1. prefix", s)
		}
		// One shell word, one terminal double-click: no characters that
		// need quoting or break a selection.
		if strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
			t.Errorf("%q has characters outside [A-Za-z0-9-_.]", s)
		}
		got, err := Parse("  " + s + "\n")
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if got != tok {
			t.Fatalf("round trip: got %+v, want %+v", got, tok)
		}
		t.Logf("%d characters: %s", len(s), s)
	}
	if id := goodToken.ID(); id != "abcdef" {
		t.Fatalf("ID() = %q", id)
	}
}

// encode builds a kn1 token around arbitrary JSON.
func encode(json string) string {
	return "kn1." + base64.RawURLEncoding.EncodeToString([]byte(json))
}

// badLength cuts s so that its base64 part has 4n+1 characters, which no
// encoding produces.
func badLength(s string) string {
	n := len(s) - 1
	for (n-len(TokenPrefix))%4 != 1 {
		n--
	}
	return s[:n]
}

func TestParseErrors(t *testing.T) {
	good := goodToken.String()
	with := func(f func(*Token)) string {
		tok := goodToken
		f(&tok)
		return tok.String()
	}
	cases := []struct {
		name, in string
		want     []string
	}{
		{"empty", "  ", []string{"empty", "kubenode token create"}},
		{"bare bootstrap token", "abcdef.0123456789abcdef", []string{"bare Kubernetes bootstrap token (id abcdef)", "kubenode token create"}},
		{"wrong prefix", "K10" + good[4:], []string{`not a kubenode join token (it does not start with "kn1.")`, "kubenode token create"}},
		{"kubeadm style", "--token abcdef.0123456789abcdef", []string{"not a kubenode join token"}},
		{"other version", "kn2." + good[4:], []string{"format kn2", "same kubenode version"}},
		{"truncated", good[:len(good)-9], []string{"truncated or garbled", "copy it again in full"}},
		{"truncated to a length base64 cannot have", badLength(good), []string{"truncated or garbled", "do not decode"}},
		{"garbled characters", good[:20] + "!!" + good[22:], []string{"truncated or garbled", "do not decode"}},
		{"not JSON", encode("hello"), []string{"truncated or garbled", "do not parse"}},
		{"trailing data", encode(`{"server":"https://a:1","caHash":"x","token":"y"}{}`), []string{"garbled (data after its end)"}},
		{"unknown field", encode(`{"server":"https://a:1","nodeIndex":2}`), []string{"truncated or garbled", "nodeIndex"}},
		{"missing fields", encode(`{"server":"https://a:1"}`), []string{"lacks caHash, token"}},
		{"CA hash without algorithm", with(func(t *Token) { t.CAHash = strings.TrimPrefix(t.CAHash, "sha256:") }), []string{"does not start with sha256:", "kubenode token create"}},
		{"CA hash short", with(func(t *Token) { t.CAHash = t.CAHash[:40] }), []string{"not sha256:<64 lowercase hex digits> (it has 33"}},
		{"CA hash not hex", with(func(t *Token) { t.CAHash = "sha256:" + strings.Repeat("zz", 32) }), []string{"not sha256:<64 hex digits>"}},
		{"CA hash upper case", with(func(t *Token) { t.CAHash = strings.ToUpper(t.CAHash[:8]) + t.CAHash[8:] }), []string{"does not start with sha256:"}},
		{"bootstrap token upper case", with(func(t *Token) { t.BootstrapToken = "ABCDEF.0123456789abcdef" }), []string{"bootstrap token is not of the form"}},
		{"bootstrap token short secret", with(func(t *Token) { t.BootstrapToken = "abcdef.0123456789" }), []string{"bootstrap token is not of the form"}},
		{"bootstrap token no dot", with(func(t *Token) { t.BootstrapToken = "abcdef0123456789abcdef" }), []string{"bootstrap token is not of the form"}},
		{"server http", with(func(t *Token) { t.Server = "http://192.168.77.1:6443" }), []string{`server "http://192.168.77.1:6443" is not an https:// URL`}},
		{"server without port", with(func(t *Token) { t.Server = "https://192.168.77.1" }), []string{"lacks a host and port"}},
		{"server without host", with(func(t *Token) { t.Server = "https://:6443" }), []string{"lacks a host and port"}},
		{"server IPv6 without brackets", with(func(t *Token) { t.Server = "https://fd77::1:6443" }), []string{"fd77::1:6443"}},
		{"server bad port", with(func(t *Token) { t.Server = "https://192.168.77.1:99999" }), []string{`port "99999"`}},
		{"server with path", with(func(t *Token) { t.Server = "https://192.168.77.1:6443/api" }), []string{"without user, path or query"}},
		{"server not a URL", with(func(t *Token) { t.Server = "192.168.77.1:6443" }), []string{"192.168.77.1:6443"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) accepted it", tc.in)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// The secret never appears in an error.
			if strings.Contains(err.Error(), "0123456789abcdef") || strings.Contains(err.Error(), "0123456789\"") {
				t.Errorf("error %q shows the bootstrap token's secret", err)
			}
		})
	}
}

func TestTokenID(t *testing.T) {
	good := Token{Server: "https://192.168.1.10:6443", CAHash: "sha256:" + strings.Repeat("ab", 32), BootstrapToken: "abc123.0123456789abcdef"}
	for _, tc := range []struct{ in, id, err string }{
		{in: "abc123", id: "abc123"},
		{in: " abc123\n", id: "abc123"},
		{in: "abc123.0123456789abcdef", id: "abc123"},
		{in: good.String(), id: "abc123"},
		{in: "../../x", err: `"../../x" is not a bootstrap token ID: an ID is 6 characters of a-z and 0-9`},
		{in: ".", err: `"." is not a bootstrap token ID`},
		{in: "", err: `"" is not a bootstrap token ID`},
		{in: "ABC123", err: `"ABC123" is not a bootstrap token ID`},
		{in: "abc1234", err: `"abc1234" is not a bootstrap token ID`},
		{in: "abc123.short", err: `"abc123.short" is not a bootstrap token ID`},
		{in: "kn1.garbled!", err: "the join token is truncated or garbled"},
	} {
		id, err := TokenID(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("TokenID(%q) = %q, %v; want an error with %q", tc.in, id, err, tc.err)
			}
			continue
		}
		if err != nil || id != tc.id {
			t.Errorf("TokenID(%q) = %q, %v; want %q", tc.in, id, err, tc.id)
		}
	}
}

func TestReadTokenFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got, err := ReadTokenFile(write("good", goodToken.String()+"\n"))
	if err != nil || got != goodToken.String() {
		t.Fatalf("ReadTokenFile: %q, %v", got, err)
	}
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"missing", filepath.Join(dir, "missing"), []string{"join token file: open " + filepath.Join(dir, "missing"), "no such file", "kubenode token create"}},
		{"empty", write("empty", "\n"), []string{"join token file " + filepath.Join(dir, "empty") + ": the join token is empty"}},
		{"bare bootstrap token", write("bare", goodToken.BootstrapToken), []string{filepath.Join(dir, "bare") + ": this is a bare Kubernetes bootstrap token"}},
	} {
		_, err := ReadTokenFile(tc.path)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v lacks %q", tc.name, err, w)
			}
		}
		if err != nil && strings.Contains(err.Error(), "0123456789abcdef") {
			t.Errorf("%s: error shows the secret: %v", tc.name, err)
		}
	}
}
