package images

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/copy"
	dockerarchive "go.podman.io/image/v5/docker/archive"
	"go.podman.io/image/v5/docker/reference"
	ociarchive "go.podman.io/image/v5/oci/archive"
	storagetransport "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"
)

// Imported reports one image of an archive.
type Imported struct {
	Names []string
	ID    string
	// Present is true when the image was already in the store and nothing
	// was copied.
	Present bool
}

// Import copies every image of an oci-archive or docker-archive file into
// the store, detecting the format. An image already present (same ID, which
// is its config digest) is not copied again; only missing names are added.
// On failure nothing of the failed image remains: the layers it added are
// removed.
func Import(ctx context.Context, store storage.Store, file string) ([]Imported, error) {
	info, err := scanArchive(file)
	if err != nil {
		return nil, importErr(file, err)
	}
	var done []Imported
	var refs [][]types.ImageReference // docker-archive: one reader for all images
	if info.format == FormatDocker {
		r, err := dockerarchive.NewReader(systemContext(store), file)
		if err != nil {
			return nil, importErr(file, err)
		}
		defer r.Close()
		if refs, err = r.List(); err != nil {
			return nil, importErr(file, err)
		}
		if len(refs) != len(info.images) {
			return nil, importErr(file, fmt.Errorf("manifest.json lists %d images, the archive reader %d", len(info.images), len(refs)))
		}
	}
	for i, img := range info.images {
		if present, err := alreadyPresent(store, img); err != nil {
			return done, importErr(file, err)
		} else if present {
			done = append(done, Imported{Names: img.names, ID: img.id, Present: true})
			continue
		}
		var src types.ImageReference
		if info.format == FormatDocker {
			src = refs[i][0]
		} else if src, err = ociarchive.NewReference(file, img.ociRefName); err != nil {
			return done, importErr(file, err)
		}
		id, err := copyImage(ctx, store, src, img)
		if err != nil {
			return done, importErr(file, err)
		}
		done = append(done, Imported{Names: img.names, ID: id})
	}
	return done, nil
}

func importErr(file string, err error) error {
	return fmt.Errorf("images: import %s: %w", file, err)
}

