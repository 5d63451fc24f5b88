package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const statefulDB = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: db
        image: localhost/busybox:e2e
        imagePullPolicy: Never
        command: ["/bin/busybox", "sleep", "3600"]
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 64Mi}}
`

// claimAndPod is a claim of the default class and a pod that mounts it.
func claimAndPod(name, extra string) string {
	return fmt.Sprintf(`
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: %[1]s}
spec:
  accessModes: [%[2]s]
  resources: {requests: {storage: %[3]s}}
%[4]s---
apiVersion: v1
kind: Pod
metadata: {name: %[1]s}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: localhost/busybox:e2e
    imagePullPolicy: Never
    command: ["/bin/busybox", "sleep", "3600"]
    %[5]s: [{name: v, %[6]s: /data}]
  volumes: [{name: v, persistentVolumeClaim: {claimName: %[1]s}}]
---
`, name, field(extra, "modes", "ReadWriteOnce"), field(extra, "size", "16Mi"), field(extra, "spec", ""),
		field(extra, "mounts", "volumeMounts"), field(extra, "at", "mountPath"))
}

// field reads key=value;... from extra, or def.
func field(extra, key, def string) string {
	for _, kv := range strings.Split(extra, ";") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return def
}

// TestLocalVolumes: the default StorageClass "local" on a primary and a
// worker. A StatefulSet's claim is provisioned on the worker the scheduler
// picked, as a directory under its <data-dir>/volumes; the data survives
// the pod's deletion and a restart of the worker's kubenode; deleting the
// claim removes the directory; bad claims get Events and nothing else; a
// node may create only its own volumes.
func TestLocalVolumes(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	for _, h := range []*host{h1, h2} {
		writeBusyboxArchive(t, h)
	}
	startPrimary(t, h1)
	p2 := startWorker(t, h2, createToken(t, h1))
	const worker = "node2.k8s.internal"
	volumes := filepath.Join(h2.dataDir(), "volumes")

	if out := h1.mustKubectl("get", "storageclass", "local", "-o",
		`jsonpath={.provisioner} {.volumeBindingMode} {.reclaimPolicy} {.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}`); out != "kubenode.io/local WaitForFirstConsumer Delete true" {
		t.Fatalf("StorageClass local: %q", out)
	}

	manifest := filepath.Join(h1.root, "db.yaml")
	write(t, manifest, statefulDB)
	began := time.Now()
	h1.mustKubectl("apply", "-f", manifest)
	waitPodReady(t, h1, "db-0")
	t.Logf("figure: StatefulSet claim created to pod Ready with its volume bound: %s", time.Since(began).Round(100*time.Millisecond))
	if on := h1.mustKubectl("get", "pod", "db-0", "-o", "jsonpath={.spec.nodeName}"); on != worker {
		t.Fatalf("db-0 on %q, want the worker (the primary is tainted once workers exist)", on)
	}
	pv := h1.mustKubectl("get", "pvc", "data-db-0", "-o", "jsonpath={.spec.volumeName}")
	out := h1.mustKubectl("get", "pv", pv, "-o", `jsonpath={.spec.local.path} {.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]} {.metadata.annotations.kubenode\.io/local-path} {.spec.storageClassName}`)
	dir := filepath.Join(volumes, pv+"_default_data-db-0")
	if want := dir + " " + worker + " " + dir + " local"; out != want {
		t.Fatalf("volume %s: %q, want %q", pv, out, want)
	}

	if out, err := h1.podExec("db-0", "sh", "-c", "echo kept > /data/msg"); err != nil {
		t.Fatalf("write: %v: %s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "msg")); err != nil || string(b) != "kept\n" {
		t.Fatalf("the pod's file is not in %s on the worker: %q %v", dir, b, err)
	}
	readBack := func(what string) {
		t.Helper()
		eventually(t, time.Minute, "db-0 reads its file "+what, func() error {
			out, err := h1.podExec("db-0", "cat", "/data/msg")
			if err != nil || out != "kept\n" {
				return fmt.Errorf("%v: %q", err, out)
			}
			return nil
		})
	}
	t.Run("data survives the pod", func(t *testing.T) {
		uid := h1.mustKubectl("get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}")
		h1.mustKubectl("delete", "pod", "db-0", "--wait=true")
		eventually(t, time.Minute, "db-0 recreated", func() error {
			if now, _ := h1.kubectl("get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}"); now == uid || now == "" {
				return fmt.Errorf("uid %q", now)
			}
			return nil
		})
		waitPodReady(t, h1, "db-0")
		readBack("after its pod was recreated")
	})
	t.Run("data survives a restart of the worker", func(t *testing.T) {
		if _, err := p2.stop(30 * time.Second); err != nil {
			t.Fatalf("stop: %v", err)
		}
		p2 = startWorker(t, h2, "")
		waitPodReady(t, h1, "db-0")
		readBack("after the worker restarted")
	})

	t.Run("a node creates only its own volumes", func(t *testing.T) {
		pvFile := filepath.Join(h1.root, "pv.yaml")
		asWorker := []string{"--as", "system:node:" + worker, "--as-group", "system:nodes"}
		for name, c := range map[string]struct{ node, affinity, want string }{
			"another node's":   {"node1.k8s.internal", "node1.k8s.internal", "may only create and delete its own local volumes"},
			"pinned elsewhere": {worker, "node1.k8s.internal", "may only create local volumes pinned to itself"},
		} {
			write(t, pvFile, fmt.Sprintf(`
