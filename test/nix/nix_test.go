// Package nix tests the NixOS module, the Nix package and the flake (nix/,
// flake.nix) without NixOS or Nixpkgs: Debian's nix-instantiate evaluates
// them with nixpkgs' lib (NIXPKGS_LIB) through nix/test/eval.nix, as NixOS
// would, and the results are checked against what kubenode ships and
// accepts (configs/kubenode.service, `kubenode config check`, the Makefile).
package nix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"

	"github.com/kubenode/kubenode/pkg/config"
)

// repo is the checkout's root.
var repo = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Clean(filepath.Join(wd, "../.."))
}()

// nixpkgsLib finds nixpkgs' lib folder. It fails, never skips: a missing
// lib would otherwise let CI pass without testing anything.
func nixpkgsLib(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NIXPKGS_LIB")
	if dir == "" {
		dir = filepath.Join(repo, "../shared/nixpkgs-lib/lib")
	}
	if _, err := os.Stat(filepath.Join(dir, "default.nix")); err != nil {
		t.Fatalf("nixpkgs' lib is not at %s (%v): set NIXPKGS_LIB to the lib folder of a nixpkgs checkout (the one with default.nix)", dir, err)
	}
	return dir
}

func nixInstantiate(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	bin, lerr := exec.LookPath("nix-instantiate")
	if lerr != nil {
		t.Fatalf("nix-instantiate not found (%v): install nix-bin (`make deps` does)", lerr)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = repo
	// No NIX_PATH or user config may change what is evaluated; Debian's
	// nix-bin has no nixbld group, which eval does not need.
	cmd.Env = append(os.Environ(), "NIX_PATH=", "NIX_CONFIG=build-users-group =")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// result is what nix/test/eval.nix returns.
type result struct {
	Unit           string
	ExecStart      string
	Path           []string
	PreStart       string
	ConfigYaml     string
	FlakePackage   string
	KernelModules  []string
	SystemPackages []string
	Warnings       []string
	Firewall       struct {
		AllowedTCPPorts   []int
		AllowedUDPPorts   []int
		Interfaces        map[string]struct{ AllowedTCPPorts, AllowedUDPPorts []int }
		ExtraCommands     string
		ExtraInputRules   string
		ExtraForwardRules string
	}
	SettingsOptions []string
	Package         struct {
		Tags, Ldflags, SubPackages, BuildInputs []string
		VendorHash                              *string
		PreBuild                                string
	}
}

// evaluate evaluates a NixOS configuration (a module, as Nix text) of
// services.kubenode; the error carries nix-instantiate's stderr.
func evaluate(t *testing.T, configuration string, extra ...string) (*result, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "configuration.nix")
	if err := os.WriteFile(f, []byte(configuration), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--eval", "--strict", "--json", "nix/test/eval.nix",
		"--arg", "lib", "import " + nixpkgsLib(t), "--argstr", "configuration", f}, extra...)
	out, stderr, err := nixInstantiate(t, args...)
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr)
	}
	var r result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("eval.nix output: %v\n%s", err, out)
	}
	return &r, nil
}

func mustEvaluate(t *testing.T, configuration string, extra ...string) *result {
	t.Helper()
	r, err := evaluate(t, configuration, extra...)
	if err != nil {
		t.Fatalf("evaluation failed:\n%v\nconfiguration:\n%s", err, configuration)
	}
	return r
}

const primaryConfig = `{ ... }: {
  services.kubenode = {
    enable = true;
    role = "primary";
    openFirewall = true;
    settings = {
      nodeIPs = [ "192.168.1.10" "2001:db8::10" ];
      clusterDomain = "cluster.example";
      apiPort = 7443;
      network.wireguardPort = 51000;
      network.peers = [ { index = 2; publicKey = "TPB2lwnWPjjAZ1Pnn5A6sdhGAePztE5VlbQ/RmU89w4="; endpoint = "192.168.1.11"; } ];
      runtime.primaryTaint = "never";
      registries.mirrors."docker.io".endpoint = [ "https://mirror.example:5000" ];
      registries.configs."mirror.example:5000".tls.ca_file = "/etc/kubenode/registry-ca.crt";
    };
    manifests.apps = { apiVersion = "v1"; kind = "Namespace"; metadata.name = "apps"; };
  };
}
`

const workerConfig = `{ ... }: {
  services.kubenode = {
    enable = true;
    role = "worker";
    joinTokenFile = "/run/secrets/kubenode-join";
    openFirewall = true;
    primaryAddresses = [ "192.168.1.10" "2001:db8::10" ];
    settings.nodeIPs = [ "192.168.1.11" ];
  };
}
`

