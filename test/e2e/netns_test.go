package e2e

// Helpers for tests of the network phase, reusable by any e2e test: hosts
// with a chosen underlay, pod-like namespaces on a host's brkube, packet
// captures, a TCP echo of the peer address, and a snapshot of a
// namespace's network state. Everything runs inside namespaces the test
// made; nothing touches the machine's own.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a TCP server and client inside namespaces
// (nsenter runs it there), so the tests need no netcat flavour: the server
// answers each connection with the address it sees the client at.
func init() {
	switch os.Getenv("E2E_NET_HELPER") {
	case "tcp-serve":
		os.Exit(helperTCPServe(os.Getenv("E2E_ADDR")))
	case "tcp-dial":
		os.Exit(helperTCPDial(os.Getenv("E2E_ADDR")))
	case "tcp-echo":
		os.Exit(helperTCPEcho(os.Getenv("E2E_ADDR")))
	case "tcp-send":
		os.Exit(helperTCPSend(os.Getenv("E2E_ADDR")))
	case "http-get":
		os.Exit(helperHTTPGet(os.Getenv("E2E_URL")))
	case "http-poll":
		os.Exit(helperHTTPPoll(os.Getenv("E2E_URL")))
	}
}

// helperHTTPGet prints the body of a plain HTTP GET of url.
func helperHTTPGet(url string) int {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "%s: %s\n", resp.Status, body)
		return 1
	}
	fmt.Print(string(body))
	return 0
}

// helperHTTPPoll GETs url every 50 ms, each on a new connection, until
// its stdin closes, then prints the answers, the failures and the longest
// time between two answers in milliseconds.
func helperHTTPPoll(url string) int {
	stop := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(stop) }()
	client := &http.Client{Timeout: 500 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	var ok, failed int
	var last time.Time
	var longest time.Duration
	for {
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if now := time.Now(); err == nil && resp.StatusCode == http.StatusOK {
			if !last.IsZero() && now.Sub(last) > longest {
				longest = now.Sub(last)
			}
			last = now
			ok++
		} else {
			failed++
		}
		select {
		case <-stop:
			fmt.Println(ok, failed, longest.Milliseconds())
			return 0
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// poller is a helperHTTPPoll running in a namespace.
type poller struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   bytes.Buffer
}

// startPoll starts polling url from namespace ns; stop ends it.
func startPoll(t *testing.T, ns, url string) *poller {
	t.Helper()
	p := &poller{cmd: exec.Command("nsenter", "--net="+ns, "--", os.Args[0], "-test.run=^$")}
	p.cmd.Env = append(os.Environ(), "E2E_NET_HELPER=http-poll", "E2E_URL="+url)
	p.cmd.Stdout = &p.out
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop() })
	return p
}

// stop returns how many polls were answered and failed, and the longest
// time without an answer.
func (p *poller) stop() (ok, failed int, longest time.Duration, err error) {
	if p.stdin == nil {
		return 0, 0, 0, errors.New("already stopped")
	}
	p.stdin.Close()
	p.stdin = nil
	if err := p.cmd.Wait(); err != nil {
		return 0, 0, 0, err
	}
	var ms int64
	if _, err := fmt.Sscan(p.out.String(), &ok, &failed, &ms); err != nil {
		return 0, 0, 0, fmt.Errorf("poller output %q: %v", p.out.String(), err)
	}
	return ok, failed, time.Duration(ms) * time.Millisecond, nil
}

