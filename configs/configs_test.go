// Package configs holds the files kubenode ships; this test parses them.
package configs

import (
	"os"
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
		"Service.Type":      "notify",
		"Service.Restart":   "always",
		"Service.Delegate":  "yes",
		"Service.ExecStart": "/usr/local/bin/kubenode primary --config /etc/kubenode/config.yaml",
		"Install.WantedBy":  "multi-user.target",
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
