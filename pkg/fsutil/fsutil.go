// Package fsutil holds the one way kubenode replaces a file that another
// process (CRI-O's CNI watcher, CoreDNS, a restart of kubenode itself) may
// read at any moment.
package fsutil

import (
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces path with data (mode exactly, whatever the umask)
// by writing a synced temp file beside it and renaming it over path, so a
// reader sees the old content or the new, never a part. Missing parent
// directories are made with dirMode. The temp name starts with a dot and
// ends in random digits, so watchers that pick files by suffix skip it.
func WriteFileAtomic(path string, data []byte, mode, dirMode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// SyncDir fsyncs a directory, so that renames and creations in it survive
// a power loss.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
