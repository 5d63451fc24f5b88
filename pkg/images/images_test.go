package images

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.podman.io/storage"
	"go.podman.io/storage/pkg/reexec"

	"github.com/kubenode/kubenode/pkg/images/imagetest"
)

func TestMain(m *testing.M) {
	// containers/storage re-executes the test binary for overlay mounts.
	if reexec.Init() {
		return
	}
	os.Exit(m.Run())
}

func testImage(text string) imagetest.Image {
	return imagetest.Image{
		Layers: []map[string]imagetest.File{
			{"bin/hello": {Mode: 0o755, Data: []byte("#!/bin/sh\necho " + text + "\n")}},
			{"etc/motd": {Mode: 0o644, Data: []byte(text)}},
		},
		Entrypoint: []string{"/bin/hello"},
	}
}

func TestScanArchive(t *testing.T) {
	dir := t.TempDir()
	img := testImage("scan")
	id, err := img.ID()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file   string
		write  func(string) error
		format Format
		names  []string
	}{
		{"named.oci.tar", func(p string) error { return imagetest.WriteOCIArchive(p, img, "example.com/hello:1") }, FormatOCI, []string{"example.com/hello:1"}},
		{"Tagged Only.tar", func(p string) error { return imagetest.WriteOCIArchive(p, img, "v2") }, FormatOCI, []string{"localhost/tagged-only:v2"}},
		{"bare.tar", func(p string) error { return imagetest.WriteOCIArchive(p, img, "") }, FormatOCI, []string{"localhost/bare:latest"}},
		{"docker.tar", func(p string) error { return imagetest.WriteDockerArchive(p, img, "hello", "hello:2") }, FormatDocker, []string{"docker.io/library/hello:latest", "docker.io/library/hello:2"}},
	} {
		p := filepath.Join(dir, tc.file)
		if err := tc.write(p); err != nil {
			t.Fatal(err)
		}
		info, err := scanArchive(p)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if info.format != tc.format || len(info.images) != 1 {
			t.Fatalf("%s: got %s with %d images", tc.file, info.format, len(info.images))
		}
		got := info.images[0]
		if got.id != id || strings.Join(got.names, ",") != strings.Join(tc.names, ",") || len(got.digests) < 2 {
			t.Errorf("%s: got id %s names %v digests %d, want id %s names %v", tc.file, got.id, got.names, len(got.digests), id, tc.names)
		}
	}
}

func TestScanArchiveBad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tar")
	if err := imagetest.WriteOCIArchive(good, testImage("bad"), "x:1"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	truncated := filepath.Join(dir, "truncated.tar")
	os.WriteFile(truncated, b[:len(b)/2+100], 0o644)
	garbage := filepath.Join(dir, "garbage.tar")
	os.WriteFile(garbage, bytes.Repeat([]byte("not a tar "), 200), 0o644)
	notImage := filepath.Join(dir, "notimage.tar")
	if err := exec.Command("tar", "-C", "/etc", "-cf", notImage, "hostname").Run(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{truncated, garbage, notImage} {
		if _, err := scanArchive(f); err == nil {
			t.Errorf("%s: scan succeeded", f)
		}
	}
	if _, err := scanArchive(notImage); !errors.Is(err, ErrNotImage) {
		t.Errorf("not an image: got %v", err)
	}
}

func TestPauseVersionMatchesSource(t *testing.T) {
	src, err := pauseFS.ReadFile("pause/pause.c")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte(`#define VERSION "`+PauseVersion+`"`)) {
		t.Errorf("pause/pause.c does not define VERSION %q", PauseVersion)
	}
}

// testStore opens an overlay store in a temp dir (root only).
func testStore(t *testing.T) storage.Store {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("containers/storage with overlay needs root")
	}
	root := t.TempDir()
	store, err := OpenStore(filepath.Join(root, "data"), filepath.Join(root, "run"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Shutdown(true) })
	return store
}

func names(t *testing.T, store storage.Store) string {
	t.Helper()
	imgs, err := List(store)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, i := range imgs {
		s = append(s, strings.Join(i.Names, "+")+"="+i.ID[:12])
	}
	return strings.Join(s, " ")
}

func layerCount(t *testing.T, store storage.Store) int {
	t.Helper()
	l, err := store.Layers()
	if err != nil {
		t.Fatal(err)
	}
	return len(l)
}

