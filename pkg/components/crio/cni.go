package crio

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/kubenode/kubenode/pkg/fsutil"
)

// CNI describes the pod network: pods are veths on the node's bridge with
// addresses from its node CIDRs.
type CNI struct {
	// Bridge is the host bridge pods attach to (brkube); the network phase
	// made it and holds the gateway addresses.
	Bridge string
	// Subnets are the node's pod CIDRs (one per family).
	Subnets []netip.Prefix
	// MTU of pod interfaces, read at Start: the network phase knows it
	// only once it has applied.
	MTU func() int
	// IPAMDir holds host-local's address leases. Leases live as long as the
	// pods, which do not survive a reboot: a run dir.
	IPAMDir string
}

const cniNetworkName = "kubenode"

// conflist renders the CNI configuration: bridge with host-local IPAM and
// portmap for hostPort. Gateways are the first address of each subnet, the
// host's address on the bridge; the bridge plugin must not manage them
// (isGateway false), the network phase does.
func (c *CNI) conflist() ([]byte, error) {
	mtu := 0
	if c.MTU != nil {
		mtu = c.MTU()
	}
	if mtu == 0 {
		return nil, fmt.Errorf("crio: pod MTU unknown (the network phase has not applied)")
	}
	var ranges [][]map[string]string
	var routes []map[string]string
	for _, p := range c.Subnets {
		gw := p.Masked().Addr().Next()
		ranges = append(ranges, []map[string]string{{"subnet": p.Masked().String(), "gateway": gw.String()}})
		dst := "0.0.0.0/0"
		if p.Addr().Is6() {
			dst = "::/0"
		}
		routes = append(routes, map[string]string{"dst": dst, "gw": gw.String()})
	}
	conf := map[string]any{
		"cniVersion": "1.0.0",
		"name":       cniNetworkName,
		"plugins": []any{
			map[string]any{
				"type":        "bridge",
				"bridge":      c.Bridge,
				"isGateway":   false,
				"ipMasq":      false, // the network phase masquerades only traffic leaving the cluster
				"hairpinMode": true,  // a pod reaches itself through its Service IP
				"mtu":         mtu,
				"ipam": map[string]any{
					"type":    "host-local",
					"dataDir": c.IPAMDir,
					"ranges":  ranges,
					"routes":  routes,
				},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	return json.MarshalIndent(conf, "", "  ")
}

// write puts the conflist into dir, the only file there (CRI-O picks the
// first), atomically so CRI-O's watcher never reads half a file.
func (c *CNI) write(dir string) error {
	data, err := c.conflist()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "10-kubenode.conflist")
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	if err := fsutil.WriteFileAtomic(path, data, 0o644, 0o755); err != nil {
		return fmt.Errorf("crio: write CNI config: %w", err)
	}
	return nil
}