// httpGet runs a plain HTTP GET of url from namespace ns.
func httpGet(ns, url string) (string, error) {
	cmd := exec.Command("nsenter", "--net="+ns, "--", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "E2E_NET_HELPER=http-get", "E2E_URL="+url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%v: %s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// helperTCPEcho sends back what each connection sends.
func helperTCPEcho(addr string) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("listening")
	for {
		c, err := ln.Accept()
		if err != nil {
			return 1
		}
		go func() {
			io.Copy(c, c)
			c.Close()
		}()
	}
}

// transferSize is what helperTCPSend sends, and waits to get back.
const transferSize = 1 << 20

// helperTCPSend sends transferSize bytes to an echo server and reads them
// back, both at once, within 10 s; it prints how long that took.
func helperTCPSend(addr string) int {
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	c.SetDeadline(start.Add(10 * time.Second))
	sent := make(chan error, 1)
	go func() {
		_, err := c.Write(make([]byte, transferSize))
		c.(*net.TCPConn).CloseWrite()
		sent <- err
	}()
	n, err := io.Copy(io.Discard, c)
	if werr := <-sent; err == nil {
		err = werr
	}
	if err != nil || n != transferSize {
		fmt.Fprintf(os.Stderr, "got %d of %d bytes back after %s: %v\n", n, transferSize, time.Since(start).Round(time.Millisecond), err)
		return 1
	}
	fmt.Println(time.Since(start))
	return 0
}

func helperTCPServe(addr string) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("listening")
	for {
		c, err := ln.Accept()
		if err != nil {
			return 1
		}
		host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
		fmt.Fprintln(c, host)
		c.Close()
	}
}

func helperTCPDial(addr string) int {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Print(line)
	return 0
}

// hostOptions shape a host's underlay for addHostWith.
type hostOptions struct {
	noIPv4, noIPv6 bool
	mtu            int // 0: the veth default, 1500
}

