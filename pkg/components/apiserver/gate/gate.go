// Package gate holds remote clients of a server until it has been ready
// once.
//
// kube-apiserver serves as soon as it listens, before its informers have
// filled the RBAC authorizer's cache; until they have, it refuses what RBAC
// allows (403). A primary that restarts is reached at once by the workers'
// kubelets, kube-proxies and CoreDNS, whose watches reconnect the moment
// the port answers, and each logged "forbidden" errors for EndpointSlices,
// Nodes, Namespaces and ServiceCIDRs. Upstream leaves this to a load
// balancer that checks /readyz; a kubenode cluster has none, so the
// apiserver's listener does it: connections from loopback (the readiness
// probe, the primary's own components) pass at once, others wait, accepted
// by the kernel, until Open.
package gate

import (
	"errors"
	"net"
	"sync"
)

// Listener is a net.Listener that holds non-loopback connections until
// Open.
type Listener struct {
	net.Listener

	once    sync.Once
	opened  chan struct{}
	closed  chan struct{}
	conns   chan net.Conn
	errs    chan error
	start   sync.Once
	closeMu sync.Once
}

// New wraps l; nothing is accepted from l until the first Accept.
func New(l net.Listener) *Listener {
	return &Listener{
		Listener: l,
		opened:   make(chan struct{}),
		closed:   make(chan struct{}),
		conns:    make(chan net.Conn),
		errs:     make(chan error),
	}
}

// Open lets every connection through, including those held so far.
func (l *Listener) Open() { l.once.Do(func() { close(l.opened) }) }

// Accept returns the next connection that may be served.
func (l *Listener) Accept() (net.Conn, error) {
	l.start.Do(func() { go l.loop() })
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close closes the listener and the connections still held.
func (l *Listener) Close() error {
	err := l.Listener.Close()
	l.closeMu.Do(func() { close(l.closed) })
	return err
}

func (l *Listener) loop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case l.errs <- err:
			case <-l.closed:
				return
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if isLoopback(c.RemoteAddr()) {
			l.hand(c)
			continue
		}
		select {
		case <-l.opened:
			l.hand(c)
		default:
			go func() {
				select {
				case <-l.opened:
					l.hand(c)
				case <-l.closed:
					c.Close()
				}
			}()
		}
	}
}

// hand passes c to Accept, or closes it if the listener is closed first.
func (l *Listener) hand(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.closed:
		c.Close()
	}
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
