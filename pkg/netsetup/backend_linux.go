package netsetup

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/go-logr/logr"
	"github.com/vishvananda/netlink"
)

// wireGuardBackend makes wgkube and keeps it alive, in one of three ways:
//
//   - kernel: a wireguard link; it outlives every process, like brkube.
//   - in-process: wireguard-go on a TUN device inside this process; it ends
//     with the process (one-shot commands, `kubenode network apply`).
//   - helper: wireguard-go in a helper process (this binary re-executed as
//     `kubenode wg-helper`, in a session of its own), so the device and the
//     routes through it outlive a restart of the node process, as a kernel
//     device does. The next start adopts it.
//
// Whatever the backend, the device is configured through wgctrl (netlink
// or the UAPI socket), so the plan and the diff do not depend on it.
type wireGuardBackend interface {
	// create makes the device; the link exists when it returns.
	create(name string, mtu int) error
	// holding: the device ends with this process.
	holding(name string) bool
	// owns tells whether pid, the process serving the device's UAPI
	// socket, is this backend's; a helper left by an earlier start of
	// this node is adopted here.
	owns(name string, pid int) bool
	// release lets go of the device: a kernel or helper device stays with
	// its routes (a restart), an in-process one ends.
	release()
	// teardown stops what keeps the device alive, so that it goes with
	// its routes, and says whether there was something to stop. It does
	// nothing to a kernel device, which stays until reset as brkube does.
	teardown(name string) (bool, error)
}

type kernelBackend struct{}

func (kernelBackend) create(name string, mtu int) error {
	return netlink.LinkAdd(&netlink.Wireguard{LinkAttrs: netlink.LinkAttrs{Name: name, MTU: mtu}})
}
func (kernelBackend) holding(string) bool           { return false }
func (kernelBackend) owns(string, int) bool         { return false }
func (kernelBackend) release()                      {}
func (kernelBackend) teardown(string) (bool, error) { return false, nil }

// inProcessBackend runs wireguard-go in this process.
type inProcessBackend struct {
	sockDir string
	log     logr.Logger

	mu      sync.Mutex
	devices map[string]*userspaceDevice
}

func newInProcessBackend(sockDir string, log logr.Logger) *inProcessBackend {
	return &inProcessBackend{sockDir: sockDir, log: log, devices: map[string]*userspaceDevice{}}
}

func (b *inProcessBackend) create(name string, mtu int) error {
	d, err := startUserspace(name, mtu, b.sockDir, b.log)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.devices[name] = d
	b.mu.Unlock()
	return nil
}

func (b *inProcessBackend) holding(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.devices[name] != nil
}

func (b *inProcessBackend) owns(name string, pid int) bool { return false }

func (b *inProcessBackend) release() {
	b.mu.Lock()
	devices := b.devices
	b.devices = map[string]*userspaceDevice{}
	b.mu.Unlock()
	for name, d := range devices {
		d.Close()
		b.log.Info("WireGuard device released", "link", name)
	}
}

func (b *inProcessBackend) teardown(name string) (bool, error) {
	b.mu.Lock()
	d := b.devices[name]
	delete(b.devices, name)
	b.mu.Unlock()
	if d == nil {
		return false, nil
	}
	d.Close()
	return true, nil
}

// deleteLink removes a link by name; fs.ErrNotExist when it is gone.
func deleteLink(name string) error {
	l, err := netlink.LinkByName(name)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("link %s: %w", name, fs.ErrNotExist)
	}
	if err != nil {
		return err
	}
	return netlink.LinkDel(l)
}
