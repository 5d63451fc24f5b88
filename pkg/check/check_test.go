package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRegistryIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		if seen[c.ID] {
			t.Fatalf("%s twice", c.ID)
		}
		seen[c.ID] = true
		if c.Fix == "" || c.Title == "" {
			t.Errorf("%s: no fix or title", c.ID)
		}
	}
	for _, id := range []string{"underlay", "wireguard", "routes", "capture", "bridge", "mtu", "sysctls", "nftables", "firewall", "service-route", "dns", "api", "kubelet", "clock", "certificates", "preflight.network"} {
		if _, ok := Lookup(id); !ok {
			t.Errorf("%s is not registered", id)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("registering an ID twice did not panic")
		}
	}()
	Register(Check{ID: "routes", Title: "x", Severity: Error, Fix: "x"})
}

func TestPrintAndFailed(t *testing.T) {
	rs := []Result{
		Routes.Fail("no route for 10.88.2.0/24", "ip route: 10.88.2.0/24 missing"),
		Underlay.OK("eth0 holds 192.168.77.1"),
		Certificates.Fail("admin.crt expires in 3 days"),
	}
	if n := Failed(rs); n != 1 {
		t.Fatalf("Failed = %d, want 1 (a warning does not count)", n)
	}
	var b bytes.Buffer
	Print(&b, Sorted(rs))
	out := b.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "ok    underlay") || !strings.HasPrefix(lines[1], "FAIL  routes") {
		t.Fatalf("order or format:\n%s", out)
	}
	for _, want := range []string{"evidence: ip route: 10.88.2.0/24 missing", "fix: " + Routes.Fix, "warn  certificates"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := PrintJSON(&b, rs); err != nil {
		t.Fatal(err)
	}
	var back []Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back) != 3 || back[0].Status != Fail || back[0].Evidence[0] == "" {
		t.Fatalf("json round trip: %v %+v", err, back)
	}
}

func TestErr(t *testing.T) {
	err := fmt.Errorf("start: %w", PreflightDirs.Err(errors.New("/x is not writable")))
	if IDOf(err) != "preflight.dirs" || !strings.Contains(err.Error(), "preflight.dirs: /x is not writable") {
		t.Fatalf("%v (id %q)", err, IDOf(err))
	}
	if PreflightDirs.Err(nil) != nil || IDOf(errors.New("x")) != "" {
		t.Fatal("nil or foreign error")
	}
}
