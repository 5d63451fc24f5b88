// Package configs holds the files kubenode ships: the systemd unit and the
// example config, embedded so that `kubenode install` writes them.
package configs

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed kubenode.service
var serviceUnit string

//go:embed config.example.yaml
var ExampleConfig []byte

// Paths `kubenode install` writes, below its root.
const (
	BinaryPath    = "/usr/local/bin/kubenode"
	UnitPath      = "/etc/systemd/system/kubenode.service"
	ConfigPath    = "/etc/kubenode/config.yaml"
	JoinTokenPath = "/etc/kubenode/join-token"
)

// ServiceUnit returns the unit for role ("primary" or "worker"). A worker's
// reads its join token from JoinTokenPath (root only), never from the unit.
func ServiceUnit(role string) ([]byte, error) {
	var exec string
	switch role {
	case "primary":
		exec = BinaryPath + " primary --config " + ConfigPath
	case "worker":
		exec = BinaryPath + " worker --config " + ConfigPath + " --join-file " + JoinTokenPath
	default:
		return nil, fmt.Errorf("role %q: must be primary or worker", role)
	}
	const shipped = "ExecStart=" + BinaryPath + " primary --config " + ConfigPath + "\n"
	if !strings.Contains(serviceUnit, shipped) {
		return nil, fmt.Errorf("configs/kubenode.service has no line %q", strings.TrimSpace(shipped))
	}
	return []byte(strings.Replace(serviceUnit, shipped, "ExecStart="+exec+"\n", 1)), nil
}
