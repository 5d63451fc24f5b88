package supervisor

import (
	"fmt"
	"net"
	"os"
)

// NotifierFromEnv returns a notifier bound to the current NOTIFY_SOCKET and
// removes the variable from the process environment, so that only the
// manager talks to systemd. Embedded upstream code would otherwise announce
// itself: kube-apiserver sends READY=1 as soon as it alone serves (long
// before the node is ready) and unsets the variable while doing so, which
// would silence kubenode's own READY=1 and STOPPING=1. Call it first thing
// in main, before any component starts.
func NotifierFromEnv() func(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	os.Unsetenv("NOTIFY_SOCKET")
	return func(state string) error { return sdNotify(path, state) }
}

// SdNotify sends state (e.g. "READY=1") to $NOTIFY_SOCKET, the socket
// systemd gives a Type=notify service; a leading '@' names a socket in the
// abstract namespace. Without NOTIFY_SOCKET (not run by systemd) it does
// nothing.
func SdNotify(state string) error { return sdNotify(os.Getenv("NOTIFY_SOCKET"), state) }

func sdNotify(path, state string) error {
	if path == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify %q: %w", state, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %q: %w", state, err)
	}
	return nil
}
