// Package exepages drops from a process's memory the pages of its own
// executable that it no longer uses.
//
// kubenode is one large binary (~175 MiB), and every process that runs it
// (the node, the wgkube helper) runs every package's init, and a node its
// whole start-up: that maps most of the file, and the pages stay resident
// in the process, counted in its RSS and PSS, long after start-up. They are
// clean and file-backed: whatever the process still runs is faulted back
// in from the page cache (or the file).
package exepages

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Drop advises the kernel about this process's read-only mappings of its
// executable and returns how many bytes it advised:
//   - MADV_PAGEOUT (Linux 5.4 on) reclaims the pages that no other process
//     maps, so they leave memory, not only this process;
//   - MADV_DONTNEED then unmaps the rest from this process: pages that
//     another process running the same binary maps too (a node and its
//     wgkube helper, or two nodes on one host), which the kernel's page-out
//     leaves alone. They stay in the page cache for the other process.
//   - MADV_RANDOM then turns off read-ahead for these mappings: what the
//     process runs later is read back one page at a time. Page cache
//     folios are large (ext4 on Linux 6.18 reads the binary in folios of up
//     to 2 MiB here), and a fault maps the whole folio around the page it
//     needs: without this a primary node had ~145 of its ~170 MiB mapped
//     again a few seconds after dropping them, with it ~80 MiB.
//
// Only mappings without write permission are touched, and only those whose
// pages are all still the file's are unmapped: the RELRO segment is
// read-only too, but the C start-up wrote its relocations into it before
// making it so, and unmapping would bring back the file's unrelocated
// bytes (the process aborts).
func Drop() (uintptr, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	maps, err := readOnlyMappings(f, exe)
	if err != nil {
		return 0, err
	}
	var total uintptr
	for _, m := range maps {
		// EINVAL: a kernel before 5.4; unmapping alone still helps.
		if err := madvise(m, unix.MADV_PAGEOUT); err != nil && !errors.Is(err, unix.EINVAL) {
			return total, fmt.Errorf("madvise(MADV_PAGEOUT): %w", err)
		}
		if !m.written {
			if err := madvise(m, unix.MADV_DONTNEED); err != nil {
				return total, fmt.Errorf("madvise(MADV_DONTNEED): %w", err)
			}
			if err := madvise(m, unix.MADV_RANDOM); err != nil {
				return total, fmt.Errorf("madvise(MADV_RANDOM): %w", err)
			}
		}
		total += m.end - m.start
	}
	return total, nil
}

// madvise takes an address range, not a slice: the mappings are the
// executable's, not memory Go allocated.
func madvise(m mapping, advice int) error {
	if _, _, e := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, uintptr(advice)); e != 0 {
		return e
	}
	return nil
}

// mapping is [start, end) of a mapping; written: some of its pages are
// private copies (smaps' Anonymous is not 0), no longer the file's.
type mapping struct {
	start, end uintptr
	written    bool
}

// readOnlyMappings returns the mappings of path in a /proc/PID/smaps
// listing that are not writable (code and read-only data).
func readOnlyMappings(smaps io.Reader, path string) ([]mapping, error) {
	var maps []mapping
	in := false
	sc := bufio.NewScanner(smaps)
	for sc.Scan() {
		line := sc.Text()
		if in && strings.HasPrefix(line, "Anonymous:") {
			maps[len(maps)-1].written = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "Anonymous:"), "kB")) != "0"
			continue
		}
		// A mapping's header: address perms offset dev inode path (the
		// path may hold spaces, e.g. " (deleted)" after an upgrade
		// replaced the file); its fields are "Key: value" lines.
		fields := strings.SplitN(line, " ", 6)
		if len(fields) < 5 || !strings.Contains(fields[0], "-") || strings.HasSuffix(fields[0], ":") {
			continue
		}
		in = len(fields) == 6 && strings.TrimLeft(fields[5], " ") == path && !strings.Contains(fields[1], "w")
		if !in {
			continue
		}
		m := mapping{written: true} // until its Anonymous line says none
		if _, err := fmt.Sscanf(fields[0], "%x-%x", &m.start, &m.end); err != nil {
			return nil, fmt.Errorf("smaps line %q: %w", line, err)
		}
		maps = append(maps, m)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(maps) == 0 {
		return nil, errors.New("no read-only mapping of " + path)
	}
	return maps, nil
}