var storeBin = regexp.MustCompile(`^/nix/store/[0-9a-z]{32}-[^/ ]+/bin/kubenode$`)

func TestPrimaryAndWorkerEvaluate(t *testing.T) {
	p := mustEvaluate(t, primaryConfig)
	w := mustEvaluate(t, workerConfig)
	for _, c := range []struct {
		name string
		r    *result
		args string
	}{
		{"primary", p, " primary --config /etc/kubenode/config.yaml"},
		{"worker", w, " worker --config /etc/kubenode/config.yaml --join-file /run/secrets/kubenode-join"},
	} {
		bin, args, _ := strings.Cut(c.r.ExecStart, " ")
		if !storeBin.MatchString(bin) || " "+args != c.args {
			t.Errorf("%s: ExecStart %q, want <store path>/bin/kubenode%s", c.name, c.r.ExecStart, c.args)
		}
		if !slices.Contains(c.r.SystemPackages, strings.TrimSuffix(bin, "/bin/kubenode")) {
			t.Errorf("%s: the package is not in environment.systemPackages: %v", c.name, c.r.SystemPackages)
		}
		// It loads no WireGuard module by force: userspace is the fallback.
		if len(c.r.KernelModules) > 0 {
			t.Errorf("%s: boot.kernelModules = %v", c.name, c.r.KernelModules)
		}
		if len(c.r.Warnings) > 0 {
			t.Errorf("%s: warnings %v", c.name, c.r.Warnings)
		}
	}
	// Without openFirewall nothing is open to other hosts.
	closed := mustEvaluate(t, strings.Replace(primaryConfig, "openFirewall = true;", "", 1))
	if len(closed.Firewall.AllowedTCPPorts)+len(closed.Firewall.AllowedUDPPorts) > 0 || closed.Firewall.ExtraInputRules != "" {
		t.Errorf("openFirewall unset: firewall %+v", closed.Firewall)
	}
}

// The flake's nixosModules.default evaluates with the flake's own package.
func TestFlake(t *testing.T) {
	r := mustEvaluate(t, primaryConfig, "--arg", "useFlake", "true")
	if r.FlakePackage != "kubenode-0123abc" {
		t.Errorf("packages.x86_64-linux.default is %q, want kubenode-<the flake's shortRev>", r.FlakePackage)
	}
	if !strings.Contains(r.ExecStart, "-kubenode-0123abc/bin/kubenode primary") {
		t.Errorf("nixosModules.default runs %q, not the flake's package", r.ExecStart)
	}
}

func unitOptions(t *testing.T, text string) map[string][]string {
	t.Helper()
	opts, err := unit.DeserializeOptions(strings.NewReader(text))
	if err != nil {
		t.Fatalf("unit does not parse: %v\n%s", err, text)
	}
	m := map[string][]string{}
	for _, o := range opts {
		k := o.Section + "." + o.Name
		m[k] = append(m[k], o.Value)
	}
	return m
}

