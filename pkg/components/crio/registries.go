package crio

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/BurntSushi/toml"
	libconfig "github.com/cri-o/cri-o/pkg/config"

	"github.com/kubenode/kubenode/pkg/config"
)

// registryFiles are containers/image's registry settings, made from the
// node's registries section at every Init under RunDir/crio/registries, so
// that the machine's /etc/containers, /etc/docker/certs.d and
// ~/.docker/config.json play no part in the node's pulls.
type registryFiles struct {
	dir string
}

func (r registryFiles) conf() string    { return filepath.Join(r.dir, "registries.conf") }
func (r registryFiles) confDir() string { return filepath.Join(r.dir, "registries.conf.d") } // never made
func (r registryFiles) certsDir() string {
	return filepath.Join(r.dir, "certs.d")
}
func (r registryFiles) authFile() string { return filepath.Join(r.dir, "auth.json") }

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
	for _, name := range sortedKeys(r.Mirrors) {
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
	for _, host := range sortedKeys(r.Configs) {
		if !named[host] && insecure(host) {
			out.Registries = append(out.Registries, registryEntry{Prefix: host, Location: host, Insecure: true})
		}
	}
	return out, nil
}

// writeRegistries writes the files afresh: registries.conf, certs.d/HOST
// (ca.crt, client.cert, client.key: the names containers/image reads) and
// the auth file, which holds the passwords (0600, in a 0700 dir).
func writeRegistries(dir string, r config.Registries) (registryFiles, error) {
	f := registryFiles{dir: dir}
	if err := os.RemoveAll(dir); err != nil {
		return f, fmt.Errorf("crio: registries: %w", err)
	}
	if err := os.MkdirAll(f.certsDir(), 0o700); err != nil {
		return f, fmt.Errorf("crio: registries: %w", err)
	}
	conf, err := buildRegistriesConf(r)
	if err != nil {
		return f, fmt.Errorf("crio: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("# Written by kubenode at every start from the registries section of its config; edits are lost.\n")
	if err := toml.NewEncoder(&b).Encode(conf); err != nil {
		return f, fmt.Errorf("crio: registries.conf: %w", err)
	}
	if err := os.WriteFile(f.conf(), b.Bytes(), 0o600); err != nil {
		return f, fmt.Errorf("crio: registries: %w", err)
	}

	type authEntry struct {
		Auth string `json:"auth"`
	}
	auths := map[string]authEntry{}
	for _, host := range sortedKeys(r.Configs) {
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
				return f, fmt.Errorf("crio: registries.configs[%q].tls.%s: %w", host, cf.field, err)
			}
			hostDir := filepath.Join(f.certsDir(), host)
			if err := os.MkdirAll(hostDir, 0o700); err != nil {
				return f, fmt.Errorf("crio: registries: %w", err)
			}
			if err := os.WriteFile(filepath.Join(hostDir, cf.name), data, 0o600); err != nil {
				return f, fmt.Errorf("crio: registries: %w", err)
			}
		}
	}
	data, err := json.Marshal(map[string]any{"auths": auths})
	if err != nil {
		return f, err
	}
	if err := os.WriteFile(f.authFile(), data, 0o600); err != nil {
		return f, fmt.Errorf("crio: registries: %w", err)
	}
	return f, nil
}

// apply points CRI-O's pulls at the files, and only at them.
func (f registryFiles) apply(cfg *libconfig.Config) {
	cfg.GlobalAuthFile = f.authFile() // server.New copies it into the SystemContext
	sys := cfg.SystemContext
	sys.SystemRegistriesConfPath = f.conf()
	sys.SystemRegistriesConfDirPath = f.confDir()
	sys.DockerPerHostCertDirPath = f.certsDir()
	sys.AuthFilePath = f.authFile()
	// Lookaside signature storage config and the short-name alias cache
	// default to /etc and $HOME too.
	sys.RegistriesDirPath = filepath.Join(f.dir, "registries.d")
	sys.UserShortNameAliasConfPath = filepath.Join(f.dir, "short-name-aliases.conf")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
