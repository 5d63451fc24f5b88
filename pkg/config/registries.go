package config

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Registries is where pods' images come from, with the meaning of k3s's
// registries.yaml: mirrors tried in order before the upstream registry,
// and per host (registry or mirror) credentials and TLS settings. CRI-O
// gets it as its own registries.conf, certs.d and auth file
// (pkg/components/crio), under the node's run dir.
type Registries struct {
	// Mirrors maps a registry name (docker.io, registry.example:5000) to
	// the endpoints pulls of its images try first.
	Mirrors map[string]Mirror `json:"mirrors,omitempty"`
	// Configs maps a host[:port], a registry's or a mirror's, to its
	// credentials and TLS settings.
	Configs map[string]RegistryConfig `json:"configs,omitempty"`
}

// Mirror lists a registry's mirrors.
type Mirror struct {
	// Endpoint holds URLs, https://host[:port] or http://host[:port]
	// (plain HTTP). Pulls try them in order, then the registry itself.
	Endpoint []string `json:"endpoint,omitempty"`
}

// RegistryConfig is one host's credentials and TLS settings.
type RegistryConfig struct {
	Auth RegistryAuth `json:"auth,omitempty"`
	TLS  RegistryTLS  `json:"tls,omitempty"`
}

// RegistryAuth is a username and password, or Auth: base64 of
// "username:password" as in a Docker config.json.
type RegistryAuth struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Auth     string `json:"auth,omitempty"`
}

// RegistryTLS names PEM files: the CA that signs the host's certificate
// (added to the system's), and a client certificate with its key.
type RegistryTLS struct {
	CAFile   string `json:"ca_file,omitempty"`
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	// InsecureSkipVerify accepts any certificate and allows plain HTTP.
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
}

// Credentials returns the host's username and password, if any.
func (a RegistryAuth) Credentials() (user, password string, ok bool) {
	if a.Auth != "" {
		b, err := base64.StdEncoding.DecodeString(a.Auth)
		if err != nil {
			return "", "", false
		}
		user, password, ok = strings.Cut(string(b), ":")
		return user, password, ok
	}
	return a.Username, a.Password, a.Username != ""
}

// MirrorEndpoint is a parsed mirror endpoint.
type MirrorEndpoint struct {
	Host      string // host[:port]
	PlainHTTP bool
}

// ParseMirrorEndpoint parses a mirror endpoint URL as validated by Resolve.
func ParseMirrorEndpoint(s string) (MirrorEndpoint, error) {
	u, err := url.Parse(s)
	if err != nil {
		return MirrorEndpoint{}, fmt.Errorf("not a URL: %v", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return MirrorEndpoint{}, fmt.Errorf("must start with https:// or http:// (plain HTTP), as in https://mirror.example:5000")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return MirrorEndpoint{}, fmt.Errorf("must be only scheme, host and port (credentials go in registries.configs)")
	}
	if p := strings.TrimSuffix(u.Path, "/"); p != "" && p != "/v2" {
		return MirrorEndpoint{}, fmt.Errorf("path %q: a mirror is served at its root (/v2/); paths are not supported", u.Path)
	}
	if err := checkRegistryHost(u.Host); err != nil {
		return MirrorEndpoint{}, err
	}
	return MirrorEndpoint{Host: u.Host, PlainHTTP: u.Scheme == "http"}, nil
}

// checkRegistryHost checks a host[:port] as image references name
// registries.
func checkRegistryHost(h string) error {
	if h == "" {
		return fmt.Errorf("no host")
	}
	if strings.Contains(h, "://") {
		return fmt.Errorf("write the host alone, without a scheme (example: registry.example:5000)")
	}
	if strings.ContainsAny(h, "/@ ") {
		return fmt.Errorf("not a host[:port] (example: registry.example:5000)")
	}
	host, port := h, ""
	if i := strings.LastIndex(h, ":"); i >= 0 && !strings.HasSuffix(h, "]") {
		var err error
		if host, port, err = net.SplitHostPort(h); err != nil {
			return fmt.Errorf("not a host[:port] (IPv6 addresses go in brackets: [2001:db8::1]:5000)")
		}
	}
	if strings.HasPrefix(host, "[") {
		host = strings.Trim(host, "[]")
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil {
			return fmt.Errorf("%q is not an IPv6 address", host)
		}
	} else if net.ParseIP(host) == nil {
		if strings.ContainsRune(host, ':') {
			return fmt.Errorf("IPv6 addresses go in brackets: [%s]", host)
		}
		if host != strings.ToLower(host) || !validDomain(host) && !validDomain(strings.TrimSuffix(host, ".")) {
			return fmt.Errorf("%q is not a lower-case host name or IP address", host)
		}
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q: must be between 1 and 65535", port)
		}
	}
	return nil
}