// The generated unit has every directive of configs/kubenode.service, with
// the same value; ExecStart differs only in where the binary is.
func TestUnitMatchesShippedUnit(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repo, "configs/kubenode.service"))
	if err != nil {
		t.Fatal(err)
	}
	shipped := unitOptions(t, string(data))
	if len(shipped) < 15 {
		t.Fatalf("configs/kubenode.service has only %d directives", len(shipped))
	}
	r := mustEvaluate(t, primaryConfig)
	got := unitOptions(t, r.Unit)
	for k, want := range shipped {
		if k == "Service.ExecStart" {
			bin, args, _ := strings.Cut(got[k][0], " ")
			_, wantArgs, _ := strings.Cut(want[0], " ")
			if len(got[k]) != 1 || !storeBin.MatchString(bin) || args != wantArgs {
				t.Errorf("ExecStart %q, want <store path>/bin/kubenode %s", got[k], wantArgs)
			}
			continue
		}
		if !slices.Equal(got[k], want) {
			t.Errorf("%s = %q, want %q (configs/kubenode.service)", k, got[k], want)
		}
	}

	// Host binaries come from packages: PATH, and the runtime paths in
	// config.yaml, never /usr.
	var path string
	for _, e := range got["Service.Environment"] {
		if p, ok := strings.CutPrefix(strings.Trim(e, `"`), "PATH="); ok {
			path = p
		}
	}
	dirs := strings.Split(path, ":")
	for _, pkg := range []string{"runc", "conmon", "nftables", "iproute2", "util-linux", "iptables"} {
		if !slices.ContainsFunc(dirs, func(d string) bool { return strings.HasSuffix(d, "-"+pkg+"/bin") }) {
			t.Errorf("unit PATH lacks %s: %s", pkg, path)
		}
	}
	if strings.Contains(path, "/usr/") || strings.Contains(r.ConfigYaml, "/usr/") {
		t.Errorf("/usr in PATH %s or config %s", path, r.ConfigYaml)
	}
	var f config.File
	if err := json.Unmarshal([]byte(r.ConfigYaml), &f); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{"runc": f.Runtime.RuncPath, "conmon": f.Runtime.ConmonPath, "cni-plugins": f.Runtime.CNIPluginDir} {
		if !regexp.MustCompile(`^/nix/store/[0-9a-z]{32}-` + name + `/bin(/` + name + `)?$`).MatchString(v) {
			t.Errorf("config.yaml: %s at %q, want it from the %s package", name, v, name)
		}
	}

	// Pods keep running by default: conmon must outlive a restart (the
	// shipped unit's comment), so KillMode=process; with keepPodsRunning
	// false kubenode stops them itself and mixed kills what is left.
	if km := got["Service.KillMode"]; !slices.Equal(km, []string{"process"}) {
		t.Errorf("default: KillMode %q, want process", km)
	}
	stop := mustEvaluate(t, strings.Replace(primaryConfig, `runtime.primaryTaint = "never";`, `runtime.keepPodsRunning = false;`, 1))
	if km := unitOptions(t, stop.Unit)["Service.KillMode"]; !slices.Equal(km, []string{"mixed"}) {
		t.Errorf("keepPodsRunning = false: KillMode %q, want mixed", km)
	}
}

func kubenodeBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("KUBENODE_BIN")
	if bin == "" {
		bin = filepath.Join(repo, "bin/kubenode")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("kubenode binary: %v (run `make build`, or set KUBENODE_BIN)", err)
	}
	return bin
}

func configCheck(t *testing.T, yaml string) (string, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kubenodeBin(t), "config", "check", "--offline", f).CombinedOutput()
	return string(out), err
}

// The config.yaml the module writes is one kubenode accepts. Offline: the
// node IPs are this test's, not this machine's.
func TestConfigPassesCheck(t *testing.T) {
	for name, conf := range map[string]string{"primary": primaryConfig, "worker": workerConfig} {
		r := mustEvaluate(t, conf)
		if out, err := configCheck(t, r.ConfigYaml); err != nil || !strings.Contains(out, ": ok") {
			t.Errorf("%s: kubenode config check: %v\n%s\nconfig.yaml: %s", name, err, out, r.ConfigYaml)
		}
	}
	r := mustEvaluate(t, primaryConfig)
	for _, want := range []string{`"clusterDomain":"cluster.example"`, `"apiPort":7443`, `"wireguardPort":51000`, `"primaryTaint":"never"`, `"index":2`,
		`"mirrors":{"docker.io":{"endpoint":["https://mirror.example:5000"]}}`, `"configs":{"mirror.example:5000":{"tls":{"ca_file":"/etc/kubenode/registry-ca.crt"}}}`} {
		if !strings.Contains(r.ConfigYaml, want) {
			t.Errorf("config.yaml lacks %s: %s", want, r.ConfigYaml)
		}
	}
	if strings.Contains(r.ConfigYaml, "null") || strings.Contains(r.ConfigYaml, "_module") {
		t.Errorf("config.yaml carries unset fields: %s", r.ConfigYaml)
	}
	// What Nix's option types let through, kubenode's own check does not:
	// the check is real, and names every problem.
	bad := mustEvaluate(t, strings.NewReplacer(`apiPort = 7443;`, `apiPort = 10250;`, `"cluster.example"`, `"cluster_example"`,
		`"https://mirror.example:5000"`, `"mirror.example:5000"`).Replace(primaryConfig))
	out, err := configCheck(t, bad.ConfigYaml)
	if err == nil || !strings.Contains(out, "apiPort 10250: the kubelet API listens there") || !strings.Contains(out, `clusterDomain "cluster_example": not a DNS domain name`) ||
		!strings.Contains(out, `registries.mirrors["docker.io"].endpoint[0] "mirror.example:5000": must start with https:// or http://`) {
		t.Errorf("config check of a bad config.yaml: %v\n%s", err, out)
	}
}

