package netsetup

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"golang.zx2c4.com/wireguard/wgctrl"
)

// A wgctrl call that races with Close, or comes after it, fails; it must
// never send on a closed channel (which panics).
func TestWGClientCallAfterClose(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (a private mount namespace for the socket dir)")
	}
	for i := 0; i < 20; i++ {
		c, err := newWGClient(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for j := 0; j < 4; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < 20; k++ {
					if err := c.do(func(*wgctrl.Client) error { return nil }); err != nil && !errors.Is(err, errClientClosed) {
						t.Errorf("call: %v", err)
					}
				}
			}()
		}
		c.Close()
		wg.Wait()
		if err := c.do(func(*wgctrl.Client) error { return nil }); !errors.Is(err, errClientClosed) {
			t.Fatalf("call after Close: %v, want errClientClosed", err)
		}
		c.Close() // twice is fine
	}
}

// Release and Teardown wait for a Sync in progress, and no Sync after them
// recreates what they let go.
func TestReleaseAgainstSync(t *testing.T) {
	ctx := context.Background()
	for _, stop := range []string{"release", "teardown"} {
		t.Run(stop, func(t *testing.T) {
			cfg := node(t, "nodeIndex: 1\n", priv1)
			h := NewFakeHost(lanFacts())
			n := newNet(t, cfg, peers23(t), h)
			var wg sync.WaitGroup
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := n.Sync(ctx); err != nil && !errors.Is(err, errClosed) {
						t.Errorf("sync: %v", err)
					}
				}()
			}
			var err error
			if stop == "release" {
				err = n.Release()
			} else {
				err = n.Teardown()
			}
			if err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			calls := len(h.Calls)
			if _, err := n.Sync(ctx); !errors.Is(err, errClosed) {
				t.Fatalf("sync after %s: %v, want errClosed", stop, err)
			}
			if err := n.SetPeers(ctx, nil); !errors.Is(err, errClosed) {
				t.Fatalf("set peers after %s: %v, want errClosed", stop, err)
			}
			if len(h.Calls) != calls || h.Links[WireGuardName] != nil {
				t.Fatalf("host changed after %s: %q, wgkube %v", stop, h.Calls[calls:], h.Links[WireGuardName])
			}
		})
	}
}

// A restarted node keeps the peers wgkube already has (the device outlived
// the previous run) until the mesh gives its list, with their routes; a
// static peer still wins, and a peer that is no node's is not kept.
func TestKeepLivePeers(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\n", priv1)
	h := NewFakeHost(lanFacts())
	// The previous run: peers 2 and 3 from the mesh.
	prev := newNet(t, cfg, peers23(t), h)
	if _, err := prev.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	routes := slices.Clone(h.Routes)
	// A foreign peer whose allowed IPs are not a node's subnets.
	stray := h.WireGuard.Peers[0]
	stray.PublicKey[0] ^= 0xff
	stray.AllowedIPs = stray.AllowedIPs[:1]
	h.WireGuard.Peers = append(h.WireGuard.Peers, stray)

	n, err := New(cfg, PeersFromConfig(cfg), logr.Discard(), WithHost(h), KeepLivePeers())
	if err != nil {
		t.Fatal(err)
	}
	calls := len(h.Calls)
	p, err := n.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || !strings.Contains(p.Changes[0].String(), "- peer "+stray.PublicKey.String()) {
		t.Fatalf("start with live peers changed more than the stray peer: %q\n%s", h.Calls[calls:], p)
	}
	if !slices.Equal(h.Routes, routes) {
		t.Fatalf("routes changed at start: %v, want %v", h.Routes, routes)
	}
	if len(h.WireGuard.Peers) != 2 {
		t.Fatalf("peers after start: %d, want 2", len(h.WireGuard.Peers))
	}
	// The mesh's list replaces them: peer 3 has left.
	if err := n.SetPeers(ctx, peers23(t)[1:]); err != nil {
		t.Fatal(err)
	}
	if len(h.WireGuard.Peers) != 1 || len(h.Routes) >= len(routes) {
		t.Fatalf("after SetPeers: %d peers, routes %v", len(h.WireGuard.Peers), h.Routes)
	}

	// Without the option a start drops them, as before.
	h2 := NewFakeHost(lanFacts())
	if _, err := newNet(t, cfg, peers23(t), h2).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := newNet(t, cfg, nil, h2).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h2.WireGuard.Peers) != 0 {
		t.Fatalf("without KeepLivePeers: %d peers kept", len(h2.WireGuard.Peers))
	}
}

// brkube's MAC address is set explicitly right after the bridge is made,
// and once on a bridge an older kubenode made, so the kernel never moves
// it to a new port's: the CNI bridge plugin's CHECK, which CRI-O runs for
// every pod it finds running at start, fails on a changed MAC.
func TestBridgeMACKept(t *testing.T) {
	ctx := context.Background()
	cfg := node(t, "nodeIndex: 1\n", priv1)
	h := NewFakeHost(lanFacts())
	n := newNet(t, cfg, nil, h)
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	i := slices.Index(h.Calls, "create bridge brkube mtu 1420")
	if i < 0 || i+1 >= len(h.Calls) || h.Calls[i+1] != "keep mac brkube" {
		t.Fatalf("calls %q: want keep mac right after the bridge is made", h.Calls)
	}
	state, err := openState(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if state.BridgeMAC == "" || state.BridgeMAC != h.Links[BridgeName].MAC {
		t.Fatalf("state records bridge MAC %q, link has %q", state.BridgeMAC, h.Links[BridgeName].MAC)
	}
	if p, err := n.Plan(ctx); err != nil || !p.Empty() {
		t.Fatalf("second plan: %v\n%s", err, p)
	}

	// A bridge made by a kubenode that did not keep its MAC.
	state.BridgeMAC = ""
	if err := state.save(); err != nil {
		t.Fatal(err)
	}
	p, err := n.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].String() != "~ link brkube: keep its MAC address (set it explicitly)" {
		t.Fatalf("plan for an older bridge:\n%s", p)
	}
	if _, err := n.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := n.Plan(ctx); err != nil || !p.Empty() {
		t.Fatalf("plan after keeping the MAC: %v\n%s", err, p)
	}
}