// validate checks the section; files are read only when checkFiles (the
// node's own host), so a config written for another machine checks offline.
func (r Registries) validate(checkFiles bool) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	for _, name := range slices.Sorted(maps.Keys(r.Mirrors)) {
		field := fmt.Sprintf("registries.mirrors[%q]", name)
		if name == "*" {
			bad("%s: a mirror for every registry is not supported; list each registry by name (docker.io, quay.io, ...)", field)
			continue
		}
		if err := checkRegistryHost(name); err != nil {
			bad("%s: %v", field, err)
		}
		if len(r.Mirrors[name].Endpoint) == 0 {
			bad("%s.endpoint: empty; list the mirror URLs (https://mirror.example:5000) or remove the entry", field)
		}
		for i, e := range r.Mirrors[name].Endpoint {
			if _, err := ParseMirrorEndpoint(e); err != nil {
				bad("%s.endpoint[%d] %q: %v", field, i, e, err)
			}
		}
	}
	for _, h := range slices.Sorted(maps.Keys(r.Configs)) {
		field := fmt.Sprintf("registries.configs[%q]", h)
		if err := checkRegistryHost(h); err != nil {
			bad("%s: %v", field, err)
		}
		c := r.Configs[h]
		a := c.Auth
		switch {
		case a.Auth != "" && (a.Username != "" || a.Password != ""):
			bad("%s.auth: set either auth or username and password, not both", field)
		case a.Auth != "":
			if _, _, ok := a.Credentials(); !ok {
				bad("%s.auth.auth: not base64 of \"username:password\" (make it with: printf 'user:password' | base64)", field)
			}
		case a.Password != "" && a.Username == "":
			bad("%s.auth: password without username; add username", field)
		case a.Username != "" && a.Password == "":
			bad("%s.auth: username %q without password; add password", field, a.Username)
		}
		t := c.TLS
		if (t.CertFile == "") != (t.KeyFile == "") {
			if t.CertFile != "" {
				bad("%s.tls: cert_file without key_file; add the client certificate's key_file", field)
			} else {
				bad("%s.tls: key_file without cert_file; add the client certificate's cert_file", field)
			}
		}
		files := []struct{ name, path string }{{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile}}
		pathsOK := true
		for _, f := range files {
			if f.path != "" && !filepath.IsAbs(f.path) {
				bad("%s.tls.%s %q: must be an absolute path", field, f.name, f.path)
				pathsOK = false
			}
		}
		if !checkFiles || !pathsOK {
			continue
		}
		if t.CAFile != "" {
			if err := checkCAFile(t.CAFile); err != nil {
				bad("%s.tls.ca_file: %v", field, err)
			}
		}
		if t.CertFile != "" && t.KeyFile != "" {
			if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
				bad("%s.tls: client certificate %s with key %s: %v (both PEM, the key matching the certificate)", field, t.CertFile, t.KeyFile, err)
			}
		}
	}
	return errs
}

func checkCAFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%v; give the PEM file of the CA that signs the registry's certificate", err)
	}
	n := 0
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path)
	}
	return nil
}
