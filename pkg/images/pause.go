package images

import (
	"archive/tar"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/opencontainers/go-digest"
	imgspec "github.com/opencontainers/image-spec/specs-go"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	ocilayout "go.podman.io/image/v5/oci/layout"
	"go.podman.io/storage"
)

// PauseVersion versions kubenode's pause program (pause/pause.c #define
// VERSION; a test keeps them equal).
const PauseVersion = "1.0"

// PauseImage is the name of the pause image EnsurePause creates. CRI-O's
// pause_image is set to it; nothing ever pulls it.
const PauseImage = "localhost/kubenode/pause:" + PauseVersion

// pauseFS holds pause/pause, the static binary `make pause` builds from
// pause/pause.c. The pattern also matches pause.c, so a checkout where the
// binary was never built still compiles (go build, go vet); EnsurePause
// then says how to fix it.
//
//go:embed pause/*
var pauseFS embed.FS

// ErrNoPauseBinary says kubenode was built without `make`.
var ErrNoPauseBinary = errors.New("images: this kubenode was built without the embedded pause binary; build it with `make build` (which compiles pkg/images/pause/pause.c first)")

func pauseBinary() ([]byte, error) {
	b, err := pauseFS.ReadFile("pause/pause")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoPauseBinary
	}
	return b, err
}

// pauseCreated is the fixed creation time of the pause image: the image
// (and so its ID) depends only on the binary.
var pauseCreated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// pauseBlobs are the blobs of the pause image: a one-layer OCI image whose
// entrypoint is /pause, running as 65535 like upstream's.
type pauseBlobs struct {
	layer, config, manifest []byte
}

func (p pauseBlobs) id() string { return digest.FromBytes(p.config).Encoded() }

func buildPause(bin []byte) (pauseBlobs, error) {
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "pause", Mode: 0o755, Size: int64(len(bin)), ModTime: pauseCreated, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return pauseBlobs{}, err
	}
	if _, err := tw.Write(bin); err != nil {
		return pauseBlobs{}, err
	}
	if err := tw.Close(); err != nil {
		return pauseBlobs{}, err
	}
	diffID := digest.FromBytes(layer.Bytes())
	config, err := json.Marshal(imgspecv1.Image{
		Created:  &pauseCreated,
		Platform: imgspecv1.Platform{Architecture: runtime.GOARCH, OS: "linux"},
		Config:   imgspecv1.ImageConfig{Entrypoint: []string{"/pause"}, User: "65535:65535"},
		RootFS:   imgspecv1.RootFS{Type: "layers", DiffIDs: []digest.Digest{diffID}},
		History:  []imgspecv1.History{{Created: &pauseCreated, CreatedBy: "kubenode: embedded pause " + PauseVersion}},
	})
	if err != nil {
		return pauseBlobs{}, err
	}
	manifest, err := json.Marshal(imgspecv1.Manifest{
		Versioned: imgspec.Versioned{SchemaVersion: 2},
		MediaType: imgspecv1.MediaTypeImageManifest,
		Config:    imgspecv1.Descriptor{MediaType: imgspecv1.MediaTypeImageConfig, Digest: digest.FromBytes(config), Size: int64(len(config))},
		Layers:    []imgspecv1.Descriptor{{MediaType: imgspecv1.MediaTypeImageLayer, Digest: diffID, Size: int64(layer.Len())}},
	})
	if err != nil {
		return pauseBlobs{}, err
	}
	return pauseBlobs{layer: layer.Bytes(), config: config, manifest: manifest}, nil
}

// writeLayout writes the pause image as an OCI layout in dir.
func (p pauseBlobs) writeLayout(dir string) error {
	index, err := json.Marshal(imgspecv1.Index{
		Versioned: imgspec.Versioned{SchemaVersion: 2},
		MediaType: imgspecv1.MediaTypeImageIndex,
		Manifests: []imgspecv1.Descriptor{{MediaType: imgspecv1.MediaTypeImageManifest, Digest: digest.FromBytes(p.manifest), Size: int64(len(p.manifest))}},
	})
	if err != nil {
		return err
	}
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o700); err != nil {
		return err
	}
	files := map[string][]byte{
		filepath.Join(dir, imgspecv1.ImageLayoutFile): []byte(`{"imageLayoutVersion":"1.0.0"}`),
		filepath.Join(dir, "index.json"):              index,
	}
	for _, b := range [][]byte{p.layer, p.config, p.manifest} {
		files[filepath.Join(blobs, digest.FromBytes(b).Encoded())] = b
	}
	for name, b := range files {
		if err := os.WriteFile(name, b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// EnsurePause makes sure the store holds kubenode's pause image under
// PauseImage and returns that name. When the image with the embedded
// binary's ID is present this only reads the store; otherwise it creates the
// image (no network), moves the name to it and deletes a previous pause
// image that no container uses.
func EnsurePause(ctx context.Context, store storage.Store) (string, error) {
	bin, err := pauseBinary()
	if err != nil {
		return "", err
	}
	blobs, err := buildPause(bin)
	if err != nil {
		return "", fmt.Errorf("images: build pause image: %w", err)
	}
	img := archiveImage{id: blobs.id(), names: []string{PauseImage}, digests: map[digest.Digest]bool{digest.FromBytes(blobs.layer): true}}
	if present, err := alreadyPresent(store, img); err != nil {
		return "", fmt.Errorf("images: pause image: %w", err)
	} else if present {
		return PauseImage, nil
	}
	var previous string
	if old, err := store.Image(PauseImage); err == nil {
		previous = old.ID
	}

	tmp := filepath.Join(store.GraphRoot(), "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", fmt.Errorf("images: pause image: %w", err)
	}
	dir, err := os.MkdirTemp(tmp, "pause-")
	if err != nil {
		return "", fmt.Errorf("images: pause image: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := blobs.writeLayout(dir); err != nil {
		return "", fmt.Errorf("images: write pause image: %w", err)
	}
	src, err := ocilayout.NewIndexReference(dir, 0)
	if err != nil {
		return "", fmt.Errorf("images: pause image: %w", err)
	}
	if _, err := copyImage(ctx, store, src, img); err != nil {
		return "", fmt.Errorf("images: create pause image %s: %w", PauseImage, err)
	}
	if previous != "" && previous != img.id {
		if old, err := store.Image(previous); err == nil && len(old.Names) == 0 {
			// In use by a container: it stays until that sandbox goes.
			_, _ = store.DeleteImage(previous, true)
		}
	}
	return PauseImage, nil
}
