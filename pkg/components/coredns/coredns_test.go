package coredns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/miekg/dns"
	"k8s.io/klog/v2"
)

// ownProcess runs the calling test again in a child process of its own and
// reports whether the caller is the parent, which then returns at once.
//
// Every test that starts CoreDNS gets a process of its own: CoreDNS and
// caddy keep process-wide state (see the package doc), and kubenode starts
// CoreDNS once per process, as here.
func ownProcess(t *testing.T) bool {
	t.Helper()
	if os.Getenv("KUBENODE_COREDNS_TEST") == t.Name() {
		return false
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), "KUBENODE_COREDNS_TEST="+t.Name())
	out, err := cmd.CombinedOutput()
	t.Logf("child process:\n%s", out)
	if err != nil {
		t.Errorf("%s in its own process: %v", t.Name(), err)
	} else if !strings.Contains(string(out), "--- PASS: "+t.Name()+" ") {
		t.Errorf("%s did not run in its own process", t.Name())
	}
	return true
}

// freePort returns a port free for TCP and UDP on every one of ips.
func freePort(t *testing.T, ips ...net.IP) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", net.JoinHostPort(ips[0].String(), "0"))
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if portFree(ips, port) == nil {
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// portFree binds port on every ip, TCP and UDP, without SO_REUSEPORT, and
// releases it again; it fails while anyone else holds one of them.
func portFree(ips []net.IP, port int) error {
	for _, ip := range ips {
		addr := net.JoinHostPort(ip.String(), strconv.Itoa(port))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		l.Close()
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return err
		}
		pc.Close()
	}
	return nil
}

// loopbackIPs is 127.0.0.1, plus ::1 where the test's network has it.
func loopbackIPs(t *testing.T) []net.IP {
	ips := []net.IP{net.ParseIP("127.0.0.1")}
	if l, err := net.Listen("tcp", "[::1]:0"); err == nil {
		l.Close()
		ips = append(ips, net.ParseIP("::1"))
	} else {
		t.Logf("no ::1, testing IPv4 only: %v", err)
	}
	return ips
}

// fakeUpstream is a resolver on 127.0.0.1 that answers every A query with
// 192.0.2.10 and counts the queries it got.
func fakeUpstream(t *testing.T) (addr string, queries *atomic.Int32) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	queries = new(atomic.Int32)
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		if q.Name == "example.org." {
			queries.Add(1)
		}
		if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, &dns.A{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
				A:   net.ParseIP("192.0.2.10"),
			})
		}
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String(), queries
}

