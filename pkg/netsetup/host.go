package netsetup

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
	"sigs.k8s.io/knftables"
)

// Host is the applier: everything netsetup reads from or does to the
// kernel. The Linux implementation uses netlink, wgctrl, knftables and
// /proc/sys; FakeHost keeps it all in memory for tests.
//
// Mutating methods change exactly one thing and fail when it is already so
// (as the kernel does); Diff only asks for what differs. DeleteLink, DelAddr
// and DelRoute fail with an error that matches fs.ErrNotExist when the
// thing is already gone (undo relies on it: a link going down takes its
// IPv6 addresses along).
type Host interface {
	// Facts reads what the plan depends on: the underlay and its MTU,
	// whether the kernel has WireGuard, the host's own networks.
	Facts(ctx context.Context, q FactsQuery) (*Facts, error)
	// Observe reads kubenode's links, their addresses, the routes on
	// wgkube, the WireGuard device, the nftables table and the given
	// sysctls (absent ones are left out of State.Sysctls).
	Observe(ctx context.Context, sysctls []string) (*State, error)

	SetSysctl(key, value string) error
	CreateBridge(name string, mtu int) error
	// CreateWireGuard creates the device in the preferred mode, falling
	// back to userspace when the kernel cannot; it returns the mode it
	// used and why.
	CreateWireGuard(name string, mtu int, prefer Mode) (Mode, string, error)
	DeleteLink(name string) error
	SetLinkMTU(name string, mtu int) error
	SetLinkUp(name string, up bool) error
	// KeepMAC sets a link's MAC address explicitly to the one it has, so
	// the kernel keeps it (a bridge otherwise takes its lowest port's),
	// and returns it.
	KeepMAC(name string) (string, error)
	AddAddr(link string, p netip.Prefix) error
	DelAddr(link string, p netip.Prefix) error
	ConfigureWireGuard(name string, cfg wgtypes.Config) error
	AddRoute(r Route) error
	DelRoute(r Route) error
	// SyncTable makes the changes d (the spec against the table Observe
	// read) in one transaction: set elements only, unless a rule differs.
	SyncTable(ctx context.Context, t *TableSpec, d tableDiff) error
	// DeleteTable removes kubenode's table; false when there was none.
	DeleteTable(ctx context.Context) (bool, error)

	// Holding reports whether this process runs the userspace device
	// name, which then lives only as long as the process (or Close).
	Holding(name string) bool
	// Close releases what the host holds, for a restart: open handles,
	// and a userspace WireGuard device run in this process (its link and
	// routes vanish with it). A kernel device, or one this node's helper
	// process runs, stays with its routes.
	Close() error
	// Teardown stops a userspace wgkube that this process or this node's
	// helper runs, so that it goes with its routes (reset, or a shutdown
	// that also stops the pods). A kernel device stays, as brkube does.
	Teardown() error
}

// observeTable reads kubenode's table through knftables: one nft call for
// the names of its chains and sets, one for the rules of all chains (each
// costs a few ms), and one per set for its elements.
func observeTable(ctx context.Context, nft knftables.Interface) (*TableState, error) {
	names, err := nft.ListAll(ctx)
	if knftables.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	st := &TableState{Chains: map[string][]string{}, Sets: map[string][]string{}}
	for _, c := range names["chain"] {
		st.Chains[c] = []string{}
	}
	rules, err := nft.ListRules(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		comment := ""
		if r.Comment != nil {
			comment = *r.Comment
		}
		st.Chains[r.Chain] = append(st.Chains[r.Chain], comment)
	}
	for _, set := range names["set"] {
		elems, err := nft.ListElements(ctx, "set", set)
		if err != nil {
			return nil, err
		}
		addrs := []string{}
		for _, e := range elems {
			addrs = append(addrs, elementString(e.Key))
		}
		slices.SortFunc(addrs, compareElements)
		st.Sets[set] = addrs
	}
	return st, nil
}

// elementString is an element as SetSpec holds it: an address in Go's
// canonical form, whatever nft printed.
func elementString(key []string) string {
	k := strings.Join(key, " . ")
	if a, err := netip.ParseAddr(k); err == nil {
		return a.String()
	}
	return k
}

// compareElements orders addresses as addresses (SetSpec's order), and
// anything else after them by its text.
func compareElements(x, y string) int {
	a, errA := netip.ParseAddr(x)
	b, errB := netip.ParseAddr(y)
	switch {
	case errA == nil && errB == nil:
		return a.Compare(b)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(x, y)
}

// syncTable makes the changes d in one transaction. It does not read the
// table again: the plan is a moment old, and should the table have
// changed since, the transaction fails as a whole (an element to delete is
// gone) and the next apply starts from a new read.
func syncTable(ctx context.Context, nft knftables.Interface, t *TableSpec, d tableDiff) error {
	if d.empty() {
		return nil
	}
	tx := nft.NewTransaction()
	t.transaction(tx, d)
	return nft.Run(ctx, tx)
}

func deleteTable(ctx context.Context, nft knftables.Interface) (bool, error) {
	if _, err := nft.List(ctx, "chains"); knftables.IsNotFound(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	tx := nft.NewTransaction()
	tx.Delete(&knftables.Table{})
	return true, nft.Run(ctx, tx)
}
