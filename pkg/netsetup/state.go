package netsetup

import (
	"net/netip"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// State is what the host has now of what kubenode manages; Host.Observe
// reads it.
type State struct {
	Links     map[string]*LinkState // kubenode's links that exist, by name
	Sysctls   map[string]string     // by key; missing when the entry does not exist
	Routes    []Route               // non-kernel routes on wgkube in the main table
	WireGuard *WireGuardState       // nil when no WireGuard device answers for wgkube
	Table     *TableState           // nil when the table does not exist
	Now       time.Time
	// BridgeMACKept: kubenode has set brkube's MAC address explicitly
	// (recorded in its state file), so the kernel no longer changes it.
	BridgeMACKept bool
}

// LinkState is one link as the kernel reports it.
type LinkState struct {
	Name    string
	Kind    string // netlink's kind: "bridge", "wireguard", "tuntap", ...
	MTU     int
	MAC     string
	Up      bool
	Carrier bool
	Addrs   []netip.Prefix
}

// WireGuardState is wgkube as wgctrl reports it.
type WireGuardState struct {
	Mode       Mode
	PublicKey  wgtypes.Key
	ListenPort int
	Peers      []PeerState
	// Socket and Holder are the UAPI socket and the pid of the process that
	// serves it, for a userspace device.
	Socket string
	Holder int
	// Helper: Holder is this node's WireGuard helper process, which the
	// node may adopt and reset may stop.
	Helper bool
}

// PeerState is one peer of wgkube.
type PeerState struct {
	PublicKey     wgtypes.Key
	Endpoint      netip.AddrPort
	AllowedIPs    []netip.Prefix
	Keepalive     time.Duration
	LastHandshake time.Time
	ReceiveBytes  int64
	TransmitBytes int64
}

// roamWindow: a peer that completed a handshake this recently from another
// address has roamed (NAT, new address); WireGuard follows it, and so does
// the diff rather than pulling the endpoint back.
const roamWindow = 3 * time.Minute
