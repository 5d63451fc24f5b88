package registries

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.podman.io/image/v5/docker/reference"
	dockerconfig "go.podman.io/image/v5/pkg/docker/config"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"

	"github.com/kubenode/kubenode/pkg/config"
)

// sysContext reads only the written files, as CRI-O is made to.
func sysContext(f Files) *types.SystemContext {
	return &types.SystemContext{
		SystemRegistriesConfPath:    f.Conf(),
		SystemRegistriesConfDirPath: f.ConfDir(),
		DockerPerHostCertDirPath:    f.CertsDir(),
		AuthFilePath:                f.AuthFile(),
		UserShortNameAliasConfPath:  f.ShortNameAliases(),
	}
}

type source struct {
	location string
	insecure bool
}

// pullSources is where containers/image tries to pull image from, in order.
func pullSources(t *testing.T, sys *types.SystemContext, image string) []source {
	t.Helper()
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := sysregistriesv2.FindRegistry(sys, ref.Name())
	if err != nil {
		t.Fatal(err)
	}
	if reg == nil {
		return []source{{location: reference.Domain(ref), insecure: false}}
	}
	srcs, err := reg.PullSourcesFromReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	var out []source
	for _, s := range srcs {
		out = append(out, source{s.Reference.String(), s.Endpoint.Insecure})
	}
	return out
}

// The k3s-style section means to containers/image what it means in k3s:
// mirrors in order and then the registry, plain HTTP for http://
// endpoints and insecure_skip_verify, per-host certificates and
// credentials.
func TestWriteMeansWhatK3sMeans(t *testing.T) {
	src := t.TempDir()
	for _, n := range []string{"ca.pem", "client.pem", "client-key.pem"} {
		if err := os.WriteFile(filepath.Join(src, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(t.TempDir(), "registries")
	// Leftovers of a previous start go.
	if err := os.MkdirAll(filepath.Join(dir, "certs.d", "old.example"), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := Write(dir, config.Registries{
		Mirrors: map[string]config.Mirror{
			"docker.io":            {Endpoint: []string{"https://m1.example:5000", "http://m2.example:5001/"}},
			"registry.lan:5001":    {Endpoint: []string{"http://registry.lan:5001"}},
			"secure.example":       {Endpoint: []string{"https://m3.example/v2"}},
			"selfsigned.example:1": {Endpoint: []string{"https://selfsigned.example:1"}},
		},
		Configs: map[string]config.RegistryConfig{
			"m1.example:5000": {
				Auth: config.RegistryAuth{Username: "puller", Password: "s3cret"},
				TLS: config.RegistryTLS{CAFile: filepath.Join(src, "ca.pem"),
					CertFile: filepath.Join(src, "client.pem"), KeyFile: filepath.Join(src, "client-key.pem")},
			},
			"m3.example":           {TLS: config.RegistryTLS{InsecureSkipVerify: true}},
			"other.example":        {Auth: config.RegistryAuth{Auth: "dTpw"}, TLS: config.RegistryTLS{InsecureSkipVerify: true}},
			"selfsigned.example:1": {TLS: config.RegistryTLS{InsecureSkipVerify: true}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sys := sysContext(f)
	for image, want := range map[string][]source{
		"busybox:1": { // a short name is docker.io's
			{"m1.example:5000/library/busybox:1", false},
			{"m2.example:5001/library/busybox:1", true},
			{"docker.io/library/busybox:1", false},
		},
		"registry.lan:5001/app:2":    {{"registry.lan:5001/app:2", true}},
		"secure.example/ns/app:3":    {{"m3.example/ns/app:3", true}, {"secure.example/ns/app:3", false}},
		"selfsigned.example:1/app:4": {{"selfsigned.example:1/app:4", true}},
		"other.example/app:5":        {{"other.example/app:5", true}},
		"quay.io/app:6":              {{"quay.io", false}}, // no entry: as containers/image does by default
	} {
		ref := image
		if image == "busybox:1" {
			ref = "docker.io/library/busybox:1"
			search, err := sysregistriesv2.UnqualifiedSearchRegistries(sys)
			if err != nil || !slices.Equal(search, []string{"docker.io"}) {
				t.Errorf("unqualified search registries: %v %v, want [docker.io]", search, err)
			}
		}
		if got := pullSources(t, sys, ref); !slices.Equal(got, want) {
			t.Errorf("%s: pull sources %v, want %v", image, got, want)
		}
	}

	for host, want := range map[string]string{"m1.example:5000": "puller:s3cret", "other.example": "u:p", "docker.io": ":"} {
		c, err := dockerconfig.GetCredentials(sys, host)
		if got := c.Username + ":" + c.Password; err != nil || got != want {
			t.Errorf("credentials of %s: %q %v, want %q", host, got, err, want)
		}
	}
	for name, want := range map[string]string{"ca.crt": "ca.pem", "client.cert": "client.pem", "client.key": "client-key.pem"} {
		b, err := os.ReadFile(filepath.Join(f.CertsDir(), "m1.example:5000", name))
		if err != nil || string(b) != want {
			t.Errorf("certs.d/m1.example:5000/%s: %q %v, want a copy of %s", name, b, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(f.CertsDir(), "old.example")); !os.IsNotExist(err) {
		t.Errorf("a previous start's certs.d/old.example is still there: %v", err)
	}
	if st, err := os.Stat(f.AuthFile()); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("auth file: %v, want mode 0600", err)
	}
}

// With no section, pulls go to the registries named, short names to
// docker.io, and no credentials come from anywhere else.
func TestWriteEmpty(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	home := os.Getenv("HOME")
	if err := os.MkdirAll(filepath.Join(home, ".docker"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".docker", "config.json"), []byte(`{"auths":{"docker.io":{"auth":"dTpw"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Write(filepath.Join(t.TempDir(), "r"), config.Registries{})
	if err != nil {
		t.Fatal(err)
	}
	sys := sysContext(f)
	if got := pullSources(t, sys, "docker.io/library/busybox:1"); len(got) != 1 || got[0].location != "docker.io" {
		t.Errorf("pull sources %v, want docker.io alone", got)
	}
	if c, err := dockerconfig.GetCredentials(sys, "docker.io"); err != nil || c.Username != "" {
		t.Errorf("credentials for docker.io %+v %v: the home dir's config.json was read", c, err)
	}
}
