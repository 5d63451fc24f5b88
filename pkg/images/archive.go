package images

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/opencontainers/go-digest"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/compression"
)

// Format is the kind of an image archive.
type Format string

const (
	// FormatOCI is an OCI image layout in a tar (podman save --format
	// oci-archive, skopeo copy oci-archive:, buildah push oci-archive:).
	FormatOCI Format = "oci-archive"
	// FormatDocker is a docker save tar (also podman save's default).
	FormatDocker Format = "docker-archive"
)

// ErrNotImage says a file is a readable tar but holds no image.
var ErrNotImage = errors.New("not an image archive: it has neither manifest.json (docker-archive) nor oci-layout and index.json (oci-archive); create one with docker save, podman save or skopeo copy")

// maxMetadataSize bounds what the metadata scan keeps in memory: manifests,
// configs and indexes are small; layers are skipped.
const maxMetadataSize = 4 << 20

// archiveImage is one image of an archive as its metadata describes it.
type archiveImage struct {
	// id is the config digest, which is the image ID in containers/storage;
	// "" when the metadata does not pin it (a nested index: the copy picks
	// the platform).
	id string
	// names are fully qualified name:tag references to give the image.
	names []string
	// ociRefName selects the image in a multi-image oci-archive.
	ociRefName string
	// digests are the layers' digests (compressed and uncompressed): a
	// failed import removes only new layers with one of these.
	digests map[digest.Digest]bool
}

// archiveInfo is the result of scanning an archive's metadata.
type archiveInfo struct {
	format Format
	images []archiveImage
}

// scanArchive reads an archive's tar headers and small metadata files
// without unpacking layers: on an uncompressed file, tar skips layer data by
// seeking, so this is cheap even for large archives. A compressed archive is
// read through once.
func scanArchive(file string) (*archiveInfo, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	algo, decompress, stream, err := compression.DetectCompressionFormat(f)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	var r io.Reader = f
	if decompress != nil {
		rc, err := decompress(stream)
		if err != nil {
			return nil, fmt.Errorf("decompress (%s): %w", algo.Name(), err)
		}
		defer rc.Close()
		r = rc
	} else if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}

	files := map[string][]byte{}
	tr := tar.NewReader(r)
	entries := 0
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a valid tar archive (truncated or corrupt?): %w; copy or save the image again", err)
		}
		entries++
		if hdr.Typeflag != tar.TypeReg || hdr.Size > maxMetadataSize {
			continue
		}
		name := path.Clean(strings.TrimPrefix(hdr.Name, "./"))
		if !(strings.HasSuffix(name, ".json") || name == "oci-layout" || strings.HasPrefix(name, "blobs/")) {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("not a valid tar archive (truncated or corrupt?): %w; copy or save the image again", err)
		}
		files[name] = b
	}
	if entries == 0 {
		return nil, fmt.Errorf("not a valid tar archive: no entries; copy or save the image again")
	}
	base := baseName(file)
	// Docker 25+ writes both layouts; manifest.json carries the RepoTags.
	if m, ok := files["manifest.json"]; ok {
		images, err := scanDocker(m, files, base)
		if err != nil {
			return nil, err
		}
		return &archiveInfo{format: FormatDocker, images: images}, nil
	}
	_, hasLayout := files["oci-layout"]
	if idx, ok := files["index.json"]; ok && hasLayout {
		images, err := scanOCI(idx, files, base)
		if err != nil {
			return nil, err
		}
		return &archiveInfo{format: FormatOCI, images: images}, nil
	}
	return nil, ErrNotImage
}

// configInfo reads the layer diff IDs from an image config.
func configDiffIDs(b []byte) []digest.Digest {
	var c imgspecv1.Image
	if json.Unmarshal(b, &c) != nil {
		return nil
	}
	return c.RootFS.DiffIDs
}

