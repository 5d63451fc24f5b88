package imagetest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A layer keeps links and directories as such, and the config carries
// Cmd, Env, User and WorkingDir only when they are set.
func TestLinksDirsAndConfig(t *testing.T) {
	img := Image{
		Layers: []map[string]File{{
			"bin/busybox": {Mode: 0o755, Data: []byte("bb")},
			"bin/sh":      {Link: "/bin/busybox"},
			"tmp":         {Dir: true, Mode: 0o1777},
		}},
		Entrypoint: []string{"/bin/sh"},
		Cmd:        []string{"-c", "true"},
		Env:        []string{"PATH=/bin"},
		User:       "65535:65535",
		WorkingDir: "/tmp",
	}
	path := filepath.Join(t.TempDir(), "x.tar")
	if err := WriteOCIArchive(path, img, "example.com/x:1"); err != nil {
		t.Fatal(err)
	}
	layers, config, err := img.blobs()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]tar.Header{}
	tr := tar.NewReader(bytes.NewReader(layers[0]))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = *h
	}
	if h := got["bin/sh"]; h.Typeflag != tar.TypeSymlink || h.Linkname != "/bin/busybox" || h.Size != 0 {
		t.Errorf("bin/sh: type %c link %q size %d, want a symlink to /bin/busybox", h.Typeflag, h.Linkname, h.Size)
	}
	if h := got["tmp"]; h.Typeflag != tar.TypeDir || h.Mode != 0o1777 {
		t.Errorf("tmp: type %c mode %o, want a directory 1777", h.Typeflag, h.Mode)
	}
	if h := got["bin/busybox"]; h.Typeflag != tar.TypeReg || h.Size != 2 {
		t.Errorf("bin/busybox: type %c size %d, want a 2-byte file", h.Typeflag, h.Size)
	}
	var c struct{ Config map[string]any }
	if err := json.Unmarshal(config, &c); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Entrypoint": []any{"/bin/sh"}, "Cmd": []any{"-c", "true"}, "Env": []any{"PATH=/bin"}, "User": "65535:65535", "WorkingDir": "/tmp"}
	if !reflect.DeepEqual(c.Config, want) {
		t.Errorf("config %v, want %v", c.Config, want)
	}
	_, config, err = Image{Entrypoint: []string{"/x"}}.blobs()
	if err != nil {
		t.Fatal(err)
	}
	c.Config = nil
	if err := json.Unmarshal(config, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Config) != 1 {
		t.Errorf("an image with only an entrypoint has config %v, want only Entrypoint", c.Config)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
