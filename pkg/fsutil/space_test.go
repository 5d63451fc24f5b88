package fsutil

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestSpaceOfMissingPathUsesAncestor(t *testing.T) {
	dir := t.TempDir()
	sp, err := SpaceOf(filepath.Join(dir, "not", "yet"))
	if err != nil {
		t.Fatal(err)
	}
	if sp.Size == 0 || sp.Free > sp.Size || !strings.HasPrefix(dir, sp.Mount) {
		t.Fatalf("SpaceOf = %+v, want a filesystem holding %s", sp, dir)
	}
}

func TestSpaceOfTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("kubenode-test", mnt, "tmpfs", 0, "size=8m"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	defer syscall.Unmount(mnt, syscall.MNT_DETACH)
	if err := os.WriteFile(filepath.Join(mnt, "f"), make([]byte, 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := SpaceOf(filepath.Join(mnt, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sp.String(), mnt+" (tmpfs): 6 MiB free of 8 MiB (75%)"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}
