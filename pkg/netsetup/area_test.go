package netsetup

import (
	"context"
	"strings"
	"testing"
)

// Every change of a first plan has an area, and the areas are those of the
// change's text: doctor files each difference under its check by area.
func TestAreaOfEveryChange(t *testing.T) {
	cfg := node(t, "nodeIndex: 1\n", priv1)
	n := newNet(t, cfg, peers23(t), NewFakeHost(lanFacts()))
	p, err := n.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, c := range p.Changes {
		a := AreaOf(c)
		if a.Kind == "" {
			t.Fatalf("no area for %q", c.String())
		}
		kinds[a.Kind]++
		text := c.String()
		switch a.Kind {
		case AreaRoute:
			if !strings.Contains(text, "route "+a.Dst.String()) {
				t.Errorf("%q: area dst %s", text, a.Dst)
			}
		case AreaAddress, AreaLink, AreaMTU:
			if !strings.Contains(text, a.Link) {
				t.Errorf("%q: area link %s", text, a.Link)
			}
		}
	}
	for _, k := range []string{AreaLink, AreaAddress, AreaRoute, AreaSysctl, AreaTable, AreaWireGuard} {
		if kinds[k] == 0 {
			t.Errorf("a first plan has no %s change: %v", k, kinds)
		}
	}
}
