// Package reflectorbackoff shortens client-go's retry backoff for
// reflectors (every informer and watch in the process: the kubelet's pods,
// kube-proxy's Services, the mesh's Nodes).
//
// A worker's components watch the primary's API, and the primary restarts
// as a whole process. While it is down every watch gets "connection
// refused" and client-go backs off exponentially up to 30 s, doubled by
// jitter, and keeps that backoff for 2 minutes: a pod bound to the worker
// right after the primary came back was seen by the kubelet up to a minute
// later. Capped at 1 s a reflector retries every 1-2 s, which a small
// cluster's apiserver (down anyway, or idle) does not notice.
//
// client-go has no option for the reflectors that the kubelet and
// kube-proxy build themselves, so this sets its package defaults, once,
// before any reflector exists.
package reflectorbackoff

import (
	"time"
	_ "unsafe" // go:linkname

	_ "k8s.io/client-go/tools/cache" // the variables below are its
)

// Max is the longest backoff between two attempts of a reflector, before
// jitter (which adds up to as much again).
const Max = time.Second

//go:linkname defaultBackoffMax k8s.io/client-go/tools/cache.defaultBackoffMax
var defaultBackoffMax time.Duration

//go:linkname defaultBackoffInit k8s.io/client-go/tools/cache.defaultBackoffInit
var defaultBackoffInit time.Duration

// Set caps the backoff of every reflector made after it at Max. It must
// run before the components start.
func Set() {
	if defaultBackoffInit > Max {
		defaultBackoffInit = Max
	}
	defaultBackoffMax = Max
}

// Current returns the backoff client-go's reflectors start with and stop
// at, for the tests.
func Current() (init, max time.Duration) { return defaultBackoffInit, defaultBackoffMax }