apiVersion: v1
kind: PersistentVolume
metadata: {name: forged, annotations: {kubenode.io/local-node: %s}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  local: {path: /}
  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [%s]}]}]}}
`, c.node, c.affinity))
			out, err := h1.kubectl(append(asWorker, "create", "-f", pvFile)...)
			if err == nil || !strings.Contains(out, c.want) {
				t.Fatalf("%s: worker creating a forged volume: %v: %s", name, err, out)
			}
		}
		if out, err := h1.kubectl(append(asWorker, "auth", "can-i", "update", "persistentvolumeclaims")...); err == nil || !strings.HasPrefix(out, "no") {
			t.Fatalf("a node may update claims: %v %q", err, out)
		}
	})

	t.Run("bad claims get events and nothing else", func(t *testing.T) {
		before := entries(t, volumes)
		events := func(claim string, want string) {
			t.Helper()
			eventually(t, time.Minute, "event on "+claim, func() error {
				out, err := h1.kubectl("get", "events", "--field-selector", "involvedObject.kind=PersistentVolumeClaim,involvedObject.name="+claim,
					"-o", `jsonpath={range .items[*]}{.reason}: {.message}{"\n"}{end}`)
				if err != nil || !strings.Contains(out, "ProvisioningFailed: ") || !strings.Contains(out, want) {
					return fmt.Errorf("%v: %s", err, out)
				}
				return nil
			})
		}
		// The worker's volumes dir made unusable: a file in its place (the
		// db's directory moves aside with it; its pod keeps its mount).
		aside := volumes + ".aside"
		if err := os.Rename(volumes, aside); err != nil {
			t.Fatal(err)
		}
		write(t, volumes, "not a directory")
		bad := filepath.Join(h1.root, "nopath.yaml")
		write(t, bad, claimAndPod("nopath", ""))
		h1.mustKubectl("apply", "-f", bad)
		events("nopath", "node "+worker+" cannot make storage.localPath "+volumes)
		h1.mustKubectl("delete", "-f", bad, "--wait=true")
		if err := os.Remove(volumes); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(aside, volumes); err != nil {
			t.Fatal(err)
		}

		write(t, bad, claimAndPod("shared", "modes=ReadWriteMany")+
			claimAndPod("block", "spec=  volumeMode: Block\n;mounts=volumeDevices;at=devicePath")+
			claimAndPod("huge", "size=100Ti"))
		h1.mustKubectl("apply", "-f", bad)
		events("shared", "access mode ReadWriteMany: a local volume is a directory on one node")
		events("block", "volumeMode Block: a local volume is a directory, not a block device; ask for volumeMode Filesystem")
		events("huge", "node "+worker+" has no room: the claim asks for 100Ti")
		if out := h1.mustKubectl("get", "pv", "-o", "jsonpath={.items[*].spec.claimRef.name}"); out != "data-db-0" {
			t.Fatalf("volumes: %q, want only data-db-0's", out)
		}
		if after := entries(t, volumes); strings.Join(after, ",") != strings.Join(before, ",") {
			t.Fatalf("the worker's volumes dir went from %v to %v", before, after)
		}
		h1.mustKubectl("delete", "-f", bad, "--wait=true")
	})

	t.Run("deleting the claim removes the directory", func(t *testing.T) {
		h1.mustKubectl("delete", "statefulset", "db", "--wait=true")
		// Seen to hang now and then after the worker restart above: the
		// pod's volume directory stays busy after its unmount. The mount
		// table says what still sits there.
		if out, err := h1.kubectl("delete", "pvc", "data-db-0", "--wait=true"); err != nil {
			t.Fatalf("kubectl delete pvc: %v\n%s\nthe worker's kubelet mounts:\n%s", err, out, strings.Join(mountsUnder(filepath.Join(h2.root, "kubelet")), "\n"))
		}
		eventually(t, time.Minute, "the volume and its directory gone", func() error {
			if out, _ := h1.kubectl("get", "pv", pv, "-o", "name"); out != "" && !strings.Contains(out, "NotFound") {
				return fmt.Errorf("volume still there: %s", out)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				return fmt.Errorf("%s: %v", dir, err)
			}
			return nil
		})
	})
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