// alreadyPresent says whether the image with this ID is in the store, and
// gives it any of the archive's names it lacks.
func alreadyPresent(store storage.Store, img archiveImage) (bool, error) {
	if img.id == "" {
		return false, nil
	}
	have, err := store.Image(img.id)
	if errors.Is(err, storage.ErrImageUnknown) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var missing []string
	for _, n := range img.names {
		if !slices.Contains(have.Names, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		if err := store.AddNames(img.id, missing); err != nil {
			return false, fmt.Errorf("name image %.12s: %w", img.id, err)
		}
	}
	return true, nil
}

func systemContext(store storage.Store) *types.SystemContext {
	return SystemContext(store.GraphRoot())
}

// SystemContext is the containers/image context of copies into the store
// at graphRoot (imports here, CRI-O's pulls). Unpacked archives and staged
// layers go next to the store, on the same filesystem, not to /var/tmp; and
// what containers/image learns about blobs stays with the store, not in the
// machine-wide /var/lib/containers/cache that every node on the host would
// share.
func SystemContext(graphRoot string) *types.SystemContext {
	return &types.SystemContext{
		BigFilesTemporaryDir: filepath.Join(graphRoot, "tmp"),
		BlobInfoCacheDir:     filepath.Join(graphRoot, "blob-info-cache"),
	}
}

// copyImage copies one image into the store under img.names and returns its
// ID. On failure it removes what the copy left behind.
func copyImage(ctx context.Context, store storage.Store, src types.ImageReference, img archiveImage) (id string, err error) {
	named, err := reference.ParseNormalizedNamed(img.names[0])
	if err != nil {
		return "", err
	}
	dest, err := storagetransport.Transport.NewStoreReference(store, named, "")
	if err != nil {
		return "", err
	}
	pc, err := policyContext()
	if err != nil {
		return "", err
	}
	defer pc.Destroy()
	sys := systemContext(store)
	if err := os.MkdirAll(sys.BigFilesTemporaryDir, 0o700); err != nil {
		return "", err
	}

	before, err := layerIDs(store)
	if err != nil {
		return "", err
	}
	_, hadImage := imageExists(store, img.id)
	defer func() {
		if err != nil {
			if cerr := removeLeftovers(store, before, img, hadImage); cerr != nil {
				err = errors.Join(err, fmt.Errorf("remove partly imported layers: %w", cerr))
			}
		}
	}()

	_, err = copy.Image(ctx, pc, dest, src, &copy.Options{
		SourceCtx:        sys,
		DestinationCtx:   sys,
		RemoveSignatures: true,
	})
	if err != nil {
		return "", err
	}
	stored, err := storagetransport.Transport.GetStoreImage(store, dest)
	if err != nil {
		return "", fmt.Errorf("find imported image: %w", err)
	}
	if extra := img.names[1:]; len(extra) > 0 {
		if err := store.AddNames(stored.ID, extra); err != nil {
			return "", fmt.Errorf("name image %.12s: %w", stored.ID, err)
		}
	}
	return stored.ID, nil
}

func imageExists(store storage.Store, id string) (*storage.Image, bool) {
	if id == "" {
		return nil, false
	}
	img, err := store.Image(id)
	return img, err == nil
}

func layerIDs(store storage.Store) (map[string]bool, error) {
	layers, err := store.Layers()
	if err != nil {
		return nil, fmt.Errorf("list layers: %w", err)
	}
	ids := make(map[string]bool, len(layers))
	for _, l := range layers {
		ids[l.ID] = true
	}
	return ids, nil
}

// removeLeftovers deletes what a failed copy of img added: the image record
// if it is new, and new layers that no image or container uses and whose
// digest belongs to img (so a concurrent pull by CRI-O keeps its layers).
func removeLeftovers(store storage.Store, before map[string]bool, img archiveImage, hadImage bool) error {
	var errs []error
	if s, ok := imageExists(store, img.id); ok && !hadImage {
		if _, err := store.DeleteImage(s.ID, true); err != nil {
			errs = append(errs, err)
		}
	}
	layers, err := store.Layers()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	used := map[string]bool{}
	images, err := store.Images()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, i := range images {
		used[i.TopLayer] = true
		for _, l := range i.MappedTopLayers {
			used[l] = true
		}
	}
	containers, err := store.Containers()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, c := range containers {
		used[c.LayerID] = true
	}
	ours := func(d digest.Digest) bool { return d != "" && img.digests[d] }
	doomed := map[string]bool{}
	for _, l := range layers {
		if !before[l.ID] && !used[l.ID] && (ours(l.CompressedDigest) || ours(l.UncompressedDigest)) {
			doomed[l.ID] = true
		}
	}
	// Children first: a layer with children cannot be deleted.
	for len(doomed) > 0 {
		parents := map[string]bool{}
		for _, l := range layers {
			if doomed[l.ID] {
				parents[l.Parent] = true
			}
		}
		progress := false
		for id := range doomed {
			if parents[id] {
				continue
			}
			delete(doomed, id)
			progress = true
			if err := store.DeleteLayer(id); err != nil && !errors.Is(err, storage.ErrLayerUnknown) {
				errs = append(errs, err)
			}
		}
		if !progress {
			break
		}
	}
	return errors.Join(errs...)
}

// ArchiveDir is the directory of archives a node imports at start.
func ArchiveDir(dataDir string) string { return filepath.Join(dataDir, "images") }

// archiveSuffixes are the files ImportDir considers.
var archiveSuffixes = []string{".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.xz", ".oci", ".docker"}

// ImportDir imports every archive in dir (files ending in .tar, .tar.gz,
// .tgz, .tar.zst, .tar.xz, .oci, .docker), in name order. Images already in
// the store are recognised by ID from the archive's metadata and skipped, so
// calling it at every start costs a scan of each archive's tar headers. A
// missing dir is not an error. It tries every file and returns the names
// of the images the archives hold, and all failures joined.
func ImportDir(ctx context.Context, store storage.Store, dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("images: read %s: %w", dir, err)
	}
	var errs []error
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() && e.Type()&os.ModeSymlink == 0 {
			continue
		}
		name := strings.ToLower(e.Name())
		if !slices.ContainsFunc(archiveSuffixes, func(s string) bool { return strings.HasSuffix(name, s) }) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return names, errors.Join(append(errs, err)...)
		}
		got, err := Import(ctx, store, filepath.Join(dir, e.Name()))
		if err != nil {
			errs = append(errs, err)
		}
		for _, img := range got {
			names = append(names, img.Names...)
		}
	}
	return names, errors.Join(errs...)
}

// Image is one image in the store.
type Image struct {
	// Names are name:tag references; empty for an untagged image.
	Names []string
	ID    string
	Size  int64
}

// List returns the images in the store, sorted by first name (untagged
// last) then ID.
func List(store storage.Store) ([]Image, error) {
	imgs, err := store.Images()
	if err != nil {
		return nil, fmt.Errorf("images: list: %w", err)
	}
	out := make([]Image, 0, len(imgs))
	for _, img := range imgs {
		size, err := store.ImageSize(img.ID)
		if err != nil {
			size = -1
		}
		var names []string
		for _, n := range img.Names {
			if !strings.Contains(n, "@") { // name@digest duplicates a tag
				names = append(names, n)
			}
		}
		sort.Strings(names)
		out = append(out, Image{Names: names, ID: img.ID, Size: size})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (len(a.Names) == 0) != (len(b.Names) == 0) {
			return len(a.Names) > 0
		}
		if len(a.Names) > 0 && a.Names[0] != b.Names[0] {
			return a.Names[0] < b.Names[0]
		}
		return a.ID < b.ID
	})
	return out, nil
}
