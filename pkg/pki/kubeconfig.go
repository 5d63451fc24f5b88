package pki

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// WriteKubeconfig writes a kubeconfig (mode 0600) with the CA, client
// certificate and key embedded, so it stays valid if the pki directory
// moves. It has one cluster "kubenode", one user (user, or the certificate's
// common name when empty) and one context "default". The file is replaced
// atomically, and left alone when its content is already the same, which
// keeps its mtime meaningful to watchers.
func WriteKubeconfig(path, server string, caPEM []byte, kp *KeyPair, user string) error {
	switch {
	case server == "":
		return fmt.Errorf("pki: kubeconfig %s: empty server URL", path)
	case len(caPEM) == 0:
		return fmt.Errorf("pki: kubeconfig %s: empty CA certificate", path)
	case kp == nil || len(kp.CertPEM) == 0 || len(kp.KeyPEM) == 0:
		return fmt.Errorf("pki: kubeconfig %s: missing client certificate or key", path)
	}
	if user == "" && kp.Cert != nil {
		user = kp.Cert.Subject.CommonName
	}
	if user == "" {
		return fmt.Errorf("pki: kubeconfig %s: empty user name", path)
	}

	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubenode"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: kp.CertPEM, ClientKeyData: kp.KeyPEM}
	cfg.Contexts["default"] = &clientcmdapi.Context{Cluster: "kubenode", AuthInfo: user}
	cfg.CurrentContext = "default"
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("pki: kubeconfig %s: %w", path, err)
	}

	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, data):
		// Same content; only make sure the embedded key is not readable
		// by others.
		if err := os.Chmod(path, keyMode); err != nil {
			return fmt.Errorf("pki: kubeconfig %s: %w", path, err)
		}
		return nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("pki: kubeconfig %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return fmt.Errorf("pki: kubeconfig %s: %w", path, err)
	}
	return writeFileAtomic(path, data, keyMode)
}
