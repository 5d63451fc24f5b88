// Package configs holds the files kubenode ships; this test parses them.
package configs

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"

	"github.com/kubenode/kubenode/pkg/config"
)

func TestServiceUnit(t *testing.T) {
	f, err := os.Open("kubenode.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts, err := unit.DeserializeOptions(f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range opts {
		got[o.Section+"."+o.Name] = o.Value
	}
	// Type=notify because kubenode sends READY=1 only when every component
	// is ready; Restart=always because a dead component ends the process.
	for key, want := range map[string]string{
		"Service.Type":     "notify",
		"Service.Restart":  "always",
		"Service.Delegate": "yes",
		// Pods (conmon) survive a restart or an upgrade of kubenode.
		"Service.KillMode": "process",
		// kubenode shutdown's exit status (node.ExitShutdown) is final.
		"Service.RestartPreventExitStatus": "10",
		"Service.SuccessExitStatus":        "10",
		"Service.ExecStart":                "/usr/local/bin/kubenode primary --config /etc/kubenode/config.yaml",
		"Install.WantedBy":                 "multi-user.target",
	} {
		if got[key] != want {
			t.Errorf("%s = %q, want %q", key, got[key], want)
		}
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	data, err := os.ReadFile("config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := config.Parse(data)
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	if f.NodeIndex != 1 || f.Network.WireGuardPort != config.DefaultWireGuardPort || f.ClusterCIDRv4 != config.DefaultClusterCIDRv4 {
		t.Fatalf("example does not show the defaults: %+v", f)
	}
}

// The units install writes: the shipped one with the role's ExecStart, and
// no token in a worker's.
func TestServiceUnitPerRole(t *testing.T) {
	for role, exec := range map[string]string{
		"primary": "/usr/local/bin/kubenode primary --config /etc/kubenode/config.yaml",
		"worker":  "/usr/local/bin/kubenode worker --config /etc/kubenode/config.yaml --join-file /etc/kubenode/join-token",
	} {
		data, err := ServiceUnit(role)
		if err != nil {
			t.Fatal(err)
		}
		opts, err := unit.DeserializeOptions(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", role, err)
		}
		got := map[string]string{}
		for _, o := range opts {
			got[o.Section+"."+o.Name] = o.Value
		}
		if got["Service.ExecStart"] != exec || got["Service.Type"] != "notify" || got["Service.Delegate"] != "yes" {
			t.Errorf("%s unit: ExecStart %q, Type %q, Delegate %q", role, got["Service.ExecStart"], got["Service.Type"], got["Service.Delegate"])
		}
		if strings.Contains(string(data), "--join ") {
			t.Errorf("%s unit carries a token flag", role)
		}
	}
	if _, err := ServiceUnit("master"); err == nil {
		t.Error("an unknown role was accepted")
	}
}
