package main

import (
	"bufio"
	"errors"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestExeMappings(t *testing.T) {
	const maps = `00400000-00401000 r--p 00000000 fd:01 42 /usr/bin/kubenode (deleted)
00401000-04a00000 r-xp 00001000 fd:01 42 /usr/bin/kubenode (deleted)
04a00000-0b000000 r--p 04600000 fd:01 42 /usr/bin/kubenode (deleted)
0b000000-0b100000 rw-p 0ac00000 fd:01 42 /usr/bin/kubenode (deleted)
0b100000-0d200000 rw-p 00000000 00:00 0
7f0000000000-7f0000001000 r--p 00000000 fd:01 43 /usr/bin/kubenode-other
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
`
	got, err := exeMappings(strings.NewReader(maps), "/usr/bin/kubenode (deleted)")
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]uintptr{{0x400000, 0x401000}, {0x401000, 0x4a00000}, {0x4a00000, 0xb000000}}
	if len(got) != len(want) {
		t.Fatalf("got %x, want %x", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %x, want %x", got, want)
		}
	}
	if _, err := exeMappings(strings.NewReader(maps), "/usr/bin/none"); err == nil {
		t.Fatal("no error for a path with no mapping")
	}
}

// exeRSS is the resident KiB of this process's read-only mappings of its
// executable.
func exeRSS(t *testing.T) int {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kib, in := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = strings.HasSuffix(sc.Text(), " "+exe) && !strings.Contains(fields[1], "w")
			continue
		}
		if in && fields[0] == "Rss:" {
			n, err := strconv.Atoi(fields[1])
			if err != nil {
				t.Fatal(err)
			}
			kib += n
		}
	}
	return kib
}

func TestPageOutBinary(t *testing.T) {
	before := exeRSS(t)
	n, err := pageOutBinary()
	if errors.Is(err, unix.EINVAL) {
		t.Skip("kernel without MADV_PAGEOUT (Linux < 5.4)")
	}
	if err != nil {
		t.Fatal(err)
	}
	after := exeRSS(t)
	t.Logf("advised %d MiB; resident %d -> %d KiB", n>>20, before, after)
	if n == 0 || after >= before {
		t.Fatalf("advised %d bytes; resident %d -> %d KiB, want fewer", n, before, after)
	}
}

func TestNodeGCPercent(t *testing.T) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(debug.SetGCPercent(idleGCPercent))
	var states []string
	notify := withNodeMemory(func(s string) error { states = append(states, s); return nil })
	if got := debug.SetGCPercent(startGCPercent); got != startGCPercent {
		t.Fatalf("GC percent before READY: %d, want %d", got, startGCPercent)
	}
	for _, s := range []string{"STATUS=x", "READY=1"} {
		if err := notify(s); err != nil {
			t.Fatal(err)
		}
	}
	if got := debug.SetGCPercent(idleGCPercent); got != idleGCPercent {
		t.Fatalf("GC percent after READY: %d, want %d", got, idleGCPercent)
	}
	if len(states) != 2 || states[1] != "READY=1" {
		t.Fatalf("notified %q, want both states passed on", states)
	}

	t.Setenv("GOGC", "80")
	debug.SetGCPercent(80)
	withNodeMemory(func(string) error { return nil })
	if got := debug.SetGCPercent(80); got != 80 {
		t.Fatalf("GC percent with GOGC=80 set: %d, want 80 kept", got)
	}
}
