package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubenode/kubenode/pkg/images/imagetest"
)

// busyboxImage is a one-layer image of Debian's static busybox with the
// applet links a shell needs.
func busyboxImage(t *testing.T) imagetest.Image {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("no /bin/busybox (apt-get install busybox-static): %v", err)
	}
	files := map[string]imagetest.File{"bin/busybox": {Mode: 0o755, Data: bb}}
	return imagetest.Image{Layers: []map[string]imagetest.File{files}, Entrypoint: []string{"/bin/busybox", "sh"}}
}

func TestImagesImport(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	dir := t.TempDir()
	img := busyboxImage(t)
	oci := filepath.Join(dir, "busybox.oci.tar")
	docker := filepath.Join(dir, "busybox-docker.tar")
	if err := imagetest.WriteOCIArchive(oci, img, "example.test/busybox:1.36"); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteDockerArchive(docker, img, "busybox:stable"); err != nil {
		t.Fatal(err)
	}
	id, err := img.ID()
	if err != nil {
		t.Fatal(err)
	}

	images := func(args ...string) string {
		t.Helper()
		out, err := h.run(append(append([]string{"images"}, args...), h.nodeArgs()...)...)
		if err != nil {
			t.Fatalf("kubenode images %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}

	start := time.Now()
	out := images("import", oci)
	t.Logf("import of the busybox oci-archive took %s (process included):\n%s", time.Since(start), out)
	if !strings.Contains(out, "imported example.test/busybox:1.36 "+id[:12]) {
		t.Errorf("import output:\n%s", out)
	}
	// What containers/image learns about blobs stays in the node's store,
	// not in the machine-wide /var/lib/containers/cache.
	if _, err := os.Stat(filepath.Join(h.dataDir(), "storage", "blob-info-cache", "blob-info-cache-v1.sqlite")); err != nil {
		t.Errorf("no blob info cache in the node's store: %v", err)
	}
	// The same image from a docker-archive: present, gains the name.
	out = images("import", docker)
	if !strings.Contains(out, "present  docker.io/library/busybox:stable "+id[:12]) {
		t.Errorf("second import output:\n%s", out)
	}
	list := images("list")
	t.Logf("images list:\n%s", list)
	for _, want := range []string{"example.test/busybox:1.36", "docker.io/library/busybox:stable", id[:12]} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}

	// Idempotent.
	start = time.Now()
	out = images("import", oci)
	t.Logf("re-import took %s", time.Since(start))
	if !strings.Contains(out, "present ") {
		t.Errorf("re-import output:\n%s", out)
	}
	if again := images("list"); again != list {
		t.Errorf("list changed after re-import:\n%s\nwant:\n%s", again, list)
	}

	// A truncated archive of another image fails, names the file, and leaves
	// nothing behind.
	other := img
	other.Layers = append(other.Layers, map[string]imagetest.File{"etc/motd": {Mode: 0o644, Data: []byte("other")}})
	full := filepath.Join(dir, "other.tar")
	if err := imagetest.WriteOCIArchive(full, other, "example.test/other:1"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "truncated.tar")
	if err := os.WriteFile(bad, b[:len(b)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = h.run(append([]string{"images", "import", bad}, h.nodeArgs()...)...)
	if err == nil || !strings.Contains(out, bad) {
		t.Errorf("truncated import: err %v, want an error naming %s:\n%s", err, bad, out)
	}
	t.Logf("truncated archive: %s", strings.TrimSpace(out))
	if again := images("list"); again != list {
		t.Errorf("list changed after failed import:\n%s\nwant:\n%s", again, list)
	}
}
