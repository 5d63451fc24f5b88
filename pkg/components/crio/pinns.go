package crio

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kubenode/kubenode/pkg/fsutil"
)

// pinns pins a pod's namespaces to files; CRI-O execs it for every pod. It
// has no Debian package, so the Makefile builds it from the CRI-O module's
// C sources and kubenode carries it, like the pause binary.
//
//go:embed pinns/*
var pinnsFS embed.FS

// ErrNoPinns means the binary was built without `make pinns`.
var ErrNoPinns = errors.New("crio: this kubenode was built without the embedded pinns; build it with `make build` (which compiles pinns first)")

// installPinns writes the embedded pinns to dir/pinns (0755) unless an
// identical file is there, and returns its path. The data dir, not the run
// dir: /run is often mounted noexec.
func installPinns(dir string) (string, error) {
	data, err := pinnsFS.ReadFile("pinns/pinns")
	if err != nil {
		return "", ErrNoPinns
	}
	path := filepath.Join(dir, "pinns")
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return path, nil
	}
	if err := fsutil.WriteFileAtomic(path, data, 0o755, 0o755); err != nil {
		return "", fmt.Errorf("crio: install pinns: %w", err)
	}
	return path, nil
}

// HasPinns reports whether this binary carries pinns.
func HasPinns() bool {
	_, err := pinnsFS.ReadFile("pinns/pinns")
	return err == nil
}
