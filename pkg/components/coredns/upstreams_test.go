package coredns

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUpstreams(t *testing.T) {
	dir := t.TempDir()
	// What /etc/resolv.conf is on a host with systemd-resolved.
	stub := writeFile(t, dir, "stub.conf", `# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).
nameserver 127.0.0.53
options edns0 trust-ad
search example.com
`)
	// What systemd-resolved writes as its real upstream servers.
	resolved := writeFile(t, dir, "resolved.conf", `# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).
nameserver 192.0.2.1
nameserver 2001:db8::1
nameserver fe80::1%eth0
nameserver 192.0.2.1
nameserver ::ffff:192.0.2.2
search example.com
`)
	// A host with a local caching resolver and resolved's proxy stub.
	local := writeFile(t, dir, "local.conf", `nameserver 127.0.0.54
nameserver 127.0.0.1
nameserver ::1
nameserver 0.0.0.0
nameserver not-an-ip
nameserver
domain example.com
`)
	empty := writeFile(t, dir, "empty.conf", "# resolved without upstream servers\nsearch .\n")
	missing := filepath.Join(dir, "missing.conf")

	for _, tc := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{
			name:  "upstream file preferred when present",
			paths: []string{resolved, stub},
			want:  []string{"192.0.2.1:53", "[2001:db8::1]:53", "[fe80::1%eth0]:53", "192.0.2.2:53"},
		},
		{
			name:  "upstream file missing: stub skipped, nothing left",
			paths: []string{missing, stub},
			want:  nil,
		},
		{
			name:  "upstream file without servers falls through to the next",
			paths: []string{empty, resolved},
			want:  []string{"192.0.2.1:53", "[2001:db8::1]:53", "[fe80::1%eth0]:53", "192.0.2.2:53"},
		},
		{
			name:  "local resolvers kept, resolved's stubs and junk dropped",
			paths: []string{missing, local},
			want:  []string{"127.0.0.1:53", "[::1]:53"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Upstreams(tc.paths...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Upstreams (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("no file at all is an error", func(t *testing.T) {
		if got, err := Upstreams(missing, filepath.Join(dir, "also-missing")); err == nil {
			t.Errorf("Upstreams = %v, want an error", got)
		}
	})
	t.Run("unreadable path is an error", func(t *testing.T) {
		if got, err := Upstreams(dir, resolved); err == nil { // a directory
			t.Errorf("Upstreams = %v, want an error", got)
		}
	})
}
