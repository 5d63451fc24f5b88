package etcd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"go.etcd.io/etcd/server/v3/etcdserver/api/snap"
	"go.etcd.io/etcd/server/v3/storage/datadir"
	"go.etcd.io/etcd/server/v3/storage/wal"
	"go.etcd.io/etcd/server/v3/storage/wal/walpb"
	"go.uber.org/zap"
)

// etcd handles damaged data badly for a process that runs more than etcd:
// a db whose meta pages are garbage makes it panic in a goroutine of its
// own (exit 2, stack trace, the rest of the node left as it was), a page
// that points nowhere faults later when it is read, and a WAL cut short is
// "repaired" into one that no longer holds what the db has applied, after
// which the member never gets ready and logs nothing. checkData reads the
// data the way etcd will, read-only and before anything of the node
// starts, and turns each of these into an error that names the file and
// the way out.
func checkData(dataDir string) error {
	db := datadir.ToBackendFileName(dataDir)
	walDir := datadir.ToWALDir(dataDir)
	st, err := os.Stat(db)
	haveDB := err == nil && st.Size() > 0 // etcd initializes an empty file
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("etcd: database %s: %w", db, err)
	}
	haveWAL := wal.Exist(walDir)
	var applied uint64
	if haveDB {
		if applied, err = safely(func() (uint64, error) { return readDB(db) }); err != nil {
			if errors.Is(err, berrors.ErrTimeout) {
				return fmt.Errorf("etcd: database %s is in use by another process (`fuser -v %s` names it): stop it; no two kubenode processes may share --data-dir", db, db)
			}
			return fmt.Errorf("etcd: database %s is damaged: %v; %s", db, err, wayOut(dataDir))
		}
	}
	if !haveWAL {
		return nil
	}
	// Without a db etcd rebuilds one from the WAL, or fails on its own.
	if err := checkWAL(dataDir, applied, haveDB); err != nil {
		return fmt.Errorf("etcd: %w; %s", err, wayOut(dataDir))
	}
	return nil
}

// wayOut tells an operator how to get a node with damaged etcd data back.
func wayOut(dataDir string) string {
	return fmt.Sprintf("to recover, stop kubenode and restore the etcd data from a snapshot "+
		"(etcdutl snapshot restore; `kubenode etcd snapshot restore` is planned), "+
		"or move %s aside (mv %s %s.damaged) so that kubenode starts with an empty cluster store: "+
		"every Kubernetes object is then lost, the certificates stay", dataDir, dataDir, dataDir)
}

// safely runs fn in a goroutine of its own in which a panic, and a memory
// fault (bbolt follows page numbers into an mmap without bounds checks),
// become an error.
func safely[T any](fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("reading it failed: %v", p)
			}
			ch <- r
		}()
		debug.SetPanicOnFault(true)
		r.v, r.err = fn()
	}()
	r := <-ch
	return r.v, r.err
}

// dbLockTimeout bounds the wait for the file lock: etcd holds it
// exclusively while it runs.
const dbLockTimeout = time.Second

// readDB opens etcd's bbolt file read-only, reads every key and value of
// every bucket (etcd reads all of them at start to rebuild its index, so a
// page it would trip over is found here first) and returns the raft index
// etcd last applied to it.
func readDB(path string) (applied uint64, err error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: dbLockTimeout, PreLoadFreelist: true})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	tx, err := db.Begin(false)
	if err != nil {
		return 0, err
	}
	// Not db.View: after a recovered panic its transaction would stay open
	// and db.Close would wait for it forever.
	defer tx.Rollback()
	var sink byte
	var walk func(b *bolt.Bucket, depth int) error
	walk = func(b *bolt.Bucket, depth int) error {
		if depth > 8 { // etcd nests none; a loop of pages must not recurse forever
			return errors.New("buckets nested too deep")
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			sink ^= k[len(k)-1] // touch what a damaged page may point outside the file
			if v == nil {
				if sub := b.Bucket(k); sub != nil {
					if err := walk(sub, depth+1); err != nil {
						return err
					}
				}
			} else if len(v) > 0 {
				sink ^= v[len(v)-1]
			}
		}
		return nil
	}
	if err := tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(b, 1) }); err != nil {
		return 0, err
	}
	_ = sink
	meta := tx.Bucket([]byte("meta"))
	if meta == nil {
		return 0, errors.New("it has no meta bucket: not an etcd database")
	}
	if v := meta.Get([]byte("consistent_index")); len(v) == 8 {
		applied = binary.BigEndian.Uint64(v)
	}
	return applied, nil
}

// checkWAL reads the WAL as etcd's bootstrap does (the newest snapshot the
// WAL knows, then every entry after it) and checks that it reaches the
// index the db has applied: etcd "repairs" a WAL cut short by dropping its
// torn end, and a member whose WAL ends before its db never gets ready.
func checkWAL(dataDir string, applied uint64, haveDB bool) error {
	walDir := datadir.ToWALDir(dataDir)
	_, err := safely(func() (struct{}, error) {
		lg := zap.NewNop()
		snaps, err := wal.ValidSnapshotEntries(lg, walDir)
		if err != nil {
			return struct{}{}, fmt.Errorf("WAL in %s is damaged: %w", walDir, err)
		}
		s, err := snap.New(lg, datadir.ToSnapDir(dataDir)).LoadNewestAvailable(snaps)
		if err != nil && !errors.Is(err, snap.ErrNoSnapshot) {
			return struct{}{}, fmt.Errorf("snapshot in %s is damaged: %w", datadir.ToSnapDir(dataDir), err)
		}
		var at walpb.Snapshot
		if s != nil {
			at.Index, at.Term = s.Metadata.Index, s.Metadata.Term
		}
		w, err := wal.OpenForRead(lg, walDir, at)
		if err != nil {
			return struct{}{}, fmt.Errorf("WAL in %s is damaged: %w", walDir, err)
		}
		defer w.Close()
		_, hs, ents, err := w.ReadAll()
		if err != nil {
			return struct{}{}, fmt.Errorf("WAL in %s is damaged: %w", walDir, err)
		}
		last := at.Index
		if len(ents) > 0 {
			last = ents[len(ents)-1].Index
		}
		if hs.Commit > last {
			return struct{}{}, fmt.Errorf("WAL in %s is damaged: it ends at entry %d but says entry %d is committed", walDir, last, hs.Commit)
		}
		if haveDB && last < applied {
			return struct{}{}, fmt.Errorf("WAL in %s is damaged: it ends at entry %d but the database already holds entry %d (the WAL was cut short)", walDir, last, applied)
		}
		return struct{}{}, nil
	})
	return err
}
