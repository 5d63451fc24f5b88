package join

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/pki"
)

func TestServerURL(t *testing.T) {
	v4, v6 := netip.MustParseAddr("192.168.77.1"), netip.MustParseAddr("fd77::1")
	cases := []struct {
		ips     []netip.Addr
		service string
		want    string
	}{
		{[]netip.Addr{v4, v6}, "10.88.0.0/24", "https://192.168.77.1:6443"},
		{[]netip.Addr{v4, v6}, "fd88::/112", "https://[fd77::1]:6443"},
		{[]netip.Addr{v6, v4}, "10.88.0.0/24", "https://192.168.77.1:6443"},
		{[]netip.Addr{v6}, "fd88::/112", "https://[fd77::1]:6443"},
	}
	for _, tc := range cases {
		cfg := &config.Config{NodeIPs: tc.ips, ServiceCIDRs: []netip.Prefix{netip.MustParsePrefix(tc.service)}, APIPort: 6443}
		got, err := ServerURL(cfg)
		if err != nil || got != tc.want {
			t.Errorf("ServerURL(%v, %s) = %q, %v; want %q", tc.ips, tc.service, got, err, tc.want)
		}
		if err := ValidateServer(got); err != nil {
			t.Error(err)
		}
	}
	if _, err := ServerURL(&config.Config{APIPort: 6443}); err == nil {
		t.Error("no node IPs: no error")
	}
}

func TestIssueJoinToken(t *testing.T) {
	dataDir := t.TempDir()
	os.Mkdir(filepath.Join(dataDir, "pki"), 0o700)
	cfg := &config.Config{DataDir: dataDir, NodeIPs: []netip.Addr{netip.MustParseAddr("192.168.77.1")},
		ServiceCIDRs: []netip.Prefix{netip.MustParsePrefix("10.88.0.0/24")}, APIPort: 6443}
	client := fake.NewClientset()
	if _, _, err := IssueJoinToken(context.Background(), client, cfg, "", time.Hour, "x"); err == nil || !strings.Contains(err.Error(), "no cluster CA at "+filepath.Join(dataDir, "pki", "ca.crt")) {
		t.Fatalf("without a CA: %v", err)
	}
	store, err := pki.Open(cfg.PKIDir())
	if err != nil {
		t.Fatal(err)
	}
	ca, err := store.EnsureCA()
	if err != nil {
		t.Fatal(err)
	}
	tok, expires, err := IssueJoinToken(context.Background(), client, cfg, "", time.Hour, "x")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Server != "https://192.168.77.1:6443" || tok.CAHash != pki.CAHash(ca.Cert) || time.Until(expires) < 59*time.Minute {
		t.Fatalf("token %+v, expires %v", tok, expires)
	}
	if _, err := Parse(tok.String()); err != nil {
		t.Fatal(err)
	}
	// The address the running primary uses, when the caller has it.
	if other, _, err := IssueJoinToken(context.Background(), client, cfg, "https://10.1.2.3:6443", time.Hour, "x"); err != nil || other.Server != "https://10.1.2.3:6443" {
		t.Fatalf("token for a given server: %+v, %v", other, err)
	}
	var out bytes.Buffer
	PrintJoinHint(&out, tok, expires)
	for _, want := range []string{"    " + tok.String() + "\n", "    kubenode worker --join " + tok.String() + "\n", "It expires at ", ", in 60m.\n", tok.CAHash} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("hint lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	PrintJoinHint(&out, tok, time.Time{})
	if !strings.Contains(out.String(), "never expires") || !strings.Contains(out.String(), "kubenode token delete "+tok.ID()) {
		t.Errorf("hint for a token without expiry:\n%s", out.String())
	}

	// A file that is not a CA is refused.
	os.WriteFile(filepath.Join(cfg.PKIDir(), "ca.crt"), []byte("junk\n"), 0o644)
	if _, _, err := IssueJoinToken(context.Background(), client, cfg, "", time.Hour, "x"); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Fatalf("junk CA: %v", err)
	}
}
