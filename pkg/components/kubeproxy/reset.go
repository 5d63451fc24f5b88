package kubeproxy

import (
	"context"
	"errors"
	"fmt"

	"sigs.k8s.io/knftables"
)

// Table is the nftables table kube-proxy programs, one per IP family.
const Table = "kube-proxy"

// Reset deletes kube-proxy's tables (ip kube-proxy and ip6 kube-proxy), as
// kube-proxy's own cleanup does, and returns what it removed. Nobody
// else's table is touched.
func Reset(ctx context.Context) ([]string, error) {
	var done []string
	var errs []error
	for _, family := range []knftables.Family{knftables.IPv4Family, knftables.IPv6Family} {
		nft, err := knftables.New(family, Table)
		if err != nil {
			return done, fmt.Errorf("kube-proxy: %w", err)
		}
		tx := nft.NewTransaction()
		tx.Delete(&knftables.Table{})
		switch err := nft.Run(ctx, tx); {
		case knftables.IsNotFound(err):
		case err != nil:
			errs = append(errs, fmt.Errorf("kube-proxy: delete nftables table %s %s: %w", family, Table, err))
		default:
			done = append(done, fmt.Sprintf("removed nftables table %s %s", family, Table))
		}
	}
	return done, errors.Join(errs...)
}