func TestImport(t *testing.T) {
	store := testStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	oci, docker := filepath.Join(dir, "a.tar"), filepath.Join(dir, "b.tar")
	if err := imagetest.WriteOCIArchive(oci, testImage("oci"), "example.com/oci:1"); err != nil {
		t.Fatal(err)
	}
	if err := imagetest.WriteDockerArchive(docker, testImage("docker"), "docker:1"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{oci, docker} {
		got, err := Import(ctx, store, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Present {
			t.Fatalf("%s: %+v", f, got)
		}
	}
	want := names(t, store)
	if !strings.Contains(want, "docker.io/library/docker:1=") || !strings.Contains(want, "example.com/oci:1=") {
		t.Fatalf("list: %s", want)
	}
	layers := layerCount(t, store)

	// Again: recognised by ID, nothing copied.
	got, err := Import(ctx, store, oci)
	if err != nil || !got[0].Present {
		t.Fatalf("second import: %+v %v", got, err)
	}
	dirNames, err := ImportDir(ctx, store, dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(dirNames)
	if got := strings.Join(dirNames, " "); got != "docker.io/library/docker:1 example.com/oci:1" {
		t.Errorf("ImportDir names the images %q, want both archives' images", got)
	}
	if after := names(t, store); after != want {
		t.Errorf("after ImportDir: %s, want %s", after, want)
	}

	// A layer's bytes corrupted: the copy fails on its digest after the
	// first layer may already be committed; nothing may remain.
	bad := filepath.Join(t.TempDir(), "bad.tar")
	if err := imagetest.WriteOCIArchive(bad, testImage("corrupt"), "example.com/bad:1"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(bad)
	i := bytes.Index(b, []byte("corrupt"))
	i = bytes.Index(b[i+1:], []byte("corrupt")) + i + 1 // second layer's motd
	b[i] = 'C'
	os.WriteFile(bad, b, 0o644)
	_, err = Import(ctx, store, bad)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("corrupt import: got %v, want an error naming %s", err, bad)
	}
	if after := names(t, store); after != want {
		t.Errorf("after failed import: %s, want %s", after, want)
	}
	if n := layerCount(t, store); n != layers {
		t.Errorf("after failed import: %d layers, want %d", n, layers)
	}
}

func TestEnsurePause(t *testing.T) {
	if _, err := pauseBinary(); err != nil {
		t.Skip(err) // plain go test without make pause
	}
	store := testStore(t)
	ctx := context.Background()
	start := time.Now()
	ref, err := EnsurePause(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("created %s in %s", ref, time.Since(start))
	img, err := store.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if _, err := EnsurePause(ctx, store); err != nil {
		t.Fatal(err)
	}
	t.Logf("present check in %s", time.Since(start))
	again, err := store.Image(ref)
	if err != nil || again.ID != img.ID {
		t.Fatalf("second EnsurePause changed the image: %v", err)
	}
	// The layer holds /pause, executable.
	mnt, err := store.MountImage(img.ID, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.UnmountImage(img.ID, true)
	out, err := exec.Command(filepath.Join(mnt, "pause"), "-v").CombinedOutput()
	if err != nil || !strings.Contains(string(out), PauseVersion) {
		t.Errorf("/pause -v: %s %v", out, err)
	}
}

// TestPauseReapsAndStops runs the pause binary as PID 1 of a new PID
// namespace, orphans a child into it and checks that no zombie stays, then
// that SIGTERM ends it with status 0.
func TestPauseReapsAndStops(t *testing.T) {
	bin, err := pauseBinary()
	if err != nil {
		t.Skip(err)
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root for a PID namespace")
	}
	p := filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(p, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "--pid", "--fork", "--kill-child", p)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var pid int
	for deadline := time.Now().Add(5 * time.Second); pid == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		kids, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/" + strconv.Itoa(cmd.Process.Pid) + "/children")
		if f := strings.Fields(string(kids)); len(f) > 0 {
			pid, _ = strconv.Atoi(f[0])
		}
	}
	if pid == 0 {
		t.Fatal("pause did not start")
	}
	// sh exits at once; its background children become pause's and exit
	// (verified: with busybox sleep as PID 1 they stay zombies).
	out, err := exec.Command("nsenter", "--pid=/proc/"+strconv.Itoa(pid)+"/ns/pid", "--", "sh", "-c", "sleep 0.1 & true & exit 0").CombinedOutput()
	if err != nil {
		t.Fatalf("nsenter: %v %s", err, out)
	}
	time.Sleep(500 * time.Millisecond)
	kids, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/children")
	if len(strings.Fields(string(kids))) != 0 {
		t.Errorf("pause kept children (zombies?): %s", kids)
	}
	exec.Command("kill", "-TERM", strconv.Itoa(pid)).Run()
	if err := cmd.Wait(); err != nil {
		t.Errorf("unshare/pause after SIGTERM: %v", err)
	}
}
