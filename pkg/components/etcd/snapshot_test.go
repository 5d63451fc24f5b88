package etcd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/client-go/util/workqueue"
)

func keys(t *testing.T, e *Etcd) int64 {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{e.ClientURL()}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	resp, err := cli.Get(t.Context(), "/registry/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Count
}

// Save online, then delete everything, stop, restore: the keys are back,
// the old data dir is moved aside, and the restored member starts.
// Damaged, truncated and foreign files are refused with nothing changed.
func TestSnapshotSaveAndRestore(t *testing.T) {
	e := started(t)
	start(t, e)
	snapDir := filepath.Join(t.TempDir(), "snapshots")
	path := filepath.Join(snapDir, "one.db")
	info, err := SaveSnapshot(t.Context(), e.Socket, path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size == 0 || len(info.Checksum) != 64 {
		t.Fatalf("saved %+v", info)
	}
	if _, err := SaveSnapshot(t.Context(), e.Socket, path); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("saving over an existing file: %v", err)
	}
	list, err := ListSnapshots(snapDir)
	if err != nil || len(list) != 1 || list[0].Problem != "" || list[0].Checksum != info.Checksum {
		t.Fatalf("list: %+v, %v", list, err)
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{e.ClientURL()}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Delete(t.Context(), "/registry/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	cli.Close()
	if n := keys(t, e); n != 0 {
		t.Fatalf("%d keys after delete", n)
	}
	if err := e.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Bad files: nothing changes.
	copyWith := func(name string, edit func([]byte) []byte, sum bool) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, edit(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if sum {
			s, _, err := fileSHA256(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p+ChecksumExt, []byte(s+"  "+name+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	for _, tc := range []struct {
		name string
		path string
		want string
	}{
		{"no checksum", copyWith("nosum.db", func(b []byte) []byte { return b }, false), "no usable checksum"},
		{"changed after save", func() string {
			p := copyWith("changed.db", func(b []byte) []byte { return b }, true)
			f, _ := os.OpenFile(p, os.O_WRONLY, 0)
			f.WriteAt([]byte("x"), 100)
			f.Close()
			return p
		}(), "checksum mismatch"},
		{"truncated", copyWith("short.db", func(b []byte) []byte { return b[:len(b)/2] }, true), "is not a usable etcd snapshot"},
		{"not a snapshot", copyWith("text.db", func([]byte) []byte { return []byte(strings.Repeat("hello\n", 5000)) }, true), "is not a usable etcd snapshot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadDir(filepath.Dir(e.DataDir))
			_, _, err := RestoreSnapshot(tc.path, e.DataDir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("restore: %v, want %q", err, tc.want)
			}
			after, _ := os.ReadDir(filepath.Dir(e.DataDir))
			if len(before) != len(after) {
				t.Errorf("the data dir's parent changed: %d entries, then %d", len(before), len(after))
			}
		})
	}

	movedTo, st, err := RestoreSnapshot(path, e.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	if st.TotalKey < 100 || movedTo == "" {
		t.Errorf("restored %+v, old data moved to %q", st, movedTo)
	}
	if _, err := os.Stat(filepath.Join(movedTo, "member")); err != nil {
		t.Errorf("the old data is not kept: %v", err)
	}
	start(t, e)
	defer e.Stop(context.Background())
	if n := keys(t, e); n != 100 {
		t.Errorf("%d keys after restore, want 100", n)
	}
}

// The scheduler saves when the newest scheduled snapshot is due, keeps
// Retain of them, and never prunes a snapshot saved by hand.
func TestSnapshotScheduler(t *testing.T) {
	e := started(t)
	start(t, e)
	defer e.Stop(context.Background())
	dir := filepath.Join(t.TempDir(), "snapshots")
	if _, err := SaveSnapshot(t.Context(), e.Socket, filepath.Join(dir, "manual.db")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := &SnapshotScheduler{Socket: e.Socket, Dir: dir, Interval: time.Hour, Retain: 2, Log: logr.Discard(), Now: func() time.Time { return now }}
	s.queue = workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	defer s.queue.ShutDown()
	scheduled := func() []string {
		list, err := s.scheduled()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, i := range list {
			out = append(out, filepath.Base(i.Path))
		}
		return out
	}
	for i := range 4 {
		if err := s.Reconcile(t.Context(), snapshotKey); err != nil {
			t.Fatal(err)
		}
		// Files are dated by mtime: make each the age the clock says.
		for _, p := range scheduled() {
			if strings.Contains(p, now.UTC().Format("20060102-150405")) {
				os.Chtimes(filepath.Join(dir, p), now, now)
			}
		}
		if got := len(scheduled()); got != min(i+1, 2) {
			t.Fatalf("after %d runs: %d scheduled snapshots %v, want %d", i+1, got, scheduled(), min(i+1, 2))
		}
		// Not due yet: nothing new.
		if err := s.Reconcile(t.Context(), snapshotKey); err != nil {
			t.Fatal(err)
		}
		if got := len(scheduled()); got != min(i+1, 2) {
			t.Fatalf("a reconcile before the interval saved again: %v", scheduled())
		}
		now = now.Add(61 * time.Minute)
	}
	if _, err := os.Stat(filepath.Join(dir, "manual.db")); err != nil {
		t.Errorf("the manual snapshot was pruned: %v", err)
	}
	if hs := s.Health(); !hs[0].OK {
		t.Errorf("health: %+v", hs)
	}
	s.Socket = filepath.Join(t.TempDir(), "gone.sock")
	if err := s.Reconcile(t.Context(), snapshotKey); err == nil {
		t.Fatal("no error without etcd")
	}
	if hs := s.Health(); hs[0].OK || !strings.Contains(hs[0].Message, "no etcd socket") {
		t.Errorf("health after a failure: %+v", hs)
	}
}
