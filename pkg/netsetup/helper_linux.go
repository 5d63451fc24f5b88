package netsetup

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/sys/unix"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/exepages"
	"github.com/kubenode/kubenode/pkg/internal/procfs"
)

// HelperCommand is the hidden subcommand that runs a userspace wgkube in a
// process of its own (see RunHelper).
const HelperCommand = "wg-helper"

// HelperPIDFile is where the helper of a node writes its pid; together
// with the UAPI socket's peer and the network namespace it tells the next
// start that the device is this node's.
func HelperPIDFile(cfg *config.Config) string {
	return filepath.Join(stateDir(cfg), WireGuardName+"-helper.pid")
}

func helperLogFile(cfg *config.Config) string {
	return filepath.Join(stateDir(cfg), WireGuardName+"-helper.log")
}

const (
	helperReadyTimeout = 10 * time.Second
	helperStopTimeout  = 5 * time.Second
)

// helperBackend runs wgkube in a helper process that outlives the node
// process: release leaves it running, teardown stops it.
type helperBackend struct {
	sockDir, pidFile, logFile string
	log                       logr.Logger

	// lost yields when the helper ends on its own (killed, crashed): wgkube
	// and its routes are then gone.
	lost chan error

	mu    sync.Mutex
	proc  *os.Process   // the helper, started or adopted; nil: none
	pid   int           // its pid
	done  chan struct{} // closed when a helper started here has been reaped
	watch chan struct{} // closed to stop watching it
}

func newHelperBackend(cfg *config.Config, log logr.Logger) *helperBackend {
	return &helperBackend{sockDir: SocketDir(cfg), pidFile: HelperPIDFile(cfg), logFile: helperLogFile(cfg), log: log, lost: make(chan error, 1)}
}

// watchLocked reports on lost when the helper ends before release or
// teardown stops watching it.
func (b *helperBackend) watchLocked() {
	pid, done, stop := b.pid, b.done, make(chan struct{})
	b.watch = stop
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-done:
			case <-tick.C:
				if done != nil || !procfs.Ended(pid) {
					continue
				}
			}
			select {
			case <-stop: // stopped on purpose
			default:
				select {
				case b.lost <- fmt.Errorf("WireGuard helper %d ended on its own: %s and the routes through it are gone (its log: %s)", pid, WireGuardName, b.logFile):
				default:
				}
			}
			return
		}
	}()
}

func (b *helperBackend) stopWatchLocked() {
	if b.watch != nil {
		close(b.watch)
		b.watch = nil
	}
}

func (b *helperBackend) create(name string, mtu int) error {
	sock := filepath.Join(b.sockDir, name+".sock")
	if pid := socketHolder(sock); pid != 0 {
		return fmt.Errorf("userspace WireGuard %s: process %d already serves %s; stop it first", name, pid, sock)
	}
	if err := os.MkdirAll(filepath.Dir(b.pidFile), 0o700); err != nil {
		return fmt.Errorf("WireGuard helper: %w", err)
	}
	logf, err := os.OpenFile(b.logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("WireGuard helper: %w", err)
	}
	defer logf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("WireGuard helper: %w", err)
	}
	defer r.Close()
	// /proc/self/exe: the very binary this process runs, even when an
	// upgrade has replaced the file on disk since.
	cmd := exec.Command("/proc/self/exe", HelperCommand, "--name", name, "--mtu", strconv.Itoa(mtu),
		"--socket-dir", b.sockDir, "--pid-file", b.pidFile)
	cmd.Args[0] = "kubenode"
	// Its stdout is the readiness pipe; its log goes to a file, never to
	// the node's stdout (a pipe the helper would keep open).
	cmd.Stdout, cmd.Stderr = w, logf
	cmd.Dir = "/"
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "NOTIFY_SOCKET=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	// A session of its own: a signal to the node's process group (Ctrl-C,
	// a test harness) does not reach it. systemd's KillMode=process, which
	// runtime.keepPodsRunning needs anyway, lets it outlive the unit's stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("WireGuard helper: start: %w", err)
	}
	w.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	line, err := readLine(r, helperReadyTimeout)
	if err != nil || line != "ready" {
		cmd.Process.Kill()
		<-done
		if err != nil {
			return fmt.Errorf("WireGuard helper: %w (see %s)", err, b.logFile)
		}
		return fmt.Errorf("WireGuard helper: %s", strings.TrimPrefix(line, "error: "))
	}
	b.mu.Lock()
	b.stopWatchLocked()
	b.proc, b.pid, b.done = cmd.Process, cmd.Process.Pid, done
	b.watchLocked()
	b.mu.Unlock()
	b.log.Info("WireGuard helper started", "link", name, "pid", cmd.Process.Pid, "log", b.logFile)
	return nil
}

func readLine(r *os.File, timeout time.Duration) (string, error) {
	if err := r.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return "", fmt.Errorf("not ready within %s", timeout)
		}
		return "", errors.New("exited before it was ready")
	}
	return strings.TrimSpace(line), nil
}

func (b *helperBackend) holding(string) bool { return false }

