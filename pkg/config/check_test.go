package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func errStrings(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// A strict decoder stops at the first unknown field; Parse names them all,
// with their paths, and values of the wrong kind too.
func TestParseNamesEveryProblem(t *testing.T) {
	_, err := Parse([]byte(`nodeIdx: 2
apiPort: "6443"
network:
  mtuu: 1400
  wireguardPort: yes
  peers:
  - {index: 2, publicKey: k, endpoint: e, weight: 3}
runtime:
  keepPodsRunning: 1
  dnsUpstreams: 192.0.2.53
frobnicate: true
`))
	if err == nil {
		t.Fatal("no error")
	}
	got := errStrings(Problems(err))
	want := []string{
		`unknown field "nodeIdx" (did you mean nodeIndex?)`,
		`apiPort: must be a whole number, not the string "6443"`,
		`network: unknown field "mtuu" (did you mean mtu?)`,
		`network.wireguardPort: must be a whole number, not the boolean true`,
		`network.peers[0]: unknown field "weight" (fields here: index, publicKey, endpoint)`,
		`runtime.keepPodsRunning: must be true or false, not the number 1`,
		`runtime.dnsUpstreams: must be a list, not the string "192.0.2.53"`,
		`unknown field "frobnicate" (fields here: apiVersion, kind, nodeIndex, nodeIPs, dataDir`,
	}
	if len(got) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, w)
		}
		if !found {
			t.Errorf("no problem says %q; got:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	good := writeConfig(t, "nodeIPs: [192.168.1.10]\nruntime:\n  runcPath: /nix/store/x-runc/bin/runc\n")
	c, errs := Check(good, nil, lanHost)
	if len(errs) > 0 || c.Runtime.RuncPath != "/nix/store/x-runc/bin/runc" {
		t.Fatalf("good config: %v, %+v", errs, c)
	}

	// Every semantic problem, one error each, as primary reports them.
	bad := writeConfig(t, "apiPort: 70000\nnodeIndex: 256\nipFamily: both\nruntime:\n  cniPluginDir: cni\n")
	_, errs = Check(bad, nil, lanHost)
	got := errStrings(errs)
	for _, w := range []string{"apiPort 70000", "nodeIndex 256", `ipFamily "both"`, `runtime.cniPluginDir "cni"`} {
		if !strings.Contains(strings.Join(got, "\n"), w) {
			t.Errorf("no problem names %q; got %q", w, got)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d problems, want 4, one a line: %q", len(got), got)
	}

	// The node flags apply over the file, as at start.
	_, errs = Check(good, func(f *File) { f.NodeIPs = []string{"192.0.2.99"} }, lanHost)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "192.0.2.99 is not an address of this host") {
		t.Fatalf("override: %q", errStrings(errs))
	}
	// Offline: a config for another machine passes; its own mistakes do not.
	other := writeConfig(t, "nodeIPs: [192.0.2.99]\n")
	if _, errs := Check(other, nil, lanHost); len(errs) == 0 {
		t.Fatal("node IP of another host passed the check against this one")
	}
	c, errs = Check(other, nil, nil)
	if len(errs) > 0 || len(c.NodeIPs) != 1 {
		t.Fatalf("offline: %q, node IPs %v", errStrings(errs), c.NodeIPs)
	}
	if _, errs := Check(writeConfig(t, "nodeIPs: [10.88.3.3]\n"), nil, nil); len(errs) != 1 || !strings.Contains(errs[0].Error(), "inside the cluster range") {
		t.Fatalf("offline overlap: %q", errStrings(errs))
	}
	if _, errs := Check(writeConfig(t, ""), nil, nil); len(errs) > 0 {
		t.Fatalf("empty file offline (default route at start): %q", errStrings(errs))
	}

	if _, errs := Check(filepath.Join(t.TempDir(), "missing.yaml"), nil, lanHost); len(errs) != 1 || !strings.Contains(errs[0].Error(), "no such file") {
		t.Fatalf("missing file: %q", errStrings(errs))
	}
	_, errs = Check(writeConfig(t, "nodeIdx: 1\nnetwork: {mtuu: 1}\n"), nil, lanHost)
	if len(errs) != 2 {
		t.Fatalf("unknown fields: %q, want both", errStrings(errs))
	}
}

// ReadFile names the file in every problem, each on its own line.
func TestReadFileNamesTheFile(t *testing.T) {
	p := writeConfig(t, "nodeIdx: 1\nrunDirr: /run/x\n")
	_, err := ReadFile(p, true)
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{p + `: unknown field "nodeIdx"`, "\n" + p + `: unknown field "runDirr" (did you mean runDir?)`, "configs/config.example.yaml"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}
