// Command aggapi is the smallest aggregated API server the e2e tests
// register: it serves the discovery document of e2e.kubenode.io/v1alpha1
// and a "whoami" that answers with the user the kube-apiserver proxied the
// request for. It trusts that user as a real aggregated server does: only
// from a client certificate signed by the request-header CA and named in
// the allowed names, both read from kube-system's
// extension-apiserver-authentication ConfigMap (mounted at -auth).
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"
)

const groupVersion = "e2e.kubenode.io/v1alpha1"

func main() {
	auth := flag.String("auth", "/auth", "the extension-apiserver-authentication ConfigMap's files")
	addr := flag.String("listen", ":8443", "")
	flag.Parse()

	caPEM, err := os.ReadFile(filepath.Join(*auth, "requestheader-client-ca-file"))
	if err != nil {
		log.Fatalf("no request-header CA: %v", err)
	}
	cas := x509.NewCertPool()
	if !cas.AppendCertsFromPEM(caPEM) {
		log.Fatal("request-header CA: no certificate")
	}
	var allowed []string
	if b, err := os.ReadFile(filepath.Join(*auth, "requestheader-allowed-names")); err == nil {
		if err := json.Unmarshal(b, &allowed); err != nil {
			log.Fatalf("requestheader-allowed-names: %v", err)
		}
	}
	var userHeaders, groupHeaders []string
	readJSON(filepath.Join(*auth, "requestheader-username-headers"), &userHeaders)
	readJSON(filepath.Join(*auth, "requestheader-group-headers"), &groupHeaders)
	if len(userHeaders) == 0 {
		log.Fatal("no requestheader-username-headers")
	}

	// front is the proxy's verified identity, or "" when the request did
	// not come through a trusted front proxy.
	front := func(r *http.Request) string {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			return ""
		}
		cn := r.TLS.VerifiedChains[0][0].Subject.CommonName
		if len(allowed) > 0 && !slices.Contains(allowed, cn) {
			return ""
		}
		return cn
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/apis/"+groupVersion, func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{
			"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": groupVersion,
			"resources": []map[string]any{{"name": "whoamis", "singularName": "whoami", "namespaced": false, "kind": "WhoAmI", "verbs": []string{"get"}}},
		})
	})
	mux.HandleFunc("/apis/"+groupVersion+"/whoamis/", func(w http.ResponseWriter, r *http.Request) {
		var groups []string
		for _, h := range groupHeaders {
			groups = append(groups, r.Header.Values(h)...)
		}
		reply(w, map[string]any{
			"kind": "WhoAmI", "apiVersion": groupVersion,
			"user": r.Header.Get(userHeaders[0]), "groups": groups, "proxy": front(r),
		})
	})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if front(r) == "" {
			http.Error(w, "not from the front proxy", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Addr:    *addr,
		Handler: handler,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{selfSigned()},
			ClientCAs:    cas,
			ClientAuth:   tls.VerifyClientCertIfGiven,
		},
	}
	log.Printf("serving %s on %s", groupVersion, *addr)
	log.Fatal(srv.ListenAndServeTLS("", ""))
}

func readJSON(path string, v any) {
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, v); err != nil {
			log.Fatalf("%s: %v", path, err)
		}
	}
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// selfSigned is the serving certificate; the APIService skips verifying
// it (insecureSkipTLSVerify).
func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "aggapi"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func init() { log.SetFlags(0); log.SetPrefix(fmt.Sprintf("aggapi[%d]: ", os.Getpid())) }
