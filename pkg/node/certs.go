package node

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/go-logr/logr"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/pki"
)

// Certificates lists every certificate this node uses: on a primary its
// PKI (CAs and leaves, the front-proxy and kubelet-serving ones included);
// on every node the kubelet's current client and serving certificates.
func Certificates(cfg *config.Config) []pki.CertInfo {
	c := nodeCertificates(cfg, isPrimary(cfg))
	return pki.Inventory(c.files, c.dirs)
}

// isPrimary: only a primary has a cluster CA key.
func isPrimary(cfg *config.Config) bool {
	_, err := os.Stat(filepath.Join(cfg.PKIDir(), "ca.key"))
	return err == nil
}

// RotateCertificates renews every leaf of a primary's PKI now, keeping the
// CAs and the keys, and rewrites the kubeconfigs that embed them. It may
// run while the node runs: every component loads its certificates at start
// and uses the new ones after the next restart of kubenode. It returns what it renewed.
func RotateCertificates(cfg *config.Config, log logr.Logger) ([]string, error) {
	if !isPrimary(cfg) {
		return nil, errors.New("this node has no cluster PKI (it is a worker, or --data-dir is not the primary's): a worker's kubelet renews its own client and serving certificates from the primary, well before they expire; `kubenode certs check` shows them")
	}
	creds, err := ensurePKIWith(cfg, log, true)
	if err != nil {
		return nil, err
	}
	return creds.changed, nil
}
