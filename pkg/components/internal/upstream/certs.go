package upstream

import (
	"fmt"
	"os"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"
)

// Upstream servers given certificate files re-read them on every change,
// each through an inotify instance of its own (fs.inotify.max_user_instances
// counts them per user; the default is 128). kubenode writes its
// certificates only before a component starts and renews them at start, so
// a reload never brings anything the process should take: these load them
// once.

// StaticServingCert loads a serving certificate and its key once.
func StaticServingCert(name, certFile, keyFile string) (dynamiccertificates.CertKeyContentProvider, error) {
	cert, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	p, err := dynamiccertificates.NewStaticCertKeyContent(name, cert, key)
	if err != nil {
		return nil, fmt.Errorf("%s, %s: %w", certFile, keyFile, err)
	}
	return p, nil
}

// StaticCA loads a CA bundle once.
func StaticCA(name, file string) (dynamiccertificates.CAContentProvider, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	p, err := dynamiccertificates.NewStaticCAContent(name, pem)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return p, nil
}
