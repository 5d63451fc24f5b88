// Package imagetest writes small image archives by hand, for tests of image
// import (unit and e2e) without a registry or container tools. It uses only
// the standard library.
package imagetest

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"time"
)

// File is one file of a layer: a regular file, or a symbolic link to Link
// when Link is set, or a directory when Dir is set.
type File struct {
	Mode int64
	Data []byte
	Link string
	Dir  bool
}

// Image is an image to write: layers bottom first, each a map from path to
// file; the other fields go into the config when set.
type Image struct {
	Layers     []map[string]File
	Entrypoint []string
	Cmd        []string
	Env        []string
	User       string
	WorkingDir string
}

var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// blobs returns the image's layer tars and its config.
func (img Image) blobs() (layers [][]byte, config []byte, err error) {
	var diffIDs []string
	for _, files := range img.Layers {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			f := files[n]
			hdr := &tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: f.Mode, Size: int64(len(f.Data)), ModTime: epoch}
			switch {
			case f.Link != "":
				hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeSymlink, f.Link, 0
				if hdr.Mode == 0 {
					hdr.Mode = 0o777
				}
			case f.Dir:
				hdr.Typeflag, hdr.Size = tar.TypeDir, 0
				if hdr.Mode == 0 {
					hdr.Mode = 0o755
				}
			}
			if err := tw.WriteHeader(hdr); err != nil {
				return nil, nil, err
			}
			if _, err := tw.Write(f.Data); err != nil {
				return nil, nil, err
			}
		}
		if err := tw.Close(); err != nil {
			return nil, nil, err
		}
		layers = append(layers, buf.Bytes())
		diffIDs = append(diffIDs, sha(buf.Bytes()))
	}
	config, err = json.Marshal(map[string]any{
		"created":      epoch,
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config":       img.config(),
		"rootfs":       map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	return layers, config, err
}

// config is the image config's "config" object, with only the fields set
// (so the IDs of images that set only Entrypoint stay what they were).
func (img Image) config() map[string]any {
	c := map[string]any{"Entrypoint": img.Entrypoint}
	if img.Cmd != nil {
		c["Cmd"] = img.Cmd
	}
	if img.Env != nil {
		c["Env"] = img.Env
	}
	if img.User != "" {
		c["User"] = img.User
	}
	if img.WorkingDir != "" {
		c["WorkingDir"] = img.WorkingDir
	}
	return c
}

// ID is the image's ID in containers/storage: its config digest, hex.
func (img Image) ID() (string, error) {
	_, config, err := img.blobs()
	if err != nil {
		return "", err
	}
	return sha(config)[len("sha256:"):], nil
}

type entry struct {
	name string
	data []byte
}

func writeTar(path string, entries []entry) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: 0o644, Size: int64(len(e.data)), ModTime: epoch}); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// WriteOCIArchive writes img as an oci-archive at path. refName, when not
// empty, is the org.opencontainers.image.ref.name annotation (a full name
// like "example.com/x:1", or a bare tag as skopeo writes it).
func WriteOCIArchive(path string, img Image, refName string) error {
	layers, config, err := img.blobs()
	if err != nil {
		return err
	}
	desc := func(mt string, b []byte) map[string]any {
		return map[string]any{"mediaType": mt, "digest": sha(b), "size": len(b)}
	}
	var layerDescs []map[string]any
	for _, l := range layers {
		layerDescs = append(layerDescs, desc("application/vnd.oci.image.layer.v1.tar", l))
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        desc("application/vnd.oci.image.config.v1+json", config),
		"layers":        layerDescs,
	})
	if err != nil {
		return err
	}
	md := desc("application/vnd.oci.image.manifest.v1+json", manifest)
	if refName != "" {
		md["annotations"] = map[string]string{"org.opencontainers.image.ref.name": refName}
	}
	index, err := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []any{md}})
	if err != nil {
		return err
	}
	entries := []entry{{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)}, {"index.json", index}}
	for _, b := range append(append([][]byte{}, layers...), config, manifest) {
		entries = append(entries, entry{"blobs/sha256/" + sha(b)[len("sha256:"):], b})
	}
	return writeTar(path, entries)
}

// WriteDockerArchive writes img as a docker-archive (docker save layout)
// at path with these repo tags.
func WriteDockerArchive(path string, img Image, repoTags ...string) error {
	layers, config, err := img.blobs()
	if err != nil {
		return err
	}
	configName := sha(config)[len("sha256:"):] + ".json"
	entries := []entry{{configName, config}}
	var layerNames []string
	for i, l := range layers {
		n := fmt.Sprintf("%d/layer.tar", i)
		layerNames = append(layerNames, n)
		entries = append(entries, entry{n, l})
	}
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": repoTags, "Layers": layerNames}})
	if err != nil {
		return err
	}
	// docker save writes manifest.json last.
	entries = append(entries, entry{"manifest.json", manifest})
	return writeTar(path, entries)
}
