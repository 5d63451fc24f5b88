package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// nextMinorBinary builds kubenode as it is, but claiming the next
// Kubernetes minor version (ldflags only: a test stand-in for an upgrade).
func nextMinorBinary(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("make", "-s", "-C", "../..", "print-build-flags").Output()
	if err != nil {
		t.Fatalf("make print-build-flags: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "gitVersion=v1.36.") {
		t.Fatalf("unexpected build flags: %q", out)
	}
	ldflags := strings.NewReplacer("gitVersion=v1.36.", "gitVersion=v1.37.", "gitMinor=36", "gitMinor=37", "kubenodeVersion=", "kubenodeVersion=next-").Replace(lines[1])
	bin := filepath.Join(t.TempDir(), "kubenode-next")
	cmd := exec.Command("go", "build", "-trimpath", "-tags", lines[0], "-ldflags", ldflags, "-o", bin, "./cmd/kubenode")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the next-minor binary: %v\n%s", err, out)
	}
	return bin
}

// tree lists every file under dir with its size and mtime: a refused start
// must leave it exactly as it was, but for the lock files, which name the
// process that holds them.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "kubenode.lock" {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			out = append(out, fmt.Sprintf("%s %d %d", p, fi.Size(), fi.ModTime().UnixNano()))
		}
		return nil
	})
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestVersionSafety: a data dir run by this binary starts and upgrades
// under a binary one Kubernetes minor newer; going back is refused before
// anything is touched, naming both versions; a worker newer than the
// primary's apiserver is refused before it takes its token.
func TestVersionSafety(t *testing.T) {
	kubenodeBin(t)
	next := nextMinorBinary(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	p1 := startPrimary(t, h1)
	token := createToken(t, h1)

	// A worker newer than the apiserver: refused, its token unused.
	h2.bin = next
	out, err := h2.run(append([]string{"worker", "--join", token}, h2.nodeArgs()...)...)
	if err == nil || !strings.Contains(out, "newer than the primary's apiserver") || !strings.Contains(out, "v1.37.") || !strings.Contains(out, "v1.36.") {
		t.Fatalf("a newer worker: %v\n%s", err, out)
	}
	h2.bin = ""
	startWorker(t, h2, token)

	versions := filepath.Join(h1.dataDir(), "versions.json")
	if data, err := os.ReadFile(versions); err != nil || !strings.Contains(string(data), `"kubernetes": "v1.36.`) {
		t.Fatalf("versions.json after the first start: %v %s", err, data)
	}
	if _, err := p1.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}

	h1.bin = next
	p1 = startPrimary(t, h1)
	if !strings.Contains(p1.output(), "upgrading the data dir") {
		t.Errorf("the upgrade is not logged")
	}
	if data, err := os.ReadFile(versions); err != nil || !strings.Contains(string(data), `"kubernetes": "v1.37.`) {
		t.Fatalf("versions.json after the upgrade: %v %s", err, data)
	}
	out = h1.mustKubectl("version", "-o", "json")
	if !strings.Contains(out, `"minor": "37"`) {
		t.Errorf("the apiserver does not report 1.37:\n%s", out)
	}
	if _, err := p1.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}

	h1.bin = ""
	before := tree(t, h1.root)
	out, err = h1.run(append([]string{"primary"}, h1.nodeArgs()...)...)
	if err == nil || !strings.Contains(out, "a downgrade is not supported") || !strings.Contains(out, "v1.37.") || !strings.Contains(out, "v1.36.") {
		t.Fatalf("a downgrade: %v\n%s", err, out)
	}
	if after := tree(t, h1.root); after != before {
		t.Errorf("a refused downgrade changed files under %s:\nbefore:\n%s\nafter:\n%s", h1.root, diffLines(before, after), diffLines(after, before))
	}
	t.Logf("refused: %s", strings.TrimSpace(out))
}

// diffLines returns the lines of a that b lacks.
func diffLines(a, b string) string {
	have := map[string]bool{}
	for _, l := range strings.Split(b, "\n") {
		have[l] = true
	}
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !have[l] {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