// owns adopts pid when it is this node's helper: the pid file in the run
// dir names it, it runs the helper command, and it lives in this network
// namespace (the caller found it serving the device's UAPI socket).
func (b *helperBackend) owns(name string, pid int) bool {
	if pid <= 0 {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.proc != nil && b.pid == pid {
		return true
	}
	if err := isHelper(pid, b.pidFile); err != nil {
		b.log.V(1).Info("WireGuard device is not held by this node's helper", "link", name, "pid", pid, "reason", err.Error())
		return false
	}
	// A pidfd on Linux: later signals reach this process, never one
	// that reused its pid.
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	b.stopWatchLocked()
	b.proc, b.pid, b.done = p, pid, nil
	b.watchLocked()
	b.log.Info("WireGuard helper adopted", "link", name, "pid", pid)
	return true
}

// isHelper checks that pid is the helper the pid file names, running in
// this process's network namespace.
func isHelper(pid int, pidFile string) error {
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return err
	}
	if got, err := strconv.Atoi(strings.TrimSpace(string(data))); err != nil || got != pid {
		return fmt.Errorf("%s names %q", pidFile, strings.TrimSpace(string(data)))
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return err
	}
	if args := strings.Split(string(cmdline), "\x00"); len(args) < 2 || args[1] != HelperCommand {
		return fmt.Errorf("process %d is not a %s", pid, HelperCommand)
	}
	mine, err := os.Stat("/proc/self/ns/net")
	if err != nil {
		return err
	}
	theirs, err := os.Stat(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		return err
	}
	if !os.SameFile(mine, theirs) {
		return fmt.Errorf("process %d runs in another network namespace", pid)
	}
	return nil
}

// release leaves the helper running, no longer watched.
func (b *helperBackend) release() {
	b.mu.Lock()
	b.stopWatchLocked()
	b.mu.Unlock()
}

// teardown stops the helper and waits until it is gone (the kernel then
// removes the TUN link and its routes).
func (b *helperBackend) teardown(name string) (bool, error) {
	b.mu.Lock()
	b.stopWatchLocked()
	p, pid, done := b.proc, b.pid, b.done
	b.proc, b.pid, b.done = nil, 0, nil
	b.mu.Unlock()
	if p == nil {
		return false, nil
	}
	if err := p.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return true, fmt.Errorf("WireGuard helper %d: %w", pid, err)
	}
	if waitGone(pid, done, helperStopTimeout) {
		b.log.Info("WireGuard helper stopped", "link", name, "pid", pid)
		return true, nil
	}
	p.Kill()
	if waitGone(pid, done, time.Second) {
		b.log.Info("WireGuard helper killed: it did not stop on SIGTERM", "link", name, "pid", pid, "timeout", helperStopTimeout)
		return true, nil
	}
	return true, fmt.Errorf("WireGuard helper %d did not exit", pid)
}

// waitGone waits for a helper to exit: done for one started here, else
// until /proc says it has ended (gone, or a zombie its new parent has not
// reaped yet; either way it has closed the TUN device).
func waitGone(pid int, done chan struct{}, timeout time.Duration) bool {
	deadline := time.After(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if done == nil && procfs.Ended(pid) {
			return true
		}
		select {
		case <-done:
			return true
		case <-deadline:
			return false
		case <-tick.C:
		}
	}
}

// RunHelper is `kubenode wg-helper`: it creates the userspace WireGuard
// device (TUN and wireguard-go) with its UAPI socket, writes its pid file,
// says "ready" on stdout and then holds the device until SIGTERM or
// SIGINT, or until the link is deleted. The node configures the device
// through the socket, as any wgctrl user would. It returns the exit code.
func RunHelper(args []string, log logr.Logger) int {
	fl := flag.NewFlagSet(HelperCommand, flag.ContinueOnError)
	name := fl.String("name", WireGuardName, "link name")
	mtu := fl.Int("mtu", 1420, "link MTU")
	sockDir := fl.String("socket-dir", StandardSocketDir, "directory of the UAPI socket")
	pidFile := fl.String("pid-file", "", "file to write this process's pid into")
	if err := fl.Parse(args); err != nil {
		fmt.Printf("error: %v\n", err)
		return 2
	}
	if *pidFile == "" {
		fmt.Println("error: --pid-file is required")
		return 2
	}
	// Before the device exists, so that a signal never ends the process
	// without closing it (and removing the socket and pid file).
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, syscall.SIGTERM, syscall.SIGINT)
	signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
	log = log.WithValues("link", *name, "pid", os.Getpid())
	d, err := startUserspace(*name, *mtu, *sockDir, log)
	if err == nil {
		err = writePIDFile(*pidFile)
		if err != nil {
			d.Close()
		}
	}
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	log.Info("WireGuard helper ready")
	fmt.Println("ready")
	// The readiness pipe is done: nothing may hold the node's end open.
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		unix.Dup2(int(null.Fd()), 1)
		null.Close()
	}
	// This process ran every package's init of the node's binary, for
	// nothing but wireguard-go: give back the garbage and the pages.
	debug.FreeOSMemory()
	if _, err := exepages.Drop(); err != nil {
		log.V(2).Info("binary pages not dropped", "err", err)
	}
	select {
	case s := <-sigc:
		log.Info("WireGuard helper stopping", "signal", s.String())
	case <-d.dev.Wait():
		log.Info("WireGuard helper stopping: the device was closed (link deleted?)")
	}
	d.Close()
	if data, err := os.ReadFile(*pidFile); err == nil && strings.TrimSpace(string(data)) == strconv.Itoa(os.Getpid()) {
		os.Remove(*pidFile)
	}
	return 0
}

func writePIDFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