// kubeconfig writes a kubeconfig for an API server that is not there: the
// kubernetes plugin starts, cannot list anything, and must not hold up the
// start for longer than StartupTimeout.
func kubeconfig(t *testing.T, dir string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := "https://" + l.Addr().String()
	l.Close()
	return writeFile(t, dir, "coredns.kubeconfig", fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    insecure-skip-tls-verify: true
users:
- name: coredns
  user:
    token: not-a-real-token
contexts:
- name: test
  context: {cluster: test, user: coredns}
current-context: test
`, server))
}

func testLogger(t *testing.T) logr.Logger {
	return funcr.New(func(prefix, args string) { t.Log(prefix, args) }, funcr.Options{})
}

func newTestCoreDNS(t *testing.T, ips []net.IP, upstreams ...string) *CoreDNS {
	dir := t.TempDir()
	return &CoreDNS{
		ListenIPs:     ips,
		Port:          freePort(t, ips...),
		ClusterDomain: "k8s.internal",
		Kubeconfig:    kubeconfig(t, dir),
		Hosts: []HostEntry{
			{Name: "node1.k8s.internal", IPs: []net.IP{net.ParseIP("10.88.1.1"), net.ParseIP("fd88:1::1")}},
			{Name: "api.k8s.internal", IPs: []net.IP{net.ParseIP("10.88.1.1"), net.ParseIP("10.88.2.1")}},
		},
		Upstreams:      upstreams,
		StartupTimeout: 200 * time.Millisecond,
		ConfigDir:      filepath.Join(dir, "coredns"),
		Log:            testLogger(t),
	}
}

// waitReady polls Ready as the supervisor does, and fails on an exit.
func waitReady(t *testing.T, c *CoreDNS, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = c.Ready(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case err := <-c.Exited():
			t.Fatalf("exited while waiting for ready: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("not ready after %s: %v", timeout, err)
}

func ask(t *testing.T, network, addr, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	cl := &dns.Client{Net: network, Timeout: 3 * time.Second}
	r, _, err := cl.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, dns.TypeToString[qtype], name, err)
	}
	return r
}

// answers returns the rcode and the sorted record data of r.
func answers(r *dns.Msg) string {
	var out []string
	for _, rr := range r.Answer {
		switch rr := rr.(type) {
		case *dns.A:
			out = append(out, rr.A.String())
		case *dns.AAAA:
			out = append(out, rr.AAAA.String())
		case *dns.PTR:
			out = append(out, rr.Ptr)
		default:
			out = append(out, rr.String())
		}
	}
	slices.Sort(out)
	return dns.RcodeToString[r.Rcode] + " " + strings.Join(out, ",")
}

func TestServe(t *testing.T) {
	if ownProcess(t) {
		return
	}
	ips := loopbackIPs(t)
	upstream, upstreamQueries := fakeUpstream(t)
	c := newTestCoreDNS(t, ips, upstream)
	ctx := context.Background()

	if err := c.Init(ctx); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(c.ConfigDir, "Corefile")
	content, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(content) != c.Corefile() {
		t.Errorf("%s differs from the rendered Corefile:\n%s", file, content)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("%s: mode %v, %v; want 0644", file, fi.Mode(), err)
	}

	begin := time.Now()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 100*time.Millisecond {
		t.Errorf("Start took %s; it must not block", d)
	}
	waitReady(t, c, 10*time.Second)
	t.Logf("Start to Ready: %s", time.Since(begin).Round(time.Millisecond))

	for _, ip := range ips {
		addr := net.JoinHostPort(ip.String(), strconv.Itoa(c.Port))
		for _, network := range []string{"udp", "tcp"} {
			for _, tc := range []struct {
				name  string
				qtype uint16
				want  string
			}{
				{"node1.k8s.internal", dns.TypeA, "NOERROR 10.88.1.1"},
				{"node1.k8s.internal", dns.TypeAAAA, "NOERROR fd88:1::1"},
				{"NODE1.k8s.internal", dns.TypeA, "NOERROR 10.88.1.1"},
				{"api.k8s.internal", dns.TypeA, "NOERROR 10.88.1.1,10.88.2.1"},
				{"api.k8s.internal", dns.TypeAAAA, "NOERROR "},
				// Reverse names of the static addresses, from hosts.
				{"1.2.88.10.in-addr.arpa", dns.TypePTR, "NOERROR api.k8s.internal."},
				// Forwarded to the fake upstream.
				{"example.org", dns.TypeA, "NOERROR 192.0.2.10"},
				// The kubernetes plugin owns the cluster domain, but has not
				// synced (there is no API server): server failure, not a
				// forward, not NXDOMAIN.
				{"kubernetes.default.svc.k8s.internal", dns.TypeA, "SERVFAIL "},
			} {
				r := ask(t, network, addr, tc.name, tc.qtype)
				if got := answers(r); got != tc.want {
					t.Errorf("%s %s %s %s: got %q, want %q", network, addr, dns.TypeToString[tc.qtype], tc.name, got, tc.want)
				}
			}
		}
	}
	if n := upstreamQueries.Load(); n == 0 {
		t.Error("the fake upstream got no query for example.org")
	}

	// bind: another local address, same port, is not served.
	other := net.JoinHostPort("127.0.0.2", strconv.Itoa(c.Port))
	if conn, err := net.DialTimeout("tcp", other, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s accepts connections; CoreDNS must bind only %v", other, ips)
	}

	// klog is still klog's own, not upstream's kubernetes plugin adapter
	// (which would send this line to the standard logger instead): vendor
	// patch 0011.
	var buf bytes.Buffer
	klog.LogToStderr(false)
	klog.SetOutput(&buf)
	klog.InfoS("klog probe", "key", "value")
	klog.Flush()
	klog.SetOutput(os.Stderr)
	klog.LogToStderr(true)
	if !strings.Contains(buf.String(), `"klog probe" key="value"`) {
		t.Errorf("klog output %q; the kubernetes plugin's logger is still installed", buf.String())
	}

	select {
	case err := <-c.Exited():
		t.Fatalf("exited while running: %v", err)
	default:
	}

	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	begin = time.Now()
	if err := c.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop: %s", time.Since(begin).Round(time.Microsecond))
	select {
	case err := <-c.Exited():
		if err != nil {
			t.Errorf("Exited after Stop: %v, want nil", err)
		}
	case <-time.After(time.Second):
		t.Error("Exited yields nothing after Stop")
	}
	if err := portFree(ips, c.Port); err != nil {
		t.Errorf("port still taken after Stop: %v", err)
	}
	if err := c.Stop(sctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestStopRightAfterStart(t *testing.T) {
	if ownProcess(t) {
		return
	}
	ips := []net.IP{net.ParseIP("127.0.0.1")}
	c := newTestCoreDNS(t, ips)
	ctx := context.Background()
	if err := c.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	if err := portFree(ips, c.Port); err != nil {
		t.Errorf("port still taken after Stop: %v", err)
	}
}

func TestPortTaken(t *testing.T) {
	if ownProcess(t) {
		return
	}
	ips := []net.IP{net.ParseIP("127.0.0.1")}
	c := newTestCoreDNS(t, ips)
	// UDP only: caddy binds TCP first, and leaks that listener when UDP
	// fails (the process ends soon after, in kubenode as here).
	pc, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port)))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx := context.Background()
	if err := c.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.Exited():
		t.Logf("Exited: %v", err)
		if err == nil || !strings.Contains(err.Error(), "address already in use") {
			t.Errorf("Exited: %v, want address already in use", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit although the port is taken")
	}
	if err := c.Ready(ctx); err == nil {
		t.Error("Ready after a failed start: nil, want an error")
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Stop(sctx); err != nil {
		t.Errorf("Stop after a failed start: %v", err)
	}
}

func TestInitRejects(t *testing.T) {
	dir := t.TempDir()
	kc := kubeconfig(t, dir)
	good := func() *CoreDNS {
		return &CoreDNS{
			ListenIPs:     []net.IP{net.ParseIP("10.88.1.1")},
			ClusterDomain: "k8s.internal",
			Kubeconfig:    kc,
			Hosts:         []HostEntry{{Name: "node1.k8s.internal", IPs: []net.IP{net.ParseIP("10.88.1.1")}}},
			Upstreams:     []string{"192.0.2.1:53"},
		}
	}
	if err := good().Init(context.Background()); err != nil {
		t.Fatalf("valid configuration rejected: %v", err)
	}
	for name, mutate := range map[string]func(c *CoreDNS){
		"no listen IPs":        func(c *CoreDNS) { c.ListenIPs = nil },
		"wildcard listen IP":   func(c *CoreDNS) { c.ListenIPs = []net.IP{net.IPv4zero} },
		"duplicate listen IP":  func(c *CoreDNS) { c.ListenIPs = append(c.ListenIPs, net.ParseIP("10.88.1.1")) },
		"no domain":            func(c *CoreDNS) { c.ClusterDomain = "" },
		"root domain":          func(c *CoreDNS) { c.ClusterDomain = "." },
		"domain with brace":    func(c *CoreDNS) { c.ClusterDomain = "k8s.internal{" },
		"no kubeconfig":        func(c *CoreDNS) { c.Kubeconfig = "" },
		"missing kubeconfig":   func(c *CoreDNS) { c.Kubeconfig = filepath.Join(dir, "nope") },
		"no hosts":             func(c *CoreDNS) { c.Hosts = nil },
		"host without address": func(c *CoreDNS) { c.Hosts[0].IPs = nil },
		"host name with space": func(c *CoreDNS) { c.Hosts[0].Name = "a b" },
		"upstream without port": func(c *CoreDNS) {
			c.Upstreams = []string{"192.0.2.1"}
		},
		"port out of range": func(c *CoreDNS) { c.Port = 70000 },
	} {
		t.Run(name, func(t *testing.T) {
			c := good()
			mutate(c)
			if err := c.Init(context.Background()); err == nil {
				t.Error("Init: nil, want an error")
			}
		})
	}
}

func TestReadyBeforeStartAndStopBeforeStart(t *testing.T) {
	c := &CoreDNS{}
	if err := c.Ready(context.Background()); err == nil {
		t.Error("Ready before Start: nil, want an error")
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Errorf("Stop before Start: %v", err)
	}
	if err := c.Start(context.Background()); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("Start before Init: %v, want an error", err)
	}
}
