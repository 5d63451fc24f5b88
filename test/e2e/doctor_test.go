package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// doctorResult is one line of `kubenode doctor --json`.
type doctorResult struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence"`
	Fix      string   `json:"fix"`
}

// runDoctor runs doctor on h and returns its results and exit error.
func runDoctor(t *testing.T, h *host) ([]doctorResult, string, error) {
	t.Helper()
	out, err := h.run(append([]string{"doctor", "--json"}, h.nodeArgs()...)...)
	start := strings.Index(out, "[")
	var rs []doctorResult
	if start < 0 || json.Unmarshal([]byte(out[start:strings.LastIndex(out, "]")+1]), &rs) != nil {
		t.Fatalf("doctor on %s printed no JSON (%v):\n%s", h.name, err, out)
	}
	return rs, out, err
}

// expectDoctor runs doctor on h until exactly the check want fails (none
// when want is ""), and every other check is ok (or skip when skipOK).
func expectDoctor(t *testing.T, h *host, want string, skipOK bool) []doctorResult {
	t.Helper()
	var last []doctorResult
	eventually(t, 20*time.Second, fmt.Sprintf("doctor on %s fails exactly %q", h.name, want), func() error {
		rs, out, err := runDoctor(t, h)
		last = rs
		var bad []string
		for _, r := range rs {
			switch {
			case r.ID == want && r.Status != "FAIL":
				bad = append(bad, fmt.Sprintf("%s is %s, want FAIL", r.ID, r.Status))
			case r.ID != want && r.Status != "ok" && !(skipOK && r.Status == "skip"):
				bad = append(bad, fmt.Sprintf("%s is %s: %s %v", r.ID, r.Status, r.Message, r.Evidence))
			}
		}
		if (err != nil) != (want != "") {
			bad = append(bad, fmt.Sprintf("exit error %v", err))
		}
		if len(rs) < 15 {
			bad = append(bad, fmt.Sprintf("%d results, want 15", len(rs)))
		}
		if len(bad) > 0 {
			return fmt.Errorf("%s\n%s", strings.Join(bad, "\n"), out)
		}
		return nil
	})
	for _, r := range last {
		if r.ID == want {
			t.Logf("doctor on %s: FAIL %s: %s\n  evidence: %s\n  fix: %s", h.name, r.ID, r.Message, strings.Join(r.Evidence, "\n  evidence: "), r.Fix)
		}
	}
	return last
}

func evidenceOf(rs []doctorResult, id string) string {
	for _, r := range rs {
		if r.ID == id {
			return r.Message + "\n" + strings.Join(r.Evidence, "\n")
		}
	}
	return ""
}

