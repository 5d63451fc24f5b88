package etcd

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/storage/datadir"
)

// started runs a real member in a new dir until it is ready, writes some
// keys (an apiserver writes thousands) and stops it, so that the dir holds
// what a node that ran once leaves.
func started(t *testing.T) *Etcd {
	t.Helper()
	dir := t.TempDir()
	e := &Etcd{DataDir: filepath.Join(dir, "etcd"), Socket: filepath.Join(dir, "etcd.sock")}
	start(t, e)
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{e.ClientURL()}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := cli.Put(t.Context(), fmt.Sprintf("/registry/k%d", i), "value"); err != nil {
			t.Fatal(err)
		}
	}
	cli.Close()
	if err := e.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

func start(t *testing.T, e *Etcd) {
	t.Helper()
	ctx := t.Context()
	if err := e.Init(ctx); err != nil {
		t.Fatalf("Init: %v", err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for e.Ready(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("etcd not ready after 30s")
		}
	}
}

func wantError(t *testing.T, err error, parts ...string) {
	t.Helper()
	t.Log(err)
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error does not contain %q:\n%v", p, err)
		}
	}
}

func overwrite(t *testing.T, path string, off int64, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	rand.Read(b)
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func TestRestartOfHealthyDataPassesChecks(t *testing.T) {
	e := started(t)
	start(t, e)
	e.Stop(context.Background())
}

func TestDamagedDatabaseIsNamed(t *testing.T) {
	e := started(t)
	db := datadir.ToBackendFileName(e.DataDir)
	st, _ := os.Stat(db)
	overwrite(t, db, 0, int(st.Size()))
	wantError(t, e.Init(t.Context()), "database "+db+" is damaged", "mv "+e.DataDir)
}

// With the meta pages intact bbolt opens the file, and only reading the
// pages behind them finds the damage (or faults on it).
func TestDamagedPagesAreFound(t *testing.T) {
	e := started(t)
	db := datadir.ToBackendFileName(e.DataDir)
	st, _ := os.Stat(db)
	const page = 4096
	overwrite(t, db, 2*page, int(st.Size())-2*page)
	wantError(t, e.Init(t.Context()), "database "+db+" is damaged")
}

func TestTruncatedWALIsNamed(t *testing.T) {
	e := started(t)
	walDir := datadir.ToWALDir(e.DataDir)
	files, _ := filepath.Glob(filepath.Join(walDir, "*.wal"))
	if len(files) != 1 {
		t.Fatalf("WAL files %v, want one", files)
	}
	if err := os.Truncate(files[0], 1000); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.Init(t.Context()), "WAL in "+walDir+" is damaged", "cut short", "mv "+e.DataDir)
}
