package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

const (
	dirMode  os.FileMode = 0o700
	keyMode  os.FileMode = 0o600
	certMode os.FileMode = 0o644
)

// pendingFile is a fully written and synced temp file waiting to be renamed
// over its destination.
type pendingFile struct {
	tmp, dst string
}

// writeTemp writes data to a temp file next to dst, so that the later
// rename stays on one filesystem and is atomic.
func writeTemp(dst string, data []byte, mode os.FileMode) (pendingFile, error) {
	dir, base := filepath.Split(dst)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return pendingFile{}, fmt.Errorf("pki: write %s: %w", dst, err)
	}
	tmp := f.Name()
	fail := func(err error) (pendingFile, error) {
		f.Close()
		os.Remove(tmp)
		return pendingFile{}, fmt.Errorf("pki: write %s: %w", dst, err)
	}
	// Chmod rather than relying on CreateTemp's 0600 and the umask, so
	// certificates end up readable and keys never are.
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
		return pendingFile{}, fmt.Errorf("pki: write %s: %w", dst, err)
	}
	return pendingFile{tmp: tmp, dst: dst}, nil
}

// commitFiles renames the temps in the given order and syncs their
// directory. Callers put a key before its certificate: a crash in between
// leaves a new key beside an old or missing certificate, which loading
// detects (mismatch) or repairs (missing certificate), never the reverse.
func commitFiles(files ...pendingFile) error {
	for i, p := range files {
		if err := os.Rename(p.tmp, p.dst); err != nil {
			for _, q := range files[i:] {
				os.Remove(q.tmp)
			}
			return fmt.Errorf("pki: write %s: %w", p.dst, err)
		}
	}
	dirs := map[string]bool{}
	for _, p := range files {
		dirs[filepath.Dir(p.dst)] = true
	}
	for dir := range dirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

func discard(files ...pendingFile) {
	for _, p := range files {
		os.Remove(p.tmp)
	}
}

// writeFileAtomic replaces path with data in one rename.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	p, err := writeTemp(path, data, mode)
	if err != nil {
		return err
	}
	return commitFiles(p)
}

// syncDir makes renames in dir durable; without it a crash can lose the
// new directory entry even though the file data was synced.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("pki: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("pki: sync %s: %w", dir, err)
	}
	return nil
}

// readOptional reads path, returning nil data and no error when it does not
// exist.
func readOptional(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pki: read %s: %w", path, err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

func encodeCertPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func encodeKeyPEM(key crypto.Signer) ([]byte, error) {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		// SEC1 "EC PRIVATE KEY" is what kubeadm writes and what every
		// Kubernetes component and openssl read.
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
	default:
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
}

func encodePublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParseCertPEM returns the first certificate in data; further blocks (a
// chain) are ignored.
func ParseCertPEM(data []byte) (*x509.Certificate, error) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM CERTIFICATE block")
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		return x509.ParseCertificate(block.Bytes)
	}
}

// parseKeyPEM accepts the private key encodings that Kubernetes tooling and
// openssl produce, so an operator-supplied key loads too. Other blocks
// (openssl's "EC PARAMETERS") are skipped.
func parseKeyPEM(data []byte) (crypto.Signer, error) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM private key block")
		}
		var (
			key any
			err error
		)
		switch block.Type {
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		switch k := key.(type) {
		case *ecdsa.PrivateKey, *rsa.PrivateKey, ed25519.PrivateKey:
			return k.(crypto.Signer), nil
		default:
			return nil, fmt.Errorf("unsupported private key type %T", key)
		}
	}
}

// parsePublicKeysPEM returns every PUBLIC KEY block in data; sa.pub may hold
// several while signing keys are rotated.
func parsePublicKeysPEM(data []byte) ([]crypto.PublicKey, error) {
	var keys []crypto.PublicKey
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "PUBLIC KEY" {
			continue
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM PUBLIC KEY block")
	}
	return keys, nil
}

// samePublicKey compares public keys of any supported type.
func samePublicKey(a, b crypto.PublicKey) bool {
	ak, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ak.Equal(b)
}
