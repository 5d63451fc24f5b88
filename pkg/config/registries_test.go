package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writePair writes a self-signed certificate and its key as PEM files.
func writePair(t *testing.T, dir, name string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestRegistriesValid(t *testing.T) {
	dir := t.TempDir()
	ca, _ := writePair(t, dir, "ca")
	cert, key := writePair(t, dir, "client")
	c, err := resolve(t, `
registries:
  mirrors:
    docker.io:
      endpoint: ["https://mirror.example:5000", "http://10.0.0.5:5001/"]
    "[2001:db8::5]:5000":
      endpoint: ["https://[2001:db8::5]:5000/v2"]
  configs:
    mirror.example:5000:
      auth: {username: pull, password: secret}
      tls: {ca_file: `+ca+`, cert_file: `+cert+`, key_file: `+key+`}
    registry.example:
      auth: {auth: cHVsbDpzZWNyZXQ=}
      tls: {insecure_skip_verify: true}
`, lanHost)
	if err != nil {
		t.Fatal(err)
	}
	u, p, ok := c.Registries.Configs["registry.example"].Auth.Credentials()
	if !ok || u != "pull" || p != "secret" {
		t.Errorf("auth field decodes to %q %q %v, want pull secret", u, p, ok)
	}
	e, err := ParseMirrorEndpoint(c.Registries.Mirrors["docker.io"].Endpoint[1])
	if err != nil || e.Host != "10.0.0.5:5001" || !e.PlainHTTP {
		t.Errorf("http endpoint parses to %+v, %v", e, err)
	}
}

// Every problem of the section is named with its field and the fix, and
// the files are checked only against the node's own host.
func TestRegistriesBadInput(t *testing.T) {
	dir := t.TempDir()
	ca, _ := writePair(t, dir, "ca")
	cert, _ := writePair(t, dir, "client")
	_, otherKey := writePair(t, dir, "other")
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := `
registries:
  mirrors:
    "*": {endpoint: ["https://m.example"]}
    https://docker.io: {endpoint: ["https://m.example"]}
    quay.io: {endpoint: []}
    ghcr.io: {endpoint: ["ftp://m.example", "https://m.example/some/path", "https://user:pw@m.example", "https://m.example:99999"]}
  configs:
    a.example: {auth: {username: u}}
    b.example: {auth: {password: p}}
    c.example: {auth: {auth: "!!notbase64", username: u}}
    d.example: {auth: {auth: "bm9jb2xvbg=="}}
    e.example: {tls: {cert_file: ` + cert + `}}
    f.example: {tls: {ca_file: relative/ca.crt}}
    g.example: {tls: {ca_file: ` + filepath.Join(dir, "missing.crt") + `}}
    h.example: {tls: {ca_file: ` + notPEM + `}}
    i.example: {tls: {cert_file: ` + cert + `, key_file: ` + otherKey + `}}
    j.example: {tls: {ca_file: ` + ca + `}}
    "fd77::9": {}
    Upper.example: {}
`
	want := []string{
		`registries.mirrors["*"]: a mirror for every registry is not supported; list each registry by name`,
		`registries.mirrors["https://docker.io"]: write the host alone, without a scheme`,
		`registries.mirrors["quay.io"].endpoint: empty; list the mirror URLs`,
		`registries.mirrors["ghcr.io"].endpoint[0] "ftp://m.example": must start with https:// or http://`,
		`registries.mirrors["ghcr.io"].endpoint[1] "https://m.example/some/path": path "/some/path": a mirror is served at its root`,
		`registries.mirrors["ghcr.io"].endpoint[2] "https://user:pw@m.example": must be only scheme, host and port (credentials go in registries.configs)`,
		`registries.mirrors["ghcr.io"].endpoint[3] "https://m.example:99999": port "99999": must be between 1 and 65535`,
		`registries.configs["a.example"].auth: username "u" without password; add password`,
		`registries.configs["b.example"].auth: password without username; add username`,
		`registries.configs["c.example"].auth: set either auth or username and password, not both`,
		`registries.configs["d.example"].auth.auth: not base64 of "username:password"`,
		`registries.configs["e.example"].tls: cert_file without key_file; add the client certificate's key_file`,
		`registries.configs["f.example"].tls.ca_file "relative/ca.crt": must be an absolute path`,
		`registries.configs["g.example"].tls.ca_file: open ` + filepath.Join(dir, "missing.crt") + `: no such file or directory; give the PEM file of the CA`,
		`registries.configs["h.example"].tls.ca_file: ` + notPEM + ` holds no PEM certificate`,
		`registries.configs["i.example"].tls: client certificate ` + cert + ` with key ` + otherKey + `: tls: private key does not match public key`,
		`registries.configs["fd77::9"]: not a host[:port] (IPv6 addresses go in brackets`,
		`registries.configs["Upper.example"]: "Upper.example" is not a lower-case host name or IP address`,
	}
	_, err := resolve(t, yaml, lanHost)
	if err == nil {
		t.Fatal("no error")
	}
	got := errStrings(Problems(err))
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, w)
		}
		if !found {
			t.Errorf("no problem says %q; got:\n%s", w, strings.Join(got, "\n"))
		}
	}

	// Offline (a config for another machine): the files are not read,
	// the rest is still checked.
	_, err = resolve(t, yaml, nil)
	offline := errStrings(Problems(err))
	if n := len(want) - 3; len(offline) != n {
		t.Errorf("offline: got %d problems, want %d (all but the three file checks):\n%s", len(offline), n, strings.Join(offline, "\n"))
	}
}

func TestRegistriesSchema(t *testing.T) {
	_, err := Parse([]byte(`
registries:
  mirrors:
    docker.io: {endpoints: ["https://m.example"]}
  configs:
    m.example: {tls: {insecure_skip_verify: "yes"}}
    n.example: [a]
`))
	got := errStrings(Problems(err))
	for _, w := range []string{
		`registries.mirrors["docker.io"]: unknown field "endpoints" (did you mean endpoint?)`,
		`registries.configs["m.example"].tls.insecure_skip_verify: must be true or false, not the string "yes"`,
		`registries.configs["n.example"]: must be a mapping of fields, not a list`,
	} {
		if !strings.Contains(strings.Join(got, "\n"), w) {
			t.Errorf("no problem says %q; got:\n%s", w, strings.Join(got, "\n"))
		}
	}
}
