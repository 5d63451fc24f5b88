package main

import (
	"os"
	"runtime/debug"
	"sync"

	"k8s.io/klog/v2"

	"github.com/kubenode/kubenode/pkg/exepages"
)

// startGCPercent is GOGC for a node until it is ready.
const startGCPercent = 100

// withNodeMemory wraps notify for a node process (primary or worker): it
// runs the start-up with the garbage collector at 100% heap growth, and
// once the node is ready (READY=1) it goes to idlePercent and drops
// from memory the pages of the binary that only start-up touched.
//
// Start-up allocates fast (OpenAPI specs, schemes, informers' first
// lists) and at 50% spent ~19% of its CPU in GC. At 100% until ready
// (hack/bench.sh PODS=0 CLAIMS=0, median of 3, with the page-out below):
// CPU to ready cold 4.55 -> 3.63 s, warm 4.16 -> 2.90 s; peak RSS 364 ->
// 381 MiB; PSS after 60 s idle 291 -> 308 MiB (probably fragmentation:
// what lives on is spread over more spans). 200% and 400% saved little more CPU (cold 3.4
// s) for +35..45 MiB PSS and a peak RSS of 440..550 MiB, so 100% it is. A
// soft memory limit is not set: 200 MiB at idle made the GC run without
// pause (64 s CPU per idle minute), and a node's heap grows with its
// cluster, so no fixed default fits. GOGC in the environment wins.
//
// Start-up runs every package's init and builds the apiserver's routes,
// OpenAPI specs and the controllers: it maps ~160 MiB of the 175 MiB
// binary, and most of that code and data (pclntab of functions that never
// run again) stays resident for nothing (see exepages). Measured with the
// page-out alone (hack/bench.sh, no pods, median of 3): PSS after 60 s
// idle 317 -> 291 MiB, mapped binary 160 -> 135 MiB, idle CPU unchanged
// (1.74 -> 1.65 s).
//
// A primary at idle keeps ~80 MB of live heap and ~25 MB of goroutine
// stacks, and the GC's goal counts both: at 25% growth the goal is ~25 MB
// lower than at 50%. Measured (hack/bench.sh, median of 3, alternated with
// 50%, before vendor patch 0009): PSS after 60 s idle 337 -> 315 MiB, idle
// CPU 1.76 -> 1.77 s, pod start unchanged. With 0009 as well, against the
// build before both: idle CPU 1.70 -> 1.87 s, a sixth of it in GC marking.
func withNodeMemory(notify func(string) error, idlePercent int) func(string) error {
	gogc := os.Getenv("GOGC") == ""
	if gogc {
		debug.SetGCPercent(startGCPercent)
	}
	var once sync.Once
	return func(state string) error {
		if state == "READY=1" {
			once.Do(func() {
				if gogc {
					debug.SetGCPercent(idlePercent)
				}
				go func() {
					n, err := exepages.Drop()
					if err != nil {
						klog.Background().V(2).Info("binary start-up pages not dropped", "err", err)
						return
					}
					klog.Background().V(4).Info("binary start-up pages dropped", "advisedMiB", n>>20)
				}()
			})
		}
		return notify(state)
	}
}