// Mistakes fail evaluation with a message that names them.
func TestBadConfigurationsFail(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "join")
	if err := os.WriteFile(secret, []byte("kn1.secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, configuration string
		want                []string
	}{
		{"worker without joinTokenFile",
			strings.Replace(workerConfig, `joinTokenFile = "/run/secrets/kubenode-join";`, "", 1),
			[]string{"Failed assertions", `services.kubenode.joinTokenFile must be set for a worker (role = "worker")`}},
		{"unknown role",
			strings.Replace(primaryConfig, `role = "primary";`, `role = "wroker";`, 1),
			[]string{"services.kubenode.role", `"wroker"`, `one of "primary", "worker"`}},
		{"settings typo",
			strings.Replace(primaryConfig, `clusterDomain =`, `clusterDomian =`, 1),
			[]string{"services.kubenode.settings.clusterDomian' does not exist"}},
		{"nested settings typo",
			strings.Replace(primaryConfig, `runtime.primaryTaint = "never";`, `runtime.runcPth = "/bin/runc";`, 1),
			[]string{"services.kubenode.settings.runtime.runcPth' does not exist"}},
		{"bad settings value",
			strings.Replace(primaryConfig, `runtime.primaryTaint = "never";`, `runtime.primaryTaint = "sometimes";`, 1),
			[]string{"services.kubenode.settings.runtime.primaryTaint", `"sometimes"`}},
		{"join token as a Nix path (copied into the store)",
			strings.Replace(workerConfig, `"/run/secrets/kubenode-join"`, secret, 1),
			[]string{"services.kubenode.joinTokenFile", "absolute path outside the Nix store, as a string"}},
		{"join token in the store",
			strings.Replace(workerConfig, `"/run/secrets/kubenode-join"`, `"/nix/store/00000000000000000000000000000000-join"`, 1),
			[]string{"services.kubenode.joinTokenFile", "absolute path outside the Nix store"}},
		{"join token on a primary",
			strings.Replace(primaryConfig, `role = "primary";`, `role = "primary"; joinTokenFile = "/run/secrets/j";`, 1),
			[]string{`services.kubenode.joinTokenFile is set, but role is "primary"`}},
		{"worker firewall without the primary's address",
			strings.Replace(workerConfig, `primaryAddresses = [ "192.168.1.10" "2001:db8::10" ];`, "", 1),
			[]string{"services.kubenode.openFirewall on a worker", "services.kubenode.primaryAddresses"}},
		{"manifests on a worker",
			strings.Replace(workerConfig, `openFirewall = true;`, `openFirewall = true; manifests.web = "kind: List";`, 1),
			[]string{"services.kubenode.manifests (web) are applied by the primary only"}},
		{"image that is no archive",
			strings.Replace(primaryConfig, `openFirewall = true;`, `openFirewall = true; images = [ "/srv/images/web.img" ];`, 1),
			[]string{"services.kubenode.images: web.img is not an image archive"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := evaluate(t, c.configuration)
			if err == nil {
				t.Fatalf("evaluation passed:\n%s", c.configuration)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "kn1.secret") {
				t.Errorf("the token file's content reached the evaluation:\n%v", err)
			}
		})
	}
}

