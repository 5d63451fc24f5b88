package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPrimaryTaintSetting: runtime.primaryTaint changed between starts
// takes effect on the existing Node, both ways. The kubelet applies its
// registration taints only when it creates the Node, so without the mesh
// controller keeping the setting, a taint once added stays.
func TestPrimaryTaintSetting(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	taints := func() string {
		return strings.TrimSpace(h.mustKubectl("get", "node", "node1.k8s.internal", "-o", `jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}`))
	}
	const cp = "node-role.kubernetes.io/control-plane:NoSchedule"
	var p *process
	for _, step := range []struct {
		setting string
		tainted bool
	}{{"always", true}, {"never", false}, {"always", true}, {"auto", false}} {
		if p != nil {
			if _, err := p.stop(time.Minute); err != nil {
				t.Fatalf("stop: %v", err)
			}
		}
		h.writeConfig(h.runtimeConfig() + "  primaryTaint: " + step.setting + "\n")
		p = startPrimary(t, h)
		eventually(t, 30*time.Second, "primaryTaint "+step.setting, func() error {
			if got := taints(); strings.Contains(got, cp) != step.tainted {
				return fmt.Errorf("taints [%s], want the control-plane taint: %v", got, step.tainted)
			}
			return nil
		})
	}
}
