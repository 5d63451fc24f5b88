package gate

import (
	"errors"
	"net"
	"testing"
	"time"
)

// listen listens on all addresses, so that the test can dial it from
// loopback and from a non-loopback address of this host.
func listen(t *testing.T) (*Listener, string) {
	t.Helper()
	inner, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	l := New(inner)
	t.Cleanup(func() { l.Close() })
	return l, inner.Addr().(*net.TCPAddr).String()
}

// remoteIP is an address of this host that is not loopback.
func remoteIP(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP
		}
	}
	t.Skip("no non-loopback IPv4 address on this host")
	return nil
}

func accepted(l *Listener) <-chan net.Conn {
	ch := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(ch)
				return
			}
			ch <- c
		}
	}()
	return ch
}

func dial(t *testing.T, from net.IP, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from}}
	_, port, _ := net.SplitHostPort(addr)
	to := "127.0.0.1"
	if !from.IsLoopback() {
		to = from.String()
	}
	c, err := d.Dial("tcp4", net.JoinHostPort(to, port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestHoldsRemoteUntilOpen(t *testing.T) {
	l, addr := listen(t)
	got := accepted(l)
	remote := remoteIP(t)

	dial(t, remote, addr)
	dial(t, net.IPv4(127, 0, 0, 1), addr)
	select {
	case c := <-got:
		if !c.RemoteAddr().(*net.TCPAddr).IP.IsLoopback() {
			t.Fatalf("first connection from %s, want loopback", c.RemoteAddr())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the loopback connection was not accepted")
	}
	select {
	case c := <-got:
		t.Fatalf("connection from %s passed before Open", c.RemoteAddr())
	case <-time.After(300 * time.Millisecond):
	}

	l.Open()
	select {
	case c := <-got:
		if !c.RemoteAddr().(*net.TCPAddr).IP.Equal(remote) {
			t.Fatalf("connection from %s, want the held one from %s", c.RemoteAddr(), remote)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the held connection was not released by Open")
	}
	// Once open, remote connections pass at once.
	dial(t, remote, addr)
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("a connection after Open was not accepted")
	}
}

func TestCloseEndsAcceptAndHeld(t *testing.T) {
	l, addr := listen(t)
	got := accepted(l)
	c := dial(t, remoteIP(t), addr)
	time.Sleep(100 * time.Millisecond)
	l.Close()
	if _, ok := <-got; ok {
		t.Fatal("Accept returned a connection after Close")
	}
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
	}
	// The held connection is closed: the client reads EOF.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("read on a held connection after Close: %v, want EOF", err)
	}
}
