// Package e2e runs the real kubenode binary in network namespaces that the
// tests create and remove. It never changes the machine's own namespace.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// kubenodeBin is the binary under test (make test-e2e sets it).
func kubenodeBin(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("e2e tests need root (network namespaces)")
	}
	bin := os.Getenv("KUBENODE_BIN")
	if bin == "" {
		bin, _ = filepath.Abs("../../bin/kubenode")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no kubenode binary at %s (run make build or set KUBENODE_BIN)", bin)
	}
	return bin
}

func randomSuffix() string {
	b := make([]byte, 3)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// sh runs a host command and fails the test on error.
func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// lan is an underlay: a bridge in a namespace of its own that hosts plug
// into with veth pairs.
type lan struct {
	t       *testing.T
	id      string
	switch_ string
	hosts   int
}

func newLAN(t *testing.T) *lan {
	t.Helper()
	l := &lan{t: t, id: randomSuffix()}
	l.switch_ = "kn-" + l.id + "-sw"
	sh(t, "ip", "netns", "add", l.switch_)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", l.switch_).Run() })
	sh(t, "ip", "-n", l.switch_, "link", "add", "br0", "type", "bridge")
	sh(t, "ip", "-n", l.switch_, "link", "set", "br0", "up")
	return l
}

// host is a network namespace with one underlay interface, eth0, whose
// default route makes its address the node IP.
type host struct {
	t     *testing.T
	name  string // namespace name
	ns    string // /run/netns/NAME
	addr4 string // underlay IPv4 address, without prefix length
	addr6 string
	root  string // data and run dirs live below
	// bin, if set, is the kubenode binary this host runs instead of
	// KUBENODE_BIN (version tests).
	bin string
}

// addHost makes host number i (1-based) on the LAN, with 192.168.77.i/24
// and fd77::i/64.
func (l *lan) addHost(i int) *host {
	t := l.t
	t.Helper()
	h := &host{t: t, name: fmt.Sprintf("kn-%s-h%d", l.id, i)}
	h.ns = "/run/netns/" + h.name
	h.addr4 = fmt.Sprintf("192.168.77.%d", i)
	h.addr6 = fmt.Sprintf("fd77::%d", i)
	sh(t, "ip", "netns", "add", h.name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", h.name).Run() })
	peer := fmt.Sprintf("v%s%d", l.id, i)
	sh(t, "ip", "-n", h.name, "link", "add", "eth0", "type", "veth", "peer", "name", peer, "netns", l.switch_)
	sh(t, "ip", "-n", l.switch_, "link", "set", peer, "master", "br0", "up")
	sh(t, "ip", "netns", "exec", h.name, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0")
	sh(t, "ip", "-n", h.name, "link", "set", "lo", "up")
	sh(t, "ip", "-n", h.name, "addr", "add", h.addr4+"/24", "dev", "eth0")
	sh(t, "ip", "-n", h.name, "addr", "add", h.addr6+"/64", "dev", "eth0", "nodad")
	sh(t, "ip", "-n", h.name, "link", "set", "eth0", "up")
	sh(t, "ip", "-n", h.name, "route", "add", "default", "dev", "eth0")
	sh(t, "ip", "-n", h.name, "-6", "route", "add", "default", "dev", "eth0")
	h.root = t.TempDir()
	h.cleanupRuntime()
	return h
}

func (h *host) dataDir() string { return filepath.Join(h.root, "data") }
func (h *host) runDir() string  { return filepath.Join(h.root, "run") }

// command builds kubenode args run inside the host's namespace. nsenter
// execs in place, so the process is kubenode itself.
func (h *host) command(ctx context.Context, args ...string) *exec.Cmd {
	bin := h.bin
	if bin == "" {
		bin = kubenodeBin(h.t)
	}
	full := append([]string{"--net=" + h.ns, "--", bin}, args...)
	cmd := exec.CommandContext(ctx, "nsenter", full...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// run runs a one-shot kubenode command and returns its combined output.
func (h *host) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := h.command(ctx, args...).CombinedOutput()
	return string(out), err
}

// nodeArgs are the flags that keep a node's state inside the test's dirs.
// The config file is passed only when the test wrote one: an explicit
// --config that does not exist is an error.
func (h *host) nodeArgs() []string {
	args := []string{"--data-dir", h.dataDir(), "--run-dir", h.runDir()}
	if cfg := filepath.Join(h.root, "config.yaml"); fileExists(cfg) {
		args = append(args, "--config", cfg)
	}
	return args
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// kubectl runs the embedded kubectl against this host's node.
func (h *host) kubectl(args ...string) (string, error) {
	return h.run(append([]string{"kubectl", "--data-dir", h.dataDir()}, args...)...)
}

func (h *host) mustKubectl(args ...string) string {
	h.t.Helper()
	out, err := h.kubectl(args...)
	if err != nil {
		h.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// process is a long-running kubenode with its log kept for assertions.
type process struct {
	t    *testing.T
	h    *host
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
	err  error
}

// start launches a long-running kubenode command; Cleanup stops it.
func (h *host) start(args ...string) *process {
	h.t.Helper()
	p := &process{t: h.t, h: h, cmd: h.command(context.Background(), args...), done: make(chan struct{})}
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	if err := p.cmd.Start(); err != nil {
		h.t.Fatalf("start kubenode: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.log.Write(sc.Bytes())
			p.log.WriteByte('\n')
			p.mu.Unlock()
		}
	}()
	go func() {
		p.err = p.cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	h.t.Cleanup(func() {
		// The tail from before the stop: what the node did when the
		// test failed, not how it shut down.
		failed, tail := h.t.Failed(), p.tail(60)
		dir := os.Getenv("KUBENODE_E2E_LOGS")
		if failed && dir != "" {
			p.saveGoroutines(dir)
		}
		// A stop keeps the pods: a node still running stops with them.
		if len(args) > 0 && (args[0] == "primary" || args[0] == "worker") {
			p.shutdown(time.Minute)
		}
		p.stop(20 * time.Second)
		if failed {
			h.t.Logf("kubenode log (last 60 lines before the stop):\n%s", tail)
		}
		if failed && dir != "" {
			p.keep(dir, "log", "whole log", strings.NewReader(p.output()))
		}
	})
	return p
}

// keep writes r to DIR/TEST-HOST-PID.EXT and says where (KUBENODE_E2E_LOGS=DIR
// keeps what failed tests leave, whose temporary dirs are removed).
func (p *process) keep(dir, ext, what string, r io.Reader) {
	name := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.%s", strings.NewReplacer("/", "_", " ", "_").Replace(p.t.Name()), p.h.name, p.cmd.Process.Pid, ext))
	err := os.MkdirAll(dir, 0o755)
	var f *os.File
	if err == nil {
		f, err = os.Create(name)
	}
	if err == nil {
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		p.t.Logf("keep the %s: %v", what, err)
		return
	}
	p.t.Logf("%s: %s", what, name)
}

// saveGoroutines keeps the running node's goroutines (the status socket's
// /debug/pprof/goroutine): where a node that did not do what the test
// waited for was stuck.
func (p *process) saveGoroutines(dir string) {
	sock := filepath.Join(p.h.runDir(), "status.sock")
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
	resp, err := client.Get("http://kubenode/debug/pprof/goroutine?debug=2")
	if err != nil {
		return // not running
	}
	defer resp.Body.Close()
	p.keep(dir, "goroutines", "goroutines at the failure", resp.Body)
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

func (p *process) tail(n int) string {
	lines := strings.Split(strings.TrimRight(p.output(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitLog waits until the log holds s, failing early if the process ends.
func (p *process) waitLog(s string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(p.output(), s) {
			return
		}
		select {
		case <-p.done:
			p.t.Fatalf("kubenode exited (%v) before logging %q:\n%s", p.err, s, p.tail(40))
		case <-time.After(200 * time.Millisecond):
		}
	}
	p.t.Fatalf("kubenode did not log %q within %s:\n%s", s, timeout, p.tail(40))
}

// stop sends SIGTERM and waits; after timeout it kills the process group.
// It returns how long the process took and its exit error.
func (p *process) stop(timeout time.Duration) (time.Duration, error) {
	select {
	case <-p.done:
		return 0, p.err
	default:
	}
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return time.Since(start), p.err
	case <-time.After(timeout):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		return time.Since(start), fmt.Errorf("killed after %s: %w", timeout, p.err)
	}
}

// shutdown runs `kubenode shutdown` for the node p runs: it stops the node
// and every pod, and returns once the process has exited.
func (p *process) shutdown(timeout time.Duration) (string, error) {
	select {
	case <-p.done:
		return "", fmt.Errorf("the node had already exited: %v", p.err)
	default:
	}
	out, err := p.h.run(append([]string{"shutdown", "--timeout", timeout.String()}, p.h.nodeArgs()...)...)
	if err == nil {
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			err = fmt.Errorf("shutdown returned but the process has not exited")
		}
	}
	return out, err
}

// runtimeConfig keeps the kubelet's dirs and the pods' cgroups inside the
// test, so nodes can run side by side and leave nothing behind.
func (h *host) runtimeConfig() string {
	return fmt.Sprintf("runtime:\n  kubeletRootDir: %s\n  podLogsDir: %s\n  cgroupRoot: /%s\n",
		filepath.Join(h.root, "kubelet"), filepath.Join(h.root, "pods"), h.name)
}

// ensureRuntimeConfig adds runtimeConfig to the host's config.yaml unless
// the test wrote a runtime section of its own.
func (h *host) ensureRuntimeConfig() {
	h.t.Helper()
	path := filepath.Join(h.root, "config.yaml")
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		h.t.Fatal(err)
	}
	if strings.Contains(string(old), "runtime:") {
		return
	}
	if err := os.WriteFile(path, append(old, []byte("\n"+h.runtimeConfig())...), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// cleanupRuntime registers, to run after the node process has stopped and
// before the temp dir goes: unmount what the kubelet and CRI-O mounted under
// the host's dir (volumes, overlays, pinned namespaces), remove the pods'
// cgroups and the kubelet's symlinks in /var/log/containers (a fixed path).
func (h *host) cleanupRuntime() {
	root, name := h.root, h.name
	h.t.Cleanup(func() {
		// Pods a stopped node kept: reset stops them as an operator's
		// would; killLeftovers gets whatever it could not.
		if len(processesUnder(root)) > 0 {
			if out, err := h.run(append([]string{"reset"}, h.nodeArgs()...)...); err != nil {
				h.t.Logf("cleanup: reset: %v\n%s", err, out)
			}
		}
		killLeftovers(root, name)
		unmountUnder(root)
		removeCgroups(name)
		links, _ := filepath.Glob("/var/log/containers/*.log")
		for _, l := range links {
			if dst, err := os.Readlink(l); err == nil && strings.HasPrefix(dst, root) {
				os.Remove(l)
			}
		}
	})
}

// mountinfoUnder returns the lines of the machine's mountinfo (the nodes
// run with nsenter --net only) whose mount point is dir or below it.
func mountinfoUnder(dir string) ([]string, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			out = append(out, line)
		}
	}
	return out, nil
}

// mountsUnder is mountinfoUnder for failure messages and "nothing left"
// checks: an error reading the mount table is its only line.
func mountsUnder(dir string) []string {
	lines, err := mountinfoUnder(dir)
	if err != nil {
		return []string{err.Error()}
	}
	return lines
}

func unmountUnder(root string) {
	lines, _ := mountinfoUnder(root)
	var points []string
	for _, line := range lines {
		points = append(points, strings.Fields(line)[4])
	}
	// Deepest first.
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	for _, p := range points {
		syscall.Unmount(p, syscall.MNT_DETACH)
	}
}

// removeCgroups removes /sys/fs/cgroup/*/NAME and everything below it,
// children first; a cgroup with processes left stays (and the test that
// leaked them fails elsewhere).
func removeCgroups(name string) {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/" + name)
	for _, d := range dirs {
		var all []string
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				all = append(all, p)
			}
			return nil
		})
		for i := len(all) - 1; i >= 0; i-- {
			os.Remove(all[i])
		}
	}
}

// killLeftovers SIGKILLs what a node of this test left running: conmon
// (its command line names the node's dirs) and container processes (in the
// node's pod cgroups). Normally there is nothing: the cleanup shuts nodes
// down with their pods, or resets them.
func killLeftovers(root, cgroup string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), root) {
			if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil && pid != os.Getpid() {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	filepath.WalkDir("/sys/fs/cgroup/pids/"+cgroup, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.Name() != "cgroup.procs" {
			return nil
		}
		data, _ := os.ReadFile(p)
		for _, f := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		return nil
	})
	time.Sleep(200 * time.Millisecond) // let the kernel reap them before rmdir
}