func TestFirewall(t *testing.T) {
	p := mustEvaluate(t, primaryConfig)
	if !slices.Equal(p.Firewall.AllowedTCPPorts, []int{7443}) || !slices.Equal(p.Firewall.AllowedUDPPorts, []int{51000}) {
		t.Errorf("primary: TCP %v UDP %v, want the API port 7443 and WireGuard 51000", p.Firewall.AllowedTCPPorts, p.Firewall.AllowedUDPPorts)
	}
	if p.Firewall.ExtraInputRules != "" || p.Firewall.ExtraCommands != "" {
		t.Errorf("primary: kubelet rules %q %q", p.Firewall.ExtraInputRules, p.Firewall.ExtraCommands)
	}
	br := p.Firewall.Interfaces["brkube"]
	if !slices.Equal(br.AllowedUDPPorts, []int{53}) || !slices.Equal(br.AllowedTCPPorts, []int{53}) {
		t.Errorf("pods' DNS on brkube: %+v", br)
	}

	// A worker: WireGuard, no API, the kubelet from the primary only, in
	// the language of the firewall in use.
	w := mustEvaluate(t, workerConfig)
	if len(w.Firewall.AllowedTCPPorts) != 0 || !slices.Equal(w.Firewall.AllowedUDPPorts, []int{51820}) {
		t.Errorf("worker: TCP %v UDP %v", w.Firewall.AllowedTCPPorts, w.Firewall.AllowedUDPPorts)
	}
	wantIpt := "iptables -A nixos-fw -p tcp -s 192.168.1.10 --dport 10250 -j nixos-fw-accept\nip6tables -A nixos-fw -p tcp -s 2001:db8::10 --dport 10250 -j nixos-fw-accept\n"
	if w.Firewall.ExtraCommands != wantIpt || w.Firewall.ExtraInputRules != "" {
		t.Errorf("worker, iptables: extraCommands %q, extraInputRules %q", w.Firewall.ExtraCommands, w.Firewall.ExtraInputRules)
	}
	wn := mustEvaluate(t, strings.Replace(workerConfig, "enable = true;", "enable = true; }; networking.nftables.enable = true; services.kubenode = {", 1))
	wantNft := "ip saddr { 192.168.1.10 } tcp dport 10250 accept\nip6 saddr { 2001:db8::10 } tcp dport 10250 accept\n"
	if wn.Firewall.ExtraInputRules != wantNft || wn.Firewall.ExtraCommands != "" {
		t.Errorf("worker, nftables: extraInputRules %q, extraCommands %q", wn.Firewall.ExtraInputRules, wn.Firewall.ExtraCommands)
	}
	// firewalld: no rule of the module's, and a warning saying so.
	wf := mustEvaluate(t, strings.Replace(workerConfig, "enable = true;", `enable = true; }; networking.firewall.backend = "firewalld"; services.kubenode = {`, 1))
	if wf.Firewall.ExtraInputRules != "" || wf.Firewall.ExtraCommands != "" ||
		len(wf.Warnings) != 1 || !strings.Contains(wf.Warnings[0], "firewalld firewall backend gets no rule for the kubelet port (10250) from the primary; open it yourself, from 192.168.1.10, 2001:db8::10 only") {
		t.Errorf("worker, firewalld: %q %q, warnings %q", wf.Firewall.ExtraInputRules, wf.Firewall.ExtraCommands, wf.Warnings)
	}
	// The primary's address defaults to its static peer entry.
	wp := mustEvaluate(t, strings.Replace(workerConfig, `primaryAddresses = [ "192.168.1.10" "2001:db8::10" ];`,
		`settings.network.peers = [ { index = 1; publicKey = "pHEYIfgWiJEgnR8zKYGnWlbZbQZ0xb5eEyzVSpzz3BM="; endpoint = "[2001:db8::10]:51820"; } ];`, 1))
	if wp.Firewall.ExtraCommands != "ip6tables -A nixos-fw -p tcp -s 2001:db8::10 --dport 10250 -j nixos-fw-accept\n" {
		t.Errorf("primary from peers: %q", wp.Firewall.ExtraCommands)
	}
}

// The module's settings are exactly config.yaml's fields (pkg/config.File),
// so a field added in Go and not in Nix (or the other way) fails here.
func TestSettingsMatchConfigFile(t *testing.T) {
	var want []string
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			ft := typ.Field(i).Type
			switch {
			case prefix == "" && (name == "apiVersion" || name == "kind"):
				// The module writes these itself.
			case ft.Kind() == reflect.Struct:
				walk(prefix+name+".", ft)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				want = append(want, prefix+name)
				walk(prefix+name+"[].", ft.Elem())
			default:
				want = append(want, prefix+name)
			}
		}
	}
	walk("", reflect.TypeOf(config.File{}))
	got := mustEvaluate(t, primaryConfig).SettingsOptions
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("services.kubenode.settings has %v,\npkg/config.File has %v", got, want)
	}
}