func scanDocker(manifest []byte, files map[string][]byte, base string) ([]archiveImage, error) {
	var items []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(manifest, &items); err != nil {
		return nil, fmt.Errorf("docker-archive manifest.json: %w", err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("docker-archive manifest.json lists no images")
	}
	var images []archiveImage
	for i, it := range items {
		img := archiveImage{digests: map[digest.Digest]bool{}}
		if cfg, ok := files[path.Clean(it.Config)]; ok {
			sum := sha256.Sum256(cfg)
			img.id = hex.EncodeToString(sum[:])
			for _, d := range configDiffIDs(cfg) {
				img.digests[d] = true
			}
		}
		for _, tag := range it.RepoTags {
			n, err := normalizeName(tag)
			if err != nil {
				return nil, fmt.Errorf("docker-archive image %d: tag %q: %w", i, tag, err)
			}
			img.names = append(img.names, n)
		}
		if len(img.names) == 0 {
			img.names = []string{fallbackName(base, len(items), i, "")}
		}
		images = append(images, img)
	}
	return images, nil
}

func scanOCI(index []byte, files map[string][]byte, base string) ([]archiveImage, error) {
	var idx imgspecv1.Index
	if err := json.Unmarshal(index, &idx); err != nil {
		return nil, fmt.Errorf("oci-archive index.json: %w", err)
	}
	if len(idx.Manifests) == 0 {
		return nil, fmt.Errorf("oci-archive index.json lists no images")
	}
	var images []archiveImage
	for i, desc := range idx.Manifests {
		img := archiveImage{digests: map[digest.Digest]bool{}}
		refName := desc.Annotations[imgspecv1.AnnotationRefName]
		if len(idx.Manifests) > 1 {
			if refName == "" {
				return nil, fmt.Errorf("oci-archive holds %d images and image %d has no %s annotation; kubenode imports unnamed images only one per archive: save each image to its own file", len(idx.Manifests), i, imgspecv1.AnnotationRefName)
			}
			img.ociRefName = refName
		}
		switch {
		case desc.Annotations["io.containerd.image.name"] != "":
			n, err := normalizeName(desc.Annotations["io.containerd.image.name"])
			if err != nil {
				return nil, fmt.Errorf("oci-archive image %d: name %q: %w", i, desc.Annotations["io.containerd.image.name"], err)
			}
			img.names = []string{n}
		case strings.ContainsAny(refName, "/:@"):
			n, err := normalizeName(refName)
			if err != nil {
				return nil, fmt.Errorf("oci-archive image %d: %s %q: %w", i, imgspecv1.AnnotationRefName, refName, err)
			}
			img.names = []string{n}
		default:
			// A bare ref.name is a tag (skopeo's oci-archive:FILE:TAG).
			img.names = []string{fallbackName(base, len(idx.Manifests), i, refName)}
		}
		if m, ok := blob(files, desc.Digest); ok && desc.MediaType != imgspecv1.MediaTypeImageIndex {
			var man imgspecv1.Manifest
			if err := json.Unmarshal(m, &man); err != nil {
				return nil, fmt.Errorf("oci-archive manifest %s: %w", desc.Digest, err)
			}
			if man.Config.Digest != "" && man.Config.Digest.Validate() == nil {
				img.id = man.Config.Digest.Encoded()
			}
			for _, l := range man.Layers {
				img.digests[l.Digest] = true
			}
			if cfg, ok := blob(files, man.Config.Digest); ok {
				for _, d := range configDiffIDs(cfg) {
					img.digests[d] = true
				}
			}
		}
		images = append(images, img)
	}
	return images, nil
}

func blob(files map[string][]byte, d digest.Digest) ([]byte, bool) {
	if d.Validate() != nil {
		return nil, false
	}
	b, ok := files[path.Join("blobs", d.Algorithm().String(), d.Encoded())]
	return b, ok
}

// normalizeName turns "busybox" or "busybox:1.36" into
// "docker.io/library/busybox:1.36", the form CRI-O and the kubelet match.
func normalizeName(s string) (string, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return "", err
	}
	return reference.TagNameOnly(named).String(), nil
}

var notNameChars = regexp.MustCompile(`[^a-z0-9._-]+`)

// baseName is the file's name without directory and archive extensions,
// usable as a repository path component.
func baseName(file string) string {
	b := strings.ToLower(filepath.Base(file))
	for _, ext := range []string{".gz", ".zst", ".xz", ".bz2", ".tgz", ".tar", ".oci", ".docker"} {
		b = strings.TrimSuffix(b, ext)
	}
	b = strings.Trim(notNameChars.ReplaceAllString(b, "-"), "-._")
	if b == "" {
		b = "image"
	}
	return b
}

// fallbackName names an image that carries no name of its own after its
// file: localhost/FILE:TAG (TAG "latest" unless the archive gave one).
func fallbackName(base string, count, i int, tag string) string {
	if count > 1 && tag == "" {
		base = fmt.Sprintf("%s-%d", base, i)
	}
	named, err := reference.ParseNormalizedNamed("localhost/" + base)
	if err != nil {
		named, _ = reference.ParseNormalizedNamed("localhost/image")
	}
	tagged, err := reference.WithTag(named, tag)
	if err != nil {
		tagged, _ = reference.WithTag(named, "latest")
	}
	return tagged.String()
}