// addHostWith is addHost with a choice of address families and MTU on the
// underlay; the default route of each family makes its address the node IP.
func (l *lan) addHostWith(i int, o hostOptions) *host {
	t := l.t
	t.Helper()
	h := &host{t: t, name: fmt.Sprintf("kn-%s-h%d", l.id, i)}
	h.ns = "/run/netns/" + h.name
	sh(t, "ip", "netns", "add", h.name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", h.name).Run() })
	peer := fmt.Sprintf("v%s%d", l.id, i)
	sh(t, "ip", "-n", h.name, "link", "add", "eth0", "type", "veth", "peer", "name", peer, "netns", l.switch_)
	if o.mtu != 0 {
		sh(t, "ip", "-n", h.name, "link", "set", "eth0", "mtu", fmt.Sprint(o.mtu))
	}
	sh(t, "ip", "-n", l.switch_, "link", "set", peer, "master", "br0", "up")
	if o.mtu == 0 || o.mtu >= 1280 { // below 1280 the kernel gives eth0 no IPv6
		sh(t, "nsenter", "--net="+h.ns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0")
	}
	sh(t, "ip", "-n", h.name, "link", "set", "lo", "up")
	if !o.noIPv4 {
		h.addr4 = fmt.Sprintf("192.168.77.%d", i)
		sh(t, "ip", "-n", h.name, "addr", "add", h.addr4+"/24", "dev", "eth0")
	}
	if !o.noIPv6 {
		h.addr6 = fmt.Sprintf("fd77::%d", i)
		sh(t, "ip", "-n", h.name, "addr", "add", h.addr6+"/64", "dev", "eth0", "nodad")
	}
	sh(t, "ip", "-n", h.name, "link", "set", "eth0", "up")
	if !o.noIPv4 {
		sh(t, "ip", "-n", h.name, "route", "add", "default", "dev", "eth0")
	}
	if !o.noIPv6 {
		sh(t, "ip", "-n", h.name, "-6", "route", "add", "default", "dev", "eth0")
	}
	h.root = t.TempDir()
	h.cleanupRuntime()
	return h
}

// exec runs a command (not kubenode) in the host's namespace.
func (h *host) exec(args ...string) (string, error) {
	return nsExec(h.ns, args...)
}

func (h *host) mustExec(args ...string) string {
	h.t.Helper()
	out, err := h.exec(args...)
	if err != nil {
		h.t.Fatalf("in %s: %s: %v\n%s", h.name, strings.Join(args, " "), err, out)
	}
	return out
}

func nsExec(ns string, args ...string) (string, error) {
	out, err := exec.Command("nsenter", append([]string{"--net=" + ns, "--"}, args...)...).CombinedOutput()
	return string(out), err
}

// writeConfig writes the host's config.yaml, which nodeArgs then passes.
func (h *host) writeConfig(yaml string) {
	h.t.Helper()
	if err := os.WriteFile(filepath.Join(h.root, "config.yaml"), []byte(yaml), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// pod is a pod-like namespace: a veth whose other end is a port of the
// host's brkube, addresses from the node's subnets, default routes via the
// node's host IPs, as the CNI bridge plugin would set it up.
type pod struct {
	t           *testing.T
	host        *host
	name, ns    string
	addr4       string // without prefix length; "" when IPv6-only
	addr6       string
	hostVethEnd string
}

// addPod plugs pod number n into h's brkube; node is h's node index (the
// address plan gives it 10.88.node.0/24 and fd88:node::/32), mtu the pods'
// MTU (kubenode network plan prints it).
func (h *host) addPod(n, node, mtu int, v4, v6 bool) *pod {
	t := h.t
	t.Helper()
	p := &pod{t: t, host: h, name: fmt.Sprintf("%s-p%d", h.name, n), hostVethEnd: fmt.Sprintf("vpod%d", n)}
	p.ns = "/run/netns/" + p.name
	sh(t, "ip", "netns", "add", p.name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", p.name).Run() })
	sh(t, "ip", "-n", p.name, "link", "add", "eth0", "mtu", fmt.Sprint(mtu), "type", "veth", "peer", "name", p.hostVethEnd, "netns", h.name)
	// Below 1280 the kernel gives the veth no IPv6 at all.
	if mtu >= 1280 {
		// A bridge port needs no address: none, so no DAD still running
		// when a test compares snapshots.
		sh(t, "nsenter", "--net="+h.ns, "sysctl", "-qw", "net.ipv6.conf."+p.hostVethEnd+".addr_gen_mode=1")
		sh(t, "nsenter", "--net="+p.ns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0")
	}
	sh(t, "ip", "-n", h.name, "link", "set", p.hostVethEnd, "mtu", fmt.Sprint(mtu), "master", "brkube", "up")
	sh(t, "ip", "-n", p.name, "link", "set", "lo", "up")
	sh(t, "ip", "-n", p.name, "link", "set", "eth0", "up")
	if v4 {
		p.addr4 = fmt.Sprintf("10.88.%d.%d", node, 9+n)
		sh(t, "ip", "-n", p.name, "addr", "add", p.addr4+"/24", "dev", "eth0")
		sh(t, "ip", "-n", p.name, "route", "add", "default", "via", fmt.Sprintf("10.88.%d.1", node))
	}
	if v6 {
		p.addr6 = fmt.Sprintf("fd88:%x::%x", node, 9+n)
		sh(t, "ip", "-n", p.name, "addr", "add", p.addr6+"/32", "dev", "eth0", "nodad")
		sh(t, "ip", "-n", p.name, "-6", "route", "add", "default", "via", fmt.Sprintf("fd88:%x::1", node))
	}
	return p
}

// remove deletes the pod's veth and namespace. The veth goes first, by
// name: a deleted namespace takes its links along only later, in the
// background.
func (p *pod) remove() {
	exec.Command("ip", "-n", p.host.name, "link", "del", p.hostVethEnd).Run()
	exec.Command("ip", "netns", "del", p.name).Run()
}

func (p *pod) exec(args ...string) (string, error) { return nsExec(p.ns, args...) }

// ping sends echo requests from namespace ns until one comes back, and
// fails the test when none does; the first may be lost to neighbour
// discovery or a WireGuard handshake.
func ping(t *testing.T, ns, addr string) {
	t.Helper()
	var out string
	var err error
	for try := 0; try < 5; try++ {
		out, err = nsExec(ns, "busybox", "ping", "-c", "1", "-W", "2", addr)
		if err == nil {
			return
		}
	}
	t.Fatalf("ping %s from %s: %v\n%s", addr, ns, err, out)
}

// tcpServer is a helperTCPServe running in a namespace.
type tcpServer struct {
	cmd  *exec.Cmd
	addr string
}

// startTCPServer listens on addr (host:port) inside namespace ns until the
// test ends.
func startTCPServer(t *testing.T, ns, addr string) *tcpServer {
	t.Helper()
	return startHelperServer(t, ns, "tcp-serve", addr)
}

// startHelperServer runs a listening helper (tcp-serve, tcp-echo) on addr
// inside namespace ns until the test ends.
func startHelperServer(t *testing.T, ns, helper, addr string) *tcpServer {
	t.Helper()
	cmd := exec.Command("nsenter", "--net="+ns, "--", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "E2E_NET_HELPER="+helper, "E2E_ADDR="+addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "listening" {
		t.Fatalf("tcp server on %s in %s: %q %v %s", addr, ns, line, err, stderr.String())
	}
	return &tcpServer{cmd: cmd, addr: addr}
}

// tcpDial connects from namespace ns to addr and returns the address the
// server saw the connection come from.
func tcpDial(t *testing.T, ns, addr string) string {
	t.Helper()
	var out []byte
	var err error
	for try := 0; try < 3; try++ {
		cmd := exec.Command("nsenter", "--net="+ns, "--", os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "E2E_NET_HELPER=tcp-dial", "E2E_ADDR="+addr)
		out, err = cmd.CombinedOutput()
		if err == nil {
			return strings.TrimSpace(string(out))
		}
	}
	t.Fatalf("tcp from %s to %s: %v\n%s", ns, addr, err, out)
	return ""
}

// transfer sends 1 MiB from namespace ns to the echo server at addr and
// reads it back; it returns the time taken, or the error of a transfer
// that stalled (not done within 10 s).
func transfer(ns, addr string) (time.Duration, error) {
	cmd := exec.Command("nsenter", "--net="+ns, "--", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "E2E_NET_HELPER=tcp-send", "E2E_ADDR="+addr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, bytes.TrimSpace(out))
	}
	return time.ParseDuration(strings.TrimSpace(string(out)))
}

// capture is tcpdump running on an interface of a namespace.
type capture struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

// startCapture starts tcpdump on iface in namespace ns with a pcap filter
// and returns once it listens.
func startCapture(t *testing.T, ns, iface, filter string) *capture {
	t.Helper()
	c := &capture{t: t, done: make(chan struct{})}
	args := []string{"--net=" + ns, "--", "tcpdump", "-i", iface, "-nn", "-l", "-U"}
	if filter != "" {
		args = append(args, filter)
	}
	c.cmd = exec.Command("nsenter", args...)
	stdout, _ := c.cmd.StdoutPipe()
	stderr, _ := c.cmd.StderrPipe()
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	t.Cleanup(func() { c.stop() })
	go func() {
		io.Copy(&lockedWriter{mu: &c.mu, w: &c.out}, stdout)
		close(c.done)
	}()
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening on") {
				listening <- sc.Text()
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatalf("tcpdump on %s in %s did not start", iface, ns)
	}
	return c
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// stop ends the capture and returns one line per packet.
func (c *capture) stop() []string {
	if c.cmd.ProcessState == nil {
		time.Sleep(200 * time.Millisecond) // let the last packets print
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			c.cmd.Process.Kill()
			<-c.done
		}
		c.cmd.Wait()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(c.out.String()), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// netSnapshot prints what a namespace's network is made of: links,
// addresses, routes of every table, the whole nftables ruleset and the
// sysctls the network phase may change. Two snapshots compare equal when
// nothing was added, removed or changed.
func netSnapshot(t *testing.T, ns string) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{
		{"ip", "-o", "link", "show"},
		{"ip", "-o", "addr", "show"},
		{"ip", "-4", "route", "show", "table", "all"},
		{"ip", "-6", "route", "show", "table", "all"},
		{"nft", "list", "ruleset"},
		{"sysctl", "net.ipv4.conf.all.forwarding", "net.ipv6.conf.all.forwarding", "net.ipv6.conf.default.forwarding", "net.ipv6.conf.eth0.accept_ra"},
	} {
		out, err := nsExec(ns, args...)
		if err != nil {
			t.Fatalf("snapshot %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		fmt.Fprintf(&b, "# %s\n%s", strings.Join(args, " "), out)
	}
	return b.String()
}
