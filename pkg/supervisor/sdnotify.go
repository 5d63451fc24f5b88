package supervisor

import (
	"fmt"

	"github.com/coreos/go-systemd/v22/daemon"
)

// SdNotify sends state (e.g. "READY=1") to the socket named by
// $NOTIFY_SOCKET, where systemd listens for Type=notify services; a leading
// '@' names a socket in the abstract namespace. Without NOTIFY_SOCKET (not
// run by systemd) it does nothing and returns nil.
func SdNotify(state string) error {
	// The variable stays set: the manager sends STOPPING=1 after READY=1.
	if _, err := daemon.SdNotify(false, state); err != nil {
		return fmt.Errorf("sd_notify %q: %w", state, err)
	}
	return nil
}
