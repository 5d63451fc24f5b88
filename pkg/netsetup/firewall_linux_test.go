package netsetup

import (
	"context"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"sigs.k8s.io/knftables"
)

// BenchmarkPrimaryMoves times what a worker's table costs when the
// primary's endpoint changes, with the real nft: the plan's read of the
// table, then the apply. "rebuild" is how kubenode did it before the sets
// (the primary's addresses literal in the rules, every chain flushed and
// filled again); "elements" is the set elements alone. It needs root and
// a network namespace of its own, as it writes table inet kubenode:
//
//	unshare -n go test -run - -bench PrimaryMoves ./pkg/netsetup/
func BenchmarkPrimaryMoves(b *testing.B) {
	// A namespace of its own, as unshare -n makes it, has lo alone.
	ifs, err := net.Interfaces()
	if os.Geteuid() != 0 || err != nil || len(ifs) != 1 || ifs[0].Name != "lo" {
		b.Skip("needs root in an empty network namespace (unshare -n): it writes table inet kubenode")
	}
	if _, err := exec.LookPath("nft"); err != nil {
		b.Skip("no nft")
	}
	ctx := context.Background()
	var specs [2]TableSpec
	for i, ep := range []string{"192.168.77.1", "192.168.77.10"} {
		n := newNet(b, node(b, "nodeIndex: 2\n", priv2), workerPeers(b, ep), NewFakeHost(lanFacts()))
		p, err := n.Plan(ctx)
		if err != nil {
			b.Fatal(err)
		}
		specs[i] = p.Spec.Table
	}
	nft, err := knftables.New(knftables.InetFamily, TableName)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { deleteTable(ctx, nft) })

	// Each reports the time to read the table (the plan) and to write it
	// (the apply), besides the total.
	var read, write time.Duration
	report := func(b *testing.B) {
		b.ReportMetric(float64(read.Microseconds())/1000/float64(b.N), "read-ms/op")
		b.ReportMetric(float64(write.Microseconds())/1000/float64(b.N), "write-ms/op")
	}
	b.Run("rebuild", func(b *testing.B) {
		deleteTable(ctx, nft)
		read, write = 0, 0
		for i := 0; i < b.N; i++ {
			old := oldTable(b, specs[i%2])
			t0 := time.Now()
			if _, err := observeTable(ctx, nft); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			// The old syncTable: list the chains, then flush and fill them.
			if _, err := nft.List(ctx, "chains"); err != nil && !knftables.IsNotFound(err) {
				b.Fatal(err)
			}
			tx := nft.NewTransaction()
			old.transaction(tx, tableDiff{Rebuild: true})
			if err := nft.Run(ctx, tx); err != nil {
				b.Fatal(err)
			}
			read, write = read+t1.Sub(t0), write+time.Since(t1)
		}
		report(b)
	})
	b.Run("elements", func(b *testing.B) {
		deleteTable(ctx, nft)
		if err := syncTable(ctx, nft, &specs[1], specs[1].diff(nil)); err != nil {
			b.Fatal(err)
		}
		read, write = 0, 0
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			st, err := observeTable(ctx, nft)
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			d := specs[i%2].diff(st)
			if d.Rebuild || len(d.Elements) != 2 {
				b.Fatalf("diff %+v, want two elements", d)
			}
			if err := syncTable(ctx, nft, &specs[i%2], d); err != nil {
				b.Fatal(err)
			}
			read, write = read+t1.Sub(t0), write+time.Since(t1)
		}
		report(b)
	})
}
