// Command etcd is etcd's own main (etcdmain), built from the etcd module the
// pinned Kubernetes module requires, for the conformance etcd image.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
