package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

// Profiles for measuring kubenode itself (for example
// KUBENODE_CPUPROFILE=/tmp/cpu.pprof hack/bench.sh; the warm start
// overwrites the cold one), set by
// environment so that nothing about them shows in the CLI:
//
//	KUBENODE_CPUPROFILE=FILE   CPU profile from the node's start to READY
//	KUBENODE_TRACE=FILE        execution trace over the same span
//	KUBENODE_HEAPPROFILE=FILE  heap profile KUBENODE_HEAPPROFILE_AFTER (60s)
//	                           after READY, after a GC
//	KUBENODE_IDLECPUPROFILE=FILE  CPU profile of the idle node: over the
//	                           minute that starts 5 s after READY, as
//	                           hack/bench.sh measures (run it with IDLE=70)
//	KUBENODE_IDLETRACE=FILE    execution trace over the same minute (which
//	                           goroutines wake up, how often)
//
// withProfiles starts them and returns notify wrapped to end the start-up
// ones at READY=1.
func withProfiles(notify func(string) error) func(string) error {
	stops := startProfiles("", os.Getenv("KUBENODE_CPUPROFILE"), os.Getenv("KUBENODE_TRACE"))
	heap := os.Getenv("KUBENODE_HEAPPROFILE")
	idleCPU, idleTrace := os.Getenv("KUBENODE_IDLECPUPROFILE"), os.Getenv("KUBENODE_IDLETRACE")
	if len(stops) == 0 && heap == "" && idleCPU == "" && idleTrace == "" {
		return notify
	}
	after := time.Minute
	if v := os.Getenv("KUBENODE_HEAPPROFILE_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kubenode: KUBENODE_HEAPPROFILE_AFTER=%q: %v\n", v, err)
			os.Exit(1)
		}
		after = d
	}
	var once sync.Once
	return func(state string) error {
		if state == "READY=1" {
			once.Do(func() {
				stopAll(stops)
				if heap != "" {
					time.AfterFunc(after, func() { writeHeap(heap) })
				}
				if idleCPU != "" || idleTrace != "" {
					time.AfterFunc(5*time.Second, func() { profileIdle(idleCPU, idleTrace) })
				}
			})
		}
		return notify(state)
	}
}

func create(path string) *os.File {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubenode: profile:", err)
		return nil
	}
	return f
}

func start(what string, err error) bool {
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubenode: %s: %v\n", what, err)
	}
	return err == nil
}

func writeHeap(path string) {
	runtime.GC()
	f := create(path)
	if f == nil {
		return
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "kubenode: heap profile:", err)
	}
}

// profileIdle writes a CPU profile and an execution trace of the next
// minute (either path may be empty). The start-up ones have ended at
// READY, so the two never overlap.
func profileIdle(cpuPath, tracePath string) {
	stops := startProfiles("idle ", cpuPath, tracePath)
	time.AfterFunc(time.Minute, func() { stopAll(stops) })
}

// startProfiles starts a CPU profile and an execution trace into the files
// named (either may be empty; what names them in errors) and returns what
// stops each one that started.
func startProfiles(what, cpuPath, tracePath string) []func() {
	var stops []func()
	for _, p := range []struct {
		path, what string
		start      func(io.Writer) error
		stop       func()
	}{
		{cpuPath, "CPU profile", pprof.StartCPUProfile, pprof.StopCPUProfile},
		{tracePath, "trace", trace.Start, trace.Stop},
	} {
		if p.path == "" {
			continue
		}
		f := create(p.path)
		if f == nil {
			continue
		}
		if !start(what+p.what, p.start(f)) {
			f.Close()
			continue
		}
		stops = append(stops, func() { p.stop(); f.Close() })
	}
	return stops
}

func stopAll(stops []func()) {
	for _, stop := range stops {
		stop()
	}
}
