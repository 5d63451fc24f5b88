package netsetup

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Status is the live state with the plan computed against it.
type Status struct {
	Plan  *Plan
	State *State
	// Against names where the plan's peers came from, for the last line
	// ("" means the config).
	Against string
}

// String prints the live state for `kubenode network show`.
func (s *Status) String() string {
	var b strings.Builder
	st, spec := s.State, s.Plan.Spec
	index := map[wgtypes.Key]int{}
	for _, p := range spec.WireGuard.Peers {
		index[p.PublicKey] = p.Index
	}

	link := func(name string) *LinkState {
		l := st.Links[name]
		if l == nil {
			fmt.Fprintf(&b, "%s: absent\n", name)
			return nil
		}
		fmt.Fprintf(&b, "%s: %s, mtu %d, %s", name, l.Kind, l.MTU, upDown(l.Up))
		if l.Up && !l.Carrier {
			b.WriteString(", no carrier")
		}
		b.WriteString("\n")
		if len(l.Addrs) > 0 {
			fmt.Fprintf(&b, "  addresses: %s\n", joinPrefixes(l.Addrs))
		}
		return l
	}

	if link(WireGuardName) != nil {
		if wg := st.WireGuard; wg == nil {
			b.WriteString("  no WireGuard device answers for it\n")
		} else {
			fmt.Fprintf(&b, "  mode: %s", wg.Mode)
			if wg.Mode == ModeUserspace {
				fmt.Fprintf(&b, " (wireguard-go; socket %s", wg.Socket)
				if wg.Holder != 0 {
					fmt.Fprintf(&b, ", held by pid %d", wg.Holder)
					if wg.Helper {
						fmt.Fprintf(&b, ", kubenode %s", HelperCommand)
					}
				}
				b.WriteString(")")
			}
			fmt.Fprintf(&b, "\n  public key: %s\n  listen port: %d\n", keyOrPending(wg.PublicKey, "none set"), wg.ListenPort)
			peers := slices.Clone(wg.Peers)
			slices.SortFunc(peers, func(x, y PeerState) int { return index[x.PublicKey] - index[y.PublicKey] })
			for _, p := range peers {
				name := "peer (not in the config)"
				if i, ok := index[p.PublicKey]; ok {
					name = fmt.Sprintf("peer %d", i)
				}
				fmt.Fprintf(&b, "  %s %s\n", name, p.PublicKey)
				fmt.Fprintf(&b, "    endpoint: %s\n", fmtEndpoint(p.Endpoint))
				fmt.Fprintf(&b, "    allowed ips: %s\n", orNone(joinPrefixes(p.AllowedIPs)))
				if p.LastHandshake.IsZero() {
					b.WriteString("    latest handshake: never\n")
				} else {
					fmt.Fprintf(&b, "    latest handshake: %s ago\n", st.Now.Sub(p.LastHandshake).Round(time.Second))
				}
				fmt.Fprintf(&b, "    transfer: %s received, %s sent\n", bytesIEC(p.ReceiveBytes), bytesIEC(p.TransmitBytes))
				if p.Keepalive > 0 {
					fmt.Fprintf(&b, "    keepalive: every %s\n", p.Keepalive)
				}
			}
		}
	}
	link(BridgeName)

	b.WriteString("routes:\n")
	if len(st.Routes) == 0 {
		b.WriteString("  none\n")
	}
	for _, r := range st.Routes {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	b.WriteString("sysctls:\n")
	for _, k := range sysctlKeys(spec) {
		v, ok := st.Sysctls[k]
		if !ok {
			v = "(absent)"
		}
		fmt.Fprintf(&b, "  %s = %s\n", sysctlName(k), v)
	}
	if st.Table == nil {
		fmt.Fprintf(&b, "nftables: table inet %s absent\n", TableName)
	} else {
		var parts []string
		for _, c := range spec.Table.Chains {
			if rules, ok := st.Table.Chains[c.Name]; ok {
				parts = append(parts, fmt.Sprintf("%s %d rules", c.Name, len(rules)))
			}
		}
		fmt.Fprintf(&b, "nftables: table inet %s: %s (nft list table inet %s)\n", TableName, strings.Join(parts, ", "), TableName)
		for _, name := range slices.Sorted(maps.Keys(st.Table.Sets)) {
			fmt.Fprintf(&b, "  set %s: %s\n", name, orNone(strings.Join(st.Table.Sets[name], ", ")))
		}
	}
	against := s.Against
	if against == "" {
		against = "the config"
	}
	if s.Plan.Empty() {
		fmt.Fprintf(&b, "in sync with %s\n", against)
	} else {
		fmt.Fprintf(&b, "differs from %s: %d changes pending (see kubenode network plan)\n", against, len(s.Plan.Changes))
	}
	return b.String()
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

func bytesIEC(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
