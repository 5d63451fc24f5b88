package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
	"k8s.io/klog/v2"
)

// startGCPercent is GOGC for a node until it is ready.
const startGCPercent = 100

// withNodeMemory wraps notify for a node process (primary or worker): it
// runs the start-up with the garbage collector at 100% heap growth, and
// once the node is ready (READY=1) it goes back to idleGCPercent and drops
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
// run again) stays resident for nothing but counts in the node's RSS and
// PSS. The pages are clean and file-backed: the kernel would evict them
// under memory pressure anyway, and what the running node still needs is
// faulted back in from the file. Measured (hack/bench.sh, no pods, median
// of 3): PSS after 60 s idle 317 -> 291 MiB, mapped binary 160 -> 135 MiB,
// idle CPU unchanged (1.74 -> 1.65 s).
func withNodeMemory(notify func(string) error) func(string) error {
	gogc := os.Getenv("GOGC") == ""
	if gogc {
		debug.SetGCPercent(startGCPercent)
	}
	var once sync.Once
	return func(state string) error {
		if state == "READY=1" {
			once.Do(func() {
				if gogc {
					debug.SetGCPercent(idleGCPercent)
				}
				go func() {
					n, err := pageOutBinary()
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

// pageOutBinary advises the kernel to reclaim this process's read-only
// mappings of its own executable (MADV_PAGEOUT, Linux 5.4 on) and returns
// how many bytes it advised. Pages another process maps too (the wgkube
// helper runs this binary) are left alone by the kernel.
func pageOutBinary() (uintptr, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	ranges, err := exeMappings(f, exe)
	if err != nil {
		return 0, err
	}
	var total uintptr
	for _, r := range ranges {
		if _, _, e := unix.Syscall(unix.SYS_MADVISE, r[0], r[1]-r[0], unix.MADV_PAGEOUT); e != 0 {
			return total, fmt.Errorf("madvise(MADV_PAGEOUT): %w", e)
		}
		total += r[1] - r[0]
	}
	return total, nil
}

// exeMappings returns the [start, end) ranges of the mappings of path in a
// /proc/PID/maps listing that are not writable (code and read-only data;
// written data pages are not the file's any more).
func exeMappings(maps io.Reader, path string) ([][2]uintptr, error) {
	var ranges [][2]uintptr
	sc := bufio.NewScanner(maps)
	for sc.Scan() {
		// address perms offset dev inode path (the path may hold spaces,
		// e.g. " (deleted)" after an upgrade replaced the file).
		fields := strings.SplitN(sc.Text(), " ", 6)
		if len(fields) < 6 || strings.TrimLeft(fields[5], " ") != path || strings.Contains(fields[1], "w") {
			continue
		}
		var lo, hi uintptr
		if _, err := fmt.Sscanf(fields[0], "%x-%x", &lo, &hi); err != nil {
			return nil, fmt.Errorf("maps line %q: %w", sc.Text(), err)
		}
		ranges = append(ranges, [2]uintptr{lo, hi})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ranges) == 0 {
		return nil, errors.New("no read-only mapping of " + path)
	}
	return ranges, nil
}
