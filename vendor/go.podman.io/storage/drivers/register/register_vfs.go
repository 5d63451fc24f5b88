package register

import (
	// register vfs
	_ "go.podman.io/storage/drivers/vfs"
)
