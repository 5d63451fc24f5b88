package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"
)

// TestInstall: install writes the binary, the unit (parsed) with the
// role's ExecStart, the config only when absent and a worker's token in a
// root-only file, never in the unit; bad input writes nothing; uninstall
// resets the node and removes exactly what install wrote.
func TestInstall(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	startPrimary(t, h1)
	token := createToken(t, h1)
	root := t.TempDir()
	run := func(args ...string) (string, error) {
		return h2.run(append(args, h2.nodeArgs()...)...)
	}

	for _, bad := range [][]string{
		{"install", "--root", root, "worker"},
		{"install", "--root", root, "worker", "--join", "kn1.garbage"},
		{"install", "--root", root, "master"},
		{"install", "--root", root, "primary", "--join", token},
	} {
		if out, err := run(bad...); err == nil {
			t.Fatalf("%v accepted:\n%s", bad, out)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("refused installs wrote %d entries below %s", len(entries), root)
	}

	// An operator's config stays.
	cfgPath := filepath.Join(root, "etc/kubenode/config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, cfgPath, "nodeIndex: 2\n")
	out, err := run("install", "--root", root, "worker", "--join", token)
	if err != nil || !strings.Contains(out, "systemctl daemon-reload && systemctl enable --now kubenode") {
		t.Fatalf("install: %v\n%s", err, out)
	}
	if data, _ := os.ReadFile(cfgPath); string(data) != "nodeIndex: 2\n" {
		t.Errorf("install replaced the operator's config: %q", data)
	}
	bin, err := os.Stat(filepath.Join(root, "usr/local/bin/kubenode"))
	if err != nil || bin.Mode().Perm() != 0o755 || bin.Size() < 50<<20 {
		t.Fatalf("binary: %v %v", bin, err)
	}
	tok, err := os.Stat(filepath.Join(root, "etc/kubenode/join-token"))
	if err != nil || tok.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", tok, err)
	}
	unitData, err := os.ReadFile(filepath.Join(root, "etc/systemd/system/kubenode.service"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(unitData), token) {
		t.Fatal("the unit carries the join token")
	}
	opts, err := unit.DeserializeOptions(strings.NewReader(string(unitData)))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		if o.Section == "Service" && o.Name == "ExecStart" && o.Value != "/usr/local/bin/kubenode worker --config /etc/kubenode/config.yaml --join-file /etc/kubenode/join-token" {
			t.Errorf("ExecStart %q", o.Value)
		}
	}

	out, err = run("uninstall", "--root", root)
	if err != nil {
		t.Fatalf("uninstall: %v\n%s", err, out)
	}
	var left []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			left = append(left, strings.TrimPrefix(p, root))
		}
		return nil
	})
	if strings.Join(left, " ") != "/etc/kubenode/config.yaml" {
		t.Errorf("after uninstall, left: %v (want only the operator's config)", left)
	}
	if out, err := run("uninstall", "--root", root); err == nil || !strings.Contains(out, "nothing installed") {
		t.Errorf("a second uninstall: %v\n%s", err, out)
	}
}
