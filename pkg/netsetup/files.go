package netsetup

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/kubenode/kubenode/pkg/config"
)

// SocketDir is where wgkube's UAPI socket lives: where wgctrl and wg(8)
// look on a host with one node, apart from other nodes' when a node has a
// run directory of its own (see the package doc).
func SocketDir(cfg *config.Config) string {
	if filepath.Clean(cfg.RunDir) == config.DefaultRunDir {
		return StandardSocketDir
	}
	return filepath.Join(cfg.RunDir, "wireguard")
}

// StandardSocketDir is the only directory wgctrl and wg(8) search.
const StandardSocketDir = "/var/run/wireguard"

func stateDir(cfg *config.Config) string { return filepath.Join(cfg.RunDir, "network") }

// loadKey reads the private key; nil without error when there is none yet.
func loadKey(path string) (*wgtypes.Key, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wireguard key: %w", err)
	}
	k, err := wgtypes.ParseKey(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("wireguard key %s: not a WireGuard private key (%v); remove it to have a new one generated, and give peers the new public key", path, err)
	}
	return &k, nil
}

// ensureKey loads the private key, generating it at first start. It is
// written 0600 through a temporary file, so a crash never leaves half a key.
func ensureKey(path string) (*wgtypes.Key, bool, error) {
	if k, err := loadKey(path); err != nil || k != nil {
		return k, false, err
	}
	k, err := wgtypes.GeneratePrivateKey()
	if err != nil {
		return nil, false, fmt.Errorf("wireguard key: generate: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("wireguard key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".private.key-")
	if err != nil {
		return nil, false, fmt.Errorf("wireguard key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		_, err = tmp.WriteString(k.String() + "\n")
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
	}
	if err != nil {
		tmp.Close()
		return nil, false, fmt.Errorf("wireguard key: write %s: %w", path, err)
	}
	return &k, true, nil
}

// stateFile keeps the values global sysctls had before kubenode first
// changed them, so that Reset can put them back. It lives in the run
// directory: like the sysctls, it does not outlive a reboot.
type stateFile struct {
	path    string
	Sysctls map[string]string `json:"sysctls"`
	// BridgeMAC is the MAC address kubenode set on brkube explicitly.
	BridgeMAC string `json:"bridgeMAC,omitempty"`
}

func openState(cfg *config.Config) (*stateFile, error) {
	s := &stateFile{path: filepath.Join(stateDir(cfg), "state.json"), Sysctls: map[string]string{}}
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("network state: %w", err)
	}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("network state %s: %w; remove it (previous sysctl values are then forgotten)", s.path, err)
	}
	if s.Sysctls == nil {
		s.Sysctls = map[string]string{}
	}
	return s, nil
}

// recordSysctl remembers a sysctl's value before its first change; later
// changes keep the first value.
func (s *stateFile) recordSysctl(key, value string) error {
	if _, ok := s.Sysctls[key]; ok {
		return nil
	}
	s.Sysctls[key] = value
	return s.save()
}

func (s *stateFile) recordBridgeMAC(mac string) error {
	if s.BridgeMAC == mac {
		return nil
	}
	s.BridgeMAC = mac
	return s.save()
}

func (s *stateFile) save() error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("network state: %w", err)
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("network state: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("network state: %w", err)
	}
	return nil
}
