package netsetup

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/go-logr/logr"
	"golang.org/x/sys/unix"
	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun"
	"golang.zx2c4.com/wireguard/wgctrl"
)

// userspaceDevice is wireguard-go running in this process on a TUN device,
// reachable through its UAPI socket like any userspace WireGuard.
type userspaceDevice struct {
	dev      *device.Device
	ln       *net.UnixListener
	sockPath string
	sock     os.FileInfo
	once     sync.Once
}

func startUserspace(name string, mtu int, sockDir string, log logr.Logger) (*userspaceDevice, error) {
	sockPath := filepath.Join(sockDir, name+".sock")
	if pid := socketHolder(sockPath); pid != 0 {
		return nil, fmt.Errorf("userspace WireGuard %s: process %d already serves %s; stop it first", name, pid, sockPath)
	}
	perm := os.FileMode(0o700)
	if sockDir == StandardSocketDir {
		perm = 0o755 // as wireguard-go makes it
	}
	if err := os.MkdirAll(sockDir, perm); err != nil {
		return nil, fmt.Errorf("userspace WireGuard %s: %w", name, err)
	}
	tdev, err := tun.CreateTUN(name, mtu)
	if err != nil {
		return nil, fmt.Errorf("userspace WireGuard %s: create TUN device: %w (needs /dev/net/tun: modprobe tun)", name, err)
	}
	wlog := log.WithValues("link", name)
	logger := &device.Logger{
		Verbosef: func(format string, args ...any) { wlog.V(2).Info("wireguard-go: " + fmt.Sprintf(format, args...)) },
		Errorf:   func(format string, args ...any) { wlog.Info("wireguard-go: " + fmt.Sprintf(format, args...)) },
	}
	// A batch size above 1 means the TUN device takes and hands out
	// GSO/GRO super-packets (virtio-net headers); without, every packet
	// is a read or write of its own.
	wlog.Info("userspace WireGuard device created", "tunBatch", tdev.BatchSize(), "tunOffloads", tdev.BatchSize() > 1)
	d := &userspaceDevice{dev: device.NewDevice(tdev, conn.NewDefaultBind(), logger), sockPath: sockPath}
	if err := d.listen(); err != nil {
		d.dev.Close()
		return nil, fmt.Errorf("userspace WireGuard %s: UAPI socket %s: %w", name, sockPath, err)
	}
	go func() {
		for {
			c, err := d.ln.Accept()
			if err != nil {
				return
			}
			go d.dev.IpcHandle(c)
		}
	}()
	return d, nil
}

// listen makes the UAPI socket. It is bound inside a fresh 0700 directory,
// made 0600, and only then renamed into place: the socket hands out the
// private key, so it is never reachable by others, not even for a moment
// (wireguard-go uses the process umask for this; changing the umask of a
// whole node process is not an option).
func (d *userspaceDevice) listen() error {
	if err := os.Remove(d.sockPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(d.sockPath), ".uapi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, "s")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return err
	}
	ln.SetUnlinkOnClose(false)
	if err = os.Chmod(tmp, 0o600); err == nil {
		err = os.Rename(tmp, d.sockPath)
	}
	if err == nil {
		d.sock, err = os.Stat(d.sockPath)
	}
	if err != nil {
		ln.Close()
		return err
	}
	d.ln = ln
	return nil
}

// Close stops the device; the kernel removes the TUN link, and the routes
// through it, when its file closes.
func (d *userspaceDevice) Close() {
	d.once.Do(func() {
		d.ln.Close()
		if cur, err := os.Stat(d.sockPath); err == nil && os.SameFile(cur, d.sock) {
			os.Remove(d.sockPath)
		}
		d.dev.Close()
	})
}

// socketHolder returns the pid of the process serving a UAPI socket, or 0
// when nothing answers there.
func socketHolder(path string) int {
	c, err := net.Dial("unix", path)
	if err != nil {
		return 0
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0
	}
	pid := 0
	_ = raw.Control(func(fd uintptr) {
		if cred, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED); err == nil {
			pid = int(cred.Pid)
		}
	})
	return pid
}

// wgClient runs wgctrl calls. With the standard socket directory it is a
// plain wgctrl client. Otherwise the calls run on one OS thread with a
// mount namespace of its own, in which the node's socket directory is
// bind-mounted over /var/run/wireguard, the only place wgctrl looks for
// userspace devices: so each node finds its own wgkube, and the kernel's
// devices (netlink, per network namespace) are found as usual.
type wgClient struct {
	direct *wgctrl.Client
	calls  chan func(*wgctrl.Client)
	// quit ends the loop; calls is never closed, so a call racing with
	// Close gets an error instead of a send on a closed channel.
	quit      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newWGClient(sockDir string) (*wgClient, error) {
	if sockDir == StandardSocketDir {
		c, err := wgctrl.New()
		if err != nil {
			return nil, err
		}
		return &wgClient{direct: c}, nil
	}
	c := &wgClient{calls: make(chan func(*wgctrl.Client)), quit: make(chan struct{}), done: make(chan struct{})}
	errc := make(chan error, 1)
	goOffMainThread(func() { c.loop(sockDir, errc) })
	if err := <-errc; err != nil {
		return nil, err
	}
	return c, nil
}

// loop runs on a thread of its own (goOffMainThread) and never unlocks
// it: the thread's mount namespace is not the process's, so the runtime
// must end the thread with this goroutine.
func (c *wgClient) loop(sockDir string, errc chan<- error) {
	defer close(c.done)
	if err := bindSocketDir(sockDir); err != nil {
		errc <- err
		return
	}
	client, err := wgctrl.New()
	if err != nil {
		errc <- err
		return
	}
	defer client.Close()
	errc <- nil
	for {
		select {
		case f := <-c.calls:
			f(client)
		case <-c.quit:
			return
		}
	}
}

// goOffMainThread runs f in a new goroutine locked to an OS thread that
// is not the process's main thread, and leaves it locked. Any goroutine
// may run on the main thread, and a thread that unshares its mount
// namespace there changes what /proc/self shows the whole process: the
// kubelet then read a private copy of the mount table in
// /proc/self/mountinfo, found its root not shared, bound it a second time
// over the pods' volume mounts and could no longer unmount them.
func goOffMainThread(f func()) {
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() != unix.Getpid() {
			f()
			return
		}
		// Hold the main thread until another goroutine has locked a
		// thread, which then cannot be this one.
		locked := make(chan struct{})
		goOffMainThread(func() {
			close(locked)
			f()
		})
		<-locked
		runtime.UnlockOSThread()
	}()
}

func bindSocketDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// The mount point; wireguard-go and wg-quick create it too.
	if err := os.MkdirAll(StandardSocketDir, 0o755); err != nil {
		return err
	}
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if err := unix.Mount(dir, StandardSocketDir, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s on %s: %w", dir, StandardSocketDir, err)
	}
	return nil
}

var errClientClosed = errors.New("wgctrl client closed")

func (c *wgClient) do(f func(*wgctrl.Client) error) error {
	if c.direct != nil {
		return f(c.direct)
	}
	errc := make(chan error, 1)
	select {
	case c.calls <- func(cl *wgctrl.Client) { errc <- f(cl) }:
	case <-c.done:
		return errClientClosed
	}
	return <-errc
}

// Close ends the client; calls after it (or racing with it) fail with
// errClientClosed.
func (c *wgClient) Close() {
	c.closeOnce.Do(func() {
		if c.direct != nil {
			c.direct.Close()
			return
		}
		close(c.quit)
	})
	if c.direct == nil {
		<-c.done
	}
}
