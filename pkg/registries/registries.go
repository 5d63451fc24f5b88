// Package registries writes a node's registries section (pkg/config) as
// containers/image's registry settings: registries.conf, certs.d and an
// auth file, which CRI-O's pulls then use (pkg/components/crio).
package registries

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/BurntSushi/toml"

	"github.com/kubenode/kubenode/pkg/config"
)

// Files are the registry settings in one dir, which Write makes afresh.
type Files struct {
	Dir string
}

// Conf is registries.conf (v2).
func (f Files) Conf() string { return filepath.Join(f.Dir, "registries.conf") }

// ConfDir is the drop-in dir of registries.conf, which is never made:
// pointing at it keeps /etc/containers/registries.conf.d out.
func (f Files) ConfDir() string { return filepath.Join(f.Dir, "registries.conf.d") }

// CertsDir holds a dir per host[:port]: ca.crt, client.cert, client.key.
func (f Files) CertsDir() string { return filepath.Join(f.Dir, "certs.d") }

// AuthFile holds the credentials (containers-auth.json(5)).
func (f Files) AuthFile() string { return filepath.Join(f.Dir, "auth.json") }

// RegistriesDir (lookaside signature storage) and ShortNameAliases are
// not made either; set, they keep /etc and $HOME out.
func (f Files) RegistriesDir() string    { return filepath.Join(f.Dir, "registries.d") }
func (f Files) ShortNameAliases() string { return filepath.Join(f.Dir, "short-name-aliases.conf") }

// The registries.conf (v2) fields kubenode writes; containers/image's
// own types carry unexported parts the encoder would trip on.
type registriesConf struct {
	UnqualifiedSearchRegistries []string        `toml:"unqualified-search-registries"`
	Registries                  []registryEntry `toml:"registry"`
}

type registryEntry struct {
	Prefix   string          `toml:"prefix"`
	Location string          `toml:"location"`
	Insecure bool            `toml:"insecure,omitempty"`
	Mirrors  []registryEntry `toml:"mirror,omitempty"`
}

// buildRegistriesConf turns k3s-style mirrors and configs into
// registries.conf: a registry's mirrors are tried in order, then the
// registry itself (containers/image falls back to the primary location).
// "insecure" there means: any certificate, and plain HTTP allowed.
func buildRegistriesConf(r config.Registries) (registriesConf, error) {
	// Kubernetes users expect "nginx" to mean docker.io/library/nginx.
	out := registriesConf{UnqualifiedSearchRegistries: []string{"docker.io"}}
	insecure := func(host string) bool { return r.Configs[host].TLS.InsecureSkipVerify }
	named := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(r.Mirrors)) {
		named[name] = true
		reg := registryEntry{Prefix: name, Location: name, Insecure: insecure(name)}
		for _, s := range r.Mirrors[name].Endpoint {
			e, err := config.ParseMirrorEndpoint(s)
			if err != nil {
				return out, fmt.Errorf("registries.mirrors[%q]: %q: %w", name, s, err)
			}
			if e.Host == name {
				// The upstream is tried anyway; an http:// endpoint for
				// it says it serves plain HTTP.
				reg.Insecure = reg.Insecure || e.PlainHTTP
				continue
			}
			reg.Mirrors = append(reg.Mirrors, registryEntry{Location: e.Host, Insecure: e.PlainHTTP || insecure(e.Host)})
		}
		out.Registries = append(out.Registries, reg)
	}
	for _, host := range slices.Sorted(maps.Keys(r.Configs)) {
		if !named[host] && insecure(host) {
			out.Registries = append(out.Registries, registryEntry{Prefix: host, Location: host, Insecure: true})
		}
	}
	return out, nil
}

// Write writes the files afresh: registries.conf, certs.d/HOST
// (ca.crt, client.cert, client.key: the names containers/image reads) and
// the auth file, which holds the passwords (0600, in a 0700 dir).
func Write(dir string, r config.Registries) (Files, error) {
	f := Files{Dir: dir}
	if err := os.RemoveAll(dir); err != nil {
		return f, fmt.Errorf("registries: %w", err)
	}
	if err := os.MkdirAll(f.CertsDir(), 0o700); err != nil {
		return f, fmt.Errorf("registries: %w", err)
	}
	conf, err := buildRegistriesConf(r)
	if err != nil {
		return f, fmt.Errorf("%w", err)
	}
	var b bytes.Buffer
	b.WriteString("# Written by kubenode at every start from the registries section of its config; edits are lost.\n")
	if err := toml.NewEncoder(&b).Encode(conf); err != nil {
		return f, fmt.Errorf("registries.conf: %w", err)
	}
	if err := os.WriteFile(f.Conf(), b.Bytes(), 0o600); err != nil {
		return f, fmt.Errorf("registries: %w", err)
	}

	type authEntry struct {
		Auth string `json:"auth"`
	}
	auths := map[string]authEntry{}
	for _, host := range slices.Sorted(maps.Keys(r.Configs)) {
		c := r.Configs[host]
		if user, pw, ok := c.Auth.Credentials(); ok {
			auths[host] = authEntry{Auth: base64.StdEncoding.EncodeToString([]byte(user + ":" + pw))}
		}
		files := []struct{ field, src, name string }{
			{"ca_file", c.TLS.CAFile, "ca.crt"},
			{"cert_file", c.TLS.CertFile, "client.cert"},
			{"key_file", c.TLS.KeyFile, "client.key"},
		}
		for _, cf := range files {
			if cf.src == "" {
				continue
			}
			data, err := os.ReadFile(cf.src)
			if err != nil {
				return f, fmt.Errorf("registries.configs[%q].tls.%s: %w", host, cf.field, err)
			}
			hostDir := filepath.Join(f.CertsDir(), host)
			if err := os.MkdirAll(hostDir, 0o700); err != nil {
				return f, fmt.Errorf("registries: %w", err)
			}
			if err := os.WriteFile(filepath.Join(hostDir, cf.name), data, 0o600); err != nil {
				return f, fmt.Errorf("registries: %w", err)
			}
		}
	}
	data, err := json.Marshal(map[string]any{"auths": auths})
	if err != nil {
		return f, err
	}
	if err := os.WriteFile(f.AuthFile(), data, 0o600); err != nil {
		return f, fmt.Errorf("registries: %w", err)
	}
	return f, nil
}