// TestDoctor: on a healthy primary and worker every check of `kubenode
// doctor` is ok; each injected fault (only in the test's namespaces) makes
// exactly its check fail, with the evidence, and the check is ok again
// once the fault is undone. `doctor --from --to` names the hop where a
// probe from a pod stops. The faults that kubenode's own network keeper
// would repair at once are injected on the stopped worker, whose wgkube
// (and its routes) a helper keeps (runtime.keepPodsRunning).
func TestDoctor(t *testing.T) {
	kubenodeBin(t)
	l := newLAN(t)
	h1, h2 := l.addHost(1), l.addHost(2)
	writeBusyboxArchive(t, h1)
	writeBusyboxArchive(t, h2)
	h2.writeConfig(h2.runtimeConfig() + "  keepPodsRunning: true\n")
	p1 := startPrimary(t, h1)
	p2 := startWorker(t, h2, createToken(t, h1))
	_ = p1
	eventually(t, time.Minute, "both nodes Ready", func() error {
		out, err := h1.kubectl("get", "nodes", "-o", `jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{end}`)
		if err != nil || out != "TrueTrue" {
			return fmt.Errorf("%v: %q", err, out)
		}
		return nil
	})
	t0 := time.Now()
	expectDoctor(t, h1, "", false)
	expectDoctor(t, h2, "", false)
	if out, err := h1.run(append([]string{"doctor"}, h1.nodeArgs()...)...); err != nil || !strings.Contains(out, "ok    wireguard") {
		t.Fatalf("doctor's text output (%v):\n%s", err, out)
	}

	fault := func(name string, h *host, want string, skipOK bool, inject, undo [][]string, evidence string) {
		t.Helper()
		for _, c := range inject {
			h.mustExec(c...)
		}
		rs := expectDoctor(t, h, want, skipOK)
		if ev := evidenceOf(rs, want); !strings.Contains(ev, evidence) {
			t.Errorf("%s: the evidence of %s lacks %q:\n%s", name, want, evidence, ev)
		}
		for _, c := range undo {
			h.mustExec(c...)
		}
		expectDoctor(t, h, "", skipOK)
	}
	nftFile := func(h *host, name, text string) []string {
		path := filepath.Join(h.root, name+".nft")
		write(t, path, text)
		return []string{"nft", "-f", path}
	}

	// A broader route in another table, chosen by a rule before the main
	// table: it captures the worker's pod CIDR on the primary.
	fault("capture", h1, "capture", false,
		[][]string{{"ip", "route", "add", "10.88.0.0/16", "dev", "eth0", "table", "100"}, {"ip", "rule", "add", "to", "10.88.2.0/24", "lookup", "100", "pref", "100"}},
		[][]string{{"ip", "rule", "del", "pref", "100"}, {"ip", "route", "del", "10.88.0.0/16", "dev", "eth0", "table", "100"}},
		"10.88.0.0/16 dev eth0 table 100")
	// CoreDNS's port blocked by another table on the primary.
	fault("coredns port", h1, "dns", false,
		[][]string{nftFile(h1, "dns", "table inet e2edns {\n chain in {\n  type filter hook input priority -10; policy accept;\n  udp dport 53 counter drop\n  tcp dport 53 counter drop\n }\n}\n")},
		[][]string{{"nft", "delete", "table", "inet", "e2edns"}},
		"table inet e2edns chain in")
	// WireGuard's UDP port dropped on the worker's underlay.
	fault("udp 51820", h2, "wireguard", false,
		[][]string{nftFile(h2, "wg", "table inet e2ewg {\n chain in {\n  type filter hook input priority -10; policy accept;\n  iifname \"eth0\" udp dport 51820 counter drop\n }\n}\n")},
		[][]string{{"nft", "delete", "table", "inet", "e2ewg"}},
		"table inet e2ewg chain in")
	// A foreign table that drops forwarded pod traffic on the worker.
	fault("foreign table", h2, "firewall", false,
		[][]string{nftFile(h2, "fwd", "table inet e2efwd {\n chain e2eforward {\n  type filter hook forward priority 0; policy accept;\n  iifname \"brkube\" counter drop\n }\n}\n")},
		[][]string{{"nft", "delete", "table", "inet", "e2efwd"}},
		`table inet e2efwd chain e2eforward`)
	t.Logf("live faults checked in %s", time.Since(t0).Round(time.Second))

	// One path, from a pod on the primary to the web pod on the worker and
	// to its Service: ok, then the hop where a probe stops.
	manifest := filepath.Join(h1.root, "workloads.yaml")
	write(t, manifest, workloads+client1OnPrimary)
	h1.mustKubectl("apply", "-f", manifest)
	web, _ := webPod(t, h1, "")
	waitPodReady(t, h1, "client1")
	t1 := time.Now()
	// path wants exactly the hops in wantFail to fail, and allows a failed
	// probe when may.
	path := func(to string, may bool, wantFail ...string) {
		t.Helper()
		eventually(t, 20*time.Second, fmt.Sprintf("doctor --from client1 --to %s fails %v", to, wantFail), func() error {
			out, err := h1.run(append([]string{"doctor", "--json", "--from", "client1", "--to", to}, h1.nodeArgs()...)...)
			var rs []doctorResult
			if i := strings.Index(out, "["); i < 0 || json.Unmarshal([]byte(out[i:strings.LastIndex(out, "]")+1]), &rs) != nil {
				return fmt.Errorf("no JSON (%v):\n%s", err, out)
			}
			var got []string
			for _, r := range rs {
				if r.Status != "ok" && !(may && r.ID == "path.probe") {
					got = append(got, r.ID)
				}
			}
			if strings.Join(got, " ") != strings.Join(wantFail, " ") || (err != nil) != (len(wantFail) > 0) {
				return fmt.Errorf("failed %v (exit %v), want %v:\n%s", got, err, wantFail, out)
			}
			for _, r := range rs {
				if r.Status != "ok" {
					t.Logf("path to %s: %s %s: %s %v", to, r.Status, r.ID, r.Message, r.Evidence)
				}
			}
			return nil
		})
	}
	path(web+":8080", false)
	path("web", false)
	h1.mustExec(nftFile(h1, "pathfwd", "table inet e2epath {\n chain e2eforward {\n  type filter hook forward priority 0; policy accept;\n  iifname \"brkube\" counter drop\n }\n}\n")...)
	path(web+":8080", false, "path.probe", "path.firewall")
	h1.mustExec("nft", "delete", "table", "inet", "e2epath")
	h1.mustExec("ip", "route", "add", "10.88.0.0/16", "dev", "eth0", "table", "100")
	h1.mustExec("ip", "rule", "add", "to", "10.88.2.0/24", "lookup", "100", "pref", "100")
	// The captured packets may still get through, unencrypted, over the
	// underlay: the route hop fails either way.
	path("web", true, "path.route")
	h1.mustExec("ip", "rule", "del", "pref", "100")
	h1.mustExec("ip", "route", "del", "10.88.0.0/16", "dev", "eth0", "table", "100")
	path(web+":8080", false)
	expectDoctor(t, h1, "", false)
	expectDoctor(t, h2, "", false)
	t.Logf("paths checked in %s", time.Since(t1).Round(time.Second))

	// The worker stopped: its helper keeps wgkube and the routes, and
	// nothing puts back what a fault changes.
	if _, err := p2.stop(30 * time.Second); err != nil {
		t.Fatalf("stop the worker: %v", err)
	}
	expectDoctor(t, h2, "", true)
	fault("peer route", h2, "routes", true,
		[][]string{{"ip", "route", "del", "10.88.1.0/24", "dev", "wgkube"}},
		[][]string{{"ip", "route", "add", "10.88.1.0/24", "dev", "wgkube", "src", "10.88.2.1"}},
		"+ route 10.88.1.0/24 dev wgkube src 10.88.2.1")
	fault("underlay mtu", h2, "mtu", true,
		[][]string{{"ip", "link", "set", "eth0", "mtu", "1400"}},
		[][]string{{"ip", "link", "set", "eth0", "mtu", "1500"}},
		"wgkube mtu 1420 > underlay eth0 mtu 1400")

	// The primary's key on the worker's wgkube replaced by another.
	wg := func(args string) []string {
		return []string{"unshare", "-m", "sh", "-c", fmt.Sprintf("mount --bind %s /var/run/wireguard && wg %s", filepath.Join(h2.runDir(), "wireguard"), args)}
	}
	var oldKey string
	for _, line := range strings.Split(h2.mustExec(wg("show wgkube allowed-ips")...), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == "10.88.1.0/24" {
			oldKey = f[0]
		}
	}
	if oldKey == "" {
		t.Fatal("no peer with 10.88.1.0/24 on the worker's wgkube")
	}
	newKey := strings.TrimSpace(sh(t, "sh", "-c", "wg genkey | wg pubkey"))
	peer := "endpoint 192.168.77.1:51820 allowed-ips 10.88.1.0/24,fd88:1::/32 persistent-keepalive 25"
	fault("peer key", h2, "wireguard", true,
		[][]string{wg(fmt.Sprintf("set wgkube peer %s remove peer %s %s", oldKey, newKey, peer))},
		[][]string{wg(fmt.Sprintf("set wgkube peer %s remove peer %s %s", newKey, oldKey, peer))},
		"wgkube has no peer with its key "+oldKey)
	t.Logf("all faults checked in %s", time.Since(t0).Round(time.Second))
}