// preStart links images and manifests into kubenode's dirs: stale links of
// the module go, the operator's own files stay.
func TestPreStartLinks(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	src := t.TempDir()
	archive, manifest := filepath.Join(src, "web.tar"), filepath.Join(src, "web.yaml")
	for _, f := range []string{archive, manifest} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := strings.Replace(primaryConfig, "openFirewall = true;", fmt.Sprintf(`openFirewall = true;
    settings.dataDir = %q;
    images = [ %q ];
    manifests.web = %q;`, data, archive, manifest), 1)
	r := mustEvaluate(t, conf)
	images, manifests := filepath.Join(data, "images"), filepath.Join(data, "manifests")
	if err := os.MkdirAll(images, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ path, target string }{
		{filepath.Join(images, "nixos-old.tar"), "/nix/store/gone-old.tar"},
		{filepath.Join(images, "mine.tar"), archive},
	} {
		if err := os.Symlink(f.target, f.path); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(t.TempDir(), "pre-start")
	if err := os.WriteFile(script, []byte(r.PreStart), 0o755); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run changes nothing
		if out, err := exec.Command("bash", script).CombinedOutput(); err != nil {
			t.Fatalf("preStart: %v\n%s\n%s", err, out, r.PreStart)
		}
	}
	links := func(dir string) map[string]string {
		m := map[string]string{}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			target, _ := os.Readlink(filepath.Join(dir, e.Name()))
			m[e.Name()] = target
		}
		return m
	}
	wantImages := map[string]string{"mine.tar": archive, "nixos-web.tar": archive}
	if got := links(images); !reflect.DeepEqual(got, wantImages) {
		t.Errorf("images dir %v, want %v", got, wantImages)
	}
	m := links(manifests)
	if len(m) != 2 || m["nixos-web.yaml"] != manifest || !regexp.MustCompile(`^/nix/store/[0-9a-z]{32}-kubenode-manifest-apps\.yaml$`).MatchString(m["nixos-apps.yaml"]) {
		t.Errorf("manifests dir %v", m)
	}
	if st, err := os.Stat(data); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data dir made by preStart: %v %v, want 0700", st.Mode(), err)
	}

	// Without images and manifests the module's links go, the rest stays.
	bare := strings.Replace(primaryConfig, `manifests.apps = { apiVersion = "v1"; kind = "Namespace"; metadata.name = "apps"; };`, "", 1)
	r = mustEvaluate(t, strings.Replace(bare, "openFirewall = true;", fmt.Sprintf("settings.dataDir = %q;", data), 1))
	if err := os.WriteFile(script, []byte(r.PreStart), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", script).CombinedOutput(); err != nil {
		t.Fatalf("preStart: %v\n%s", err, out)
	}
	if got := links(images); !reflect.DeepEqual(got, map[string]string{"mine.tar": archive}) {
		t.Errorf("images dir after removing the image: %v", got)
	}
	if got := links(manifests); len(got) != 0 {
		t.Errorf("manifests dir after removing the manifests: %v", got)
	}
}

// The Nix package builds with the Makefile's Go tags and linker flags, the
// committed vendor/, and the embedded pause and pinns built first.
func TestPackageMatchesMakefile(t *testing.T) {
	out, err := exec.Command("make", "-s", "-C", repo, "print-build-flags", "VERSION=v0.0.0-test").Output()
	if err != nil {
		t.Fatalf("make print-build-flags: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		t.Fatalf("make print-build-flags: %q", out)
	}
	p := mustEvaluate(t, primaryConfig).Package
	if got, want := strings.Join(p.Tags, " "), lines[0]; got != want {
		t.Errorf("tags %q, Makefile %q", got, want)
	}
	if got, want := strings.Join(p.Ldflags, " "), lines[1]; got != want {
		t.Errorf("ldflags %q,\nMakefile %q", got, want)
	}
	if p.VendorHash != nil || !slices.Equal(p.SubPackages, []string{"cmd/kubenode"}) {
		t.Errorf("vendorHash %v (want null: vendor/), subPackages %v", p.VendorHash, p.SubPackages)
	}
	for _, want := range []string{"-o pkg/images/pause/pause pkg/images/pause/pause.c", "-static", "-o pkg/components/crio/pinns/pinns /nix/store/"} {
		if !strings.Contains(p.PreBuild, want) {
			t.Errorf("preBuild lacks %q:\n%s", want, p.PreBuild)
		}
	}
	if !slices.ContainsFunc(p.BuildInputs, func(s string) bool { return strings.HasSuffix(s, "-glibc-static") }) {
		t.Errorf("buildInputs %v: no static glibc for -extldflags -static", p.BuildInputs)
	}
}

func TestNixFilesParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repo, "nix/*.nix"))
	more, _ := filepath.Glob(filepath.Join(repo, "nix/test/*.nix"))
	files = append(append(files, more...), filepath.Join(repo, "flake.nix"))
	for _, want := range []string{"nix/package.nix", "nix/module.nix", "flake.nix"} {
		if !slices.Contains(files, filepath.Join(repo, want)) {
			t.Errorf("%s is missing", want)
		}
	}
	for _, f := range files {
		if _, stderr, err := nixInstantiate(t, "--parse", f); err != nil {
			t.Errorf("nix-instantiate --parse %s: %v\n%s", f, err, stderr)
		}
	}
}
