package etcd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/storage/datadir"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
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

// What etcd does when the checks are not there (or miss something): its
// Panic on the damaged db becomes Start's error, not a crash.
func TestPanicOfEtcdIsStartError(t *testing.T) {
	e := started(t)
	db := datadir.ToBackendFileName(e.DataDir)
	st, _ := os.Stat(db)
	overwrite(t, db, 0, int(st.Size()))
	err := e.Start(t.Context()) // no Init: straight to etcd
	wantError(t, err, "failed to open database", db, "mv "+e.DataDir)
}

// lockShared holds a shared lock on the db, as a reader such as `bbolt
// check` does: the checks may read, but etcd waits for its exclusive lock
// forever. The cleanup releases it and waits for the abandoned start.
func lockShared(t *testing.T, e *Etcd) string {
	t.Helper()
	db := datadir.ToBackendFileName(e.DataDir)
	f, err := os.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.Close()
		e.abandoned.Wait()
	})
	if err := e.Init(t.Context()); err != nil {
		t.Fatalf("Init: %v", err)
	}
	return db
}

func TestLockedDatabaseEndsStartInTime(t *testing.T) {
	e := started(t)
	db := lockShared(t, e)
	e.StartTimeout = 2 * time.Second
	begin := time.Now()
	err := e.Start(t.Context())
	wantError(t, err, "etcd: not started after 2s", "database "+db+" is locked by another process")
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("Start took %s, want about 2s", took)
	}
}

func TestShutdownDoesNotWaitForStart(t *testing.T) {
	e := started(t)
	lockShared(t, e)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	begin := time.Now()
	wantError(t, e.Start(ctx), "etcd: start interrupted by shutdown")
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("Start took %s after cancel, want about 300ms", took)
	}
	if err := e.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A filesystem too small for etcd's first WAL file: etcd panics in
// bootstrap ("failed to create WAL"); Start must return that as an error
// naming the filesystem.
func TestFullDiskDuringStart(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	mnt := filepath.Join(dir, "small")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("kubenode-test", mnt, "tmpfs", 0, "size=32m"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	e := &Etcd{DataDir: filepath.Join(mnt, "etcd"), Socket: filepath.Join(dir, "etcd.sock")}
	if err := e.Init(t.Context()); err != nil {
		t.Fatal(err)
	}
	err := e.Start(t.Context())
	wantError(t, err, "the filesystem of its data is full", mnt+" (tmpfs)", "failed to create WAL", "free space there")
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("errors.Is(%v, ENOSPC) = false", err)
	}
}

func TestDiskFullIsExplained(t *testing.T) {
	e := &Etcd{DataDir: t.TempDir()}
	err := e.explain(&logError{msg: "failed to create WAL", err: syscall.ENOSPC})
	wantError(t, err, "the filesystem of its data is full", e.DataDir, "free of", "free space there")
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("errors.Is(%v, ENOSPC) = false", err)
	}
}

func TestFatalLogEndsOnlyItsGoroutine(t *testing.T) {
	var got error
	lg := newLogger(func(err error) { got = err })
	lg = lg.WithOptions(zap.WrapCore(func(zapcore.Core) zapcore.Core { return zapcore.NewNopCore() }))
	done := make(chan bool)
	go func() {
		defer close(done)
		lg.Fatal("failed to open WAL", zap.String("path", "/x/wal"), zap.Error(syscall.ENOSPC))
		done <- true // not reached
	}()
	if <-done {
		t.Fatal("Fatal returned")
	}
	if got == nil || got.Error() != "failed to open WAL (path=/x/wal, error=no space left on device)" || !errors.Is(got, syscall.ENOSPC) {
		t.Fatalf("reported %v", got)
	}
}
