package pki

import (
	"crypto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A fresh leaf (1 year) and CA (10 years) are not listed; looked at from
// 340 days later the leaf is, with its date, and from 2 years later it has
// expired. A broken file is listed; a missing one is not.
func TestExpiring(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	mustCert(t, s, ca, CertSpec{Name: "apiserver", CommonName: "kube-apiserver", Server: true}, "created")
	dir := filepath.Dir(s.Path("ca.crt"))
	missing := filepath.Join(t.TempDir(), "kubelet-client-current.pem")
	now := time.Now()
	if got := Expiring([]string{missing}, []string{dir}, now, 30*24*time.Hour); len(got) != 0 {
		t.Errorf("fresh certificates listed: %q", got)
	}
	got := Expiring(nil, []string{dir}, now.Add(340*24*time.Hour), 30*24*time.Hour)
	if len(got) != 1 || !strings.Contains(got[0], "apiserver.crt expires ") || !strings.Contains(got[0], "(in 2") {
		t.Errorf("leaf 25 days before expiry: %q", got)
	}
	got = Expiring(nil, []string{dir}, now.Add(2*365*24*time.Hour), 30*24*time.Hour)
	if len(got) != 1 || !strings.Contains(got[0], "apiserver.crt expired ") {
		t.Errorf("expired leaf: %q", got)
	}
	broken := filepath.Join(dir, "broken.crt")
	if err := os.WriteFile(broken, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	got = Expiring(nil, []string{dir}, now, 30*24*time.Hour)
	if len(got) != 1 || !strings.Contains(got[0], "broken.crt: unreadable") {
		t.Errorf("broken file: %q", got)
	}
}

// RenewAll renews a fresh leaf (new certificate, same key) and lists it in
// the inventory with subject and issuer.
func TestRenewAllAndInventory(t *testing.T) {
	s, _ := newStore(t)
	ca := mustCA(t, s)
	spec := CertSpec{Name: "admin", CommonName: "kubenode-admin", Client: true}
	first := mustCert(t, s, ca, spec, "created")
	mustCert(t, s, ca, spec, "")
	s.RenewAll = true
	again := mustCert(t, s, ca, spec, "renewed (rotate)")
	if again.Cert.SerialNumber.Cmp(first.Cert.SerialNumber) == 0 || !again.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(first.Cert.PublicKey) {
		t.Errorf("rotate: serial %v -> %v; the key must stay", first.Cert.SerialNumber, again.Cert.SerialNumber)
	}
	inv := Inventory(nil, []string{filepath.Dir(s.Path("ca.crt"))})
	var names []string
	for _, c := range inv {
		names = append(names, filepath.Base(c.Path)+" "+c.Subject+" / "+c.Issuer)
	}
	got := strings.Join(names, "\n")
	if !strings.Contains(got, "admin.crt CN=kubenode-admin / CN=") || !strings.Contains(got, "ca.crt") {
		t.Errorf("inventory:\n%s", got)
	}
}
