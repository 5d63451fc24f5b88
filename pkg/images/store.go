// Package images puts container images into the node's containers/storage
// without a registry: archives imported from files (oci-archive and
// docker-archive), a directory of archives imported at start, and the pause
// image built from a binary embedded in kubenode.
//
// The store is configured exactly as the in-process CRI-O uses it
// (StoreOptions), so what is imported here is what the kubelet sees.
//
// containers/storage re-executes the running binary for some operations
// (overlay mounts with long option strings, chrooted untar): a program that
// uses this package must call reexec.Init (go.podman.io/storage/pkg/reexec)
// first thing in main.
package images

import (
	"fmt"
	"path/filepath"

	"go.podman.io/image/v5/signature"
	"go.podman.io/storage"
)

// Driver is the storage driver of every kubenode node. overlay needs a
// filesystem it can stack on (ext4, xfs); kubenode does not fall back to vfs,
// which would copy every layer for every container.
const Driver = "overlay"

// StoreOptions are the containers/storage options of a node with these data
// and run dirs. The node wiring gives CRI-O the same values (root, runroot,
// storage_driver, storage_option), so both open one store.
func StoreOptions(dataDir, runDir string) storage.StoreOptions {
	return storage.StoreOptions{
		GraphRoot:       filepath.Join(dataDir, "storage"),
		RunRoot:         filepath.Join(runDir, "storage"),
		GraphDriverName: Driver,
		// Containers never need device nodes from image layers.
		GraphDriverOptions: []string{"overlay.mountopt=nodev"},
	}
}

// OpenStore opens (creating it if needed) the node's image store. Within one
// process, containers/storage hands out one shared Store per graph root, so
// CRI-O started later with StoreOptions gets this same instance. Call
// store.Shutdown(false) when the process is done with it.
func OpenStore(dataDir, runDir string) (storage.Store, error) {
	opts := StoreOptions(dataDir, runDir)
	store, err := storage.GetStore(opts)
	if err != nil {
		return nil, fmt.Errorf("images: open storage %s (driver %s): %w (the directory must be on a filesystem that supports overlay, e.g. ext4 or xfs, and kubenode must run as root)", opts.GraphRoot, Driver, err)
	}
	return store, nil
}

// Policy is the signature policy for everything this package copies:
// accept anything. That is acceptable because every source here is local: a
// file the operator put on the host (which could equally have replaced the
// kubenode binary) or the pause image built from kubenode's own embedded
// binary. Nothing is fetched over a network. CRI-O's registry pulls get their
// own signature_policy in the node wiring.
func Policy() *signature.Policy {
	return &signature.Policy{Default: signature.PolicyRequirements{signature.NewPRInsecureAcceptAnything()}}
}

// PolicyJSON is Policy as a policy.json document, for CRI-O's
// signature_policy file on hosts without /etc/containers/policy.json.
const PolicyJSON = `{"default":[{"type":"insecureAcceptAnything"}]}` + "\n"

func policyContext() (*signature.PolicyContext, error) {
	pc, err := signature.NewPolicyContext(Policy())
	if err != nil {
		return nil, fmt.Errorf("images: signature policy: %w", err)
	}
	return pc, nil
}
