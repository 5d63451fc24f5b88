package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEtcdSnapshotRestore: 1,000 ConfigMaps, an online snapshot, the
// ConfigMaps deleted, the primary stopped and the snapshot restored: every
// ConfigMap is back and the worker is Ready again without a new token.
// A restore while the node runs and a damaged file are refused with
// nothing changed.
func TestEtcdSnapshotRestore(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	p1 := startPrimary(t, h1)
	startWorker(t, h2, createToken(t, h1))

	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: default\n  labels: {snapshot-test: \"yes\"}\ndata: {n: \"%d\"}\n", i, i)
	}
	manifest := filepath.Join(h1.root, "configmaps.yaml")
	write(t, manifest, b.String())
	h1.mustKubectl("create", "-f", manifest)
	count := func() int {
		out := h1.mustKubectl("get", "configmaps", "-l", "snapshot-test=yes", "-o", "name")
		return len(strings.Fields(out))
	}
	if n := count(); n != 1000 {
		t.Fatalf("%d ConfigMaps, want 1000", n)
	}

	snap := filepath.Join(h1.root, "before.db")
	out, err := h1.run(append([]string{"etcd", "snapshot", "save", snap}, h1.nodeArgs()...)...)
	if err != nil {
		t.Fatalf("snapshot save: %v\n%s", err, out)
	}
	t.Logf("figure: %s", strings.TrimSpace(out))
	if sum, err := os.ReadFile(snap + ".sha256"); err != nil || !strings.Contains(string(sum), "before.db") {
		t.Fatalf("no checksum beside the snapshot: %v %q", err, sum)
	}
	out, err = h1.run(append([]string{"etcd", "snapshot", "list"}, h1.nodeArgs()...)...)
	if err != nil {
		t.Fatalf("snapshot list: %v\n%s", err, out)
	}
	t.Logf("snapshot list:\n%s", out)

	// One deletecollection call: kubectl's per-object delete takes minutes.
	h1.mustKubectl("delete", "--raw", "/api/v1/namespaces/default/configmaps?labelSelector=snapshot-test%3Dyes")
	if n := count(); n != 0 {
		t.Fatalf("%d ConfigMaps after delete", n)
	}

	restore := func(file string) (string, error) {
		return h1.run(append([]string{"etcd", "snapshot", "restore", file}, h1.nodeArgs()...)...)
	}
	if out, err := restore(snap); err == nil || !strings.Contains(out, "in use by kubenode PID") || !strings.Contains(out, "stop kubenode") {
		t.Fatalf("restore while the primary runs: %v\n%s", err, out)
	}
	if _, err := p1.stop(30 * time.Second); err != nil {
		t.Fatalf("stop primary: %v", err)
	}
	etcdDir := filepath.Join(h1.dataDir(), "etcd")
	entries := func() string {
		list, _ := os.ReadDir(h1.dataDir())
		var names []string
		for _, e := range list {
			names = append(names, e.Name())
		}
		return strings.Join(names, " ")
	}
	before := entries()
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(h1.root, "short.db")
	write(t, short, string(data[:len(data)/3]))
	write(t, short+".sha256", "0000000000000000000000000000000000000000000000000000000000000000  short.db\n")
	if out, err := restore(short); err == nil || !strings.Contains(out, "checksum mismatch") {
		t.Fatalf("restore of a truncated file: %v\n%s", err, out)
	}
	if after := entries(); after != before {
		t.Fatalf("a refused restore changed the data dir: %s, then %s", before, after)
	}

	begin := time.Now()
	out, err = restore(snap)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`previous etcd data is in (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("restore does not say where the old data went:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(m[1], "member")); err != nil || !strings.HasPrefix(m[1], etcdDir) {
		t.Fatalf("the old etcd dir is not at %s: %v", m[1], err)
	}
	startPrimary(t, h1)
	t.Logf("figure: restore and start to node ready: %s", time.Since(begin).Round(time.Millisecond))
	if n := count(); n != 1000 {
		t.Fatalf("%d ConfigMaps after the restore, want 1000", n)
	}
	waitNodeReady(t, h1, "node2.k8s.internal", 90*time.Second) // the worker Ready again without a new token
}
