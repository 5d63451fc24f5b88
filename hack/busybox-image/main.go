// Command busybox-image writes an OCI archive of a one-file image holding
// the host's static busybox (Debian: busybox-static), tagged
// localhost/busybox:latest, for trying kubenode without a registry:
//
//	go run ./hack/busybox-image /var/lib/kubenode/images/busybox.tar
package main

import (
	"fmt"
	"os"

	"github.com/kubenode/kubenode/pkg/images/imagetest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: busybox-image OUT.tar")
		os.Exit(2)
	}
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		fmt.Fprintln(os.Stderr, "busybox-image: install busybox-static:", err)
		os.Exit(1)
	}
	img := imagetest.Image{
		Layers:     []map[string]imagetest.File{{"bin/busybox": {Mode: 0o755, Data: bb}}},
		Entrypoint: []string{"/bin/busybox", "sh"},
	}
	if err := imagetest.WriteOCIArchive(os.Args[1], img, "localhost/busybox:latest"); err != nil {
		fmt.Fprintln(os.Stderr, "busybox-image:", err)
		os.Exit(1)
	}
}
