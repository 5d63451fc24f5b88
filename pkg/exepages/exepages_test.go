package exepages

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadOnlyMappings(t *testing.T) {
	const smaps = `00400000-00401000 r--p 00000000 fd:01 42 /usr/bin/kubenode (deleted)
Rss:                   4 kB
Anonymous:             0 kB
VmFlags: rd mr mw me
00401000-04a00000 r-xp 00001000 fd:01 42 /usr/bin/kubenode (deleted)
Rss:               77936 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me
04a00000-0b000000 r--p 04600000 fd:01 42 /usr/bin/kubenode (deleted)
Anonymous:             0 kB
0b000000-0b007000 r--p 0ac00000 fd:01 42 /usr/bin/kubenode (deleted)
Rss:                  28 kB
Anonymous:             8 kB
0b007000-0b100000 rw-p 0ac07000 fd:01 42 /usr/bin/kubenode (deleted)
Anonymous:           484 kB
0b100000-0d200000 rw-p 00000000 00:00 0
7f0000000000-7f0000001000 r--p 00000000 fd:01 43 /usr/bin/kubenode-other
Anonymous:             0 kB
7f0000001000-7f0000002000 r--p 00001000 fd:01 42 /usr/bin/kubenode (deleted)
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
`
	got, err := readOnlyMappings(strings.NewReader(smaps), "/usr/bin/kubenode (deleted)")
	if err != nil {
		t.Fatal(err)
	}
	// The RELRO-like mapping with private copies, and the last one whose
	// Anonymous line is missing, are never unmapped.
	want := []mapping{
		{0x400000, 0x401000, false}, {0x401000, 0x4a00000, false}, {0x4a00000, 0xb000000, false},
		{0xb000000, 0xb007000, true}, {0x7f0000001000, 0x7f0000002000, true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}
	if _, err := readOnlyMappings(strings.NewReader(smaps), "/usr/bin/none"); err == nil {
		t.Fatal("no error for a path with no mapping")
	}
}

// exeRSS is the resident KiB of this process's read-only mappings of its
// executable.
func exeRSS(t *testing.T, exe string) int {
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

// mapAllEnv makes the test binary, run as a child, map its executable,
// read all of it and wait until its stdin closes.
const mapAllEnv = "EXEPAGES_TEST_MAP_ALL"

func TestMain(m *testing.M) {
	if os.Getenv(mapAllEnv) != "" {
		if err := mapAll(); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

func mapAll() error {
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		return err
	}
	sum := 0
	for i := 0; i < len(data); i += os.Getpagesize() {
		sum += int(data[i])
	}
	os.Stdout.WriteString("mapped " + strconv.Itoa(sum%2) + "\n")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// TestDropSharedPages has a second process map all of this executable, as
// a node's wgkube helper or a second node does: the kernel's page-out
// leaves pages that other processes map alone, and only unmapping them
// drops them from this process.
func TestDropSharedPages(t *testing.T) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe)
	child.Env = append(os.Environ(), mapAllEnv+"=1")
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "mapped") {
		t.Fatalf("child: %q, %v", line, err)
	}

	before := exeRSS(t, exe)
	n, err := Drop()
	if err != nil {
		t.Fatal(err)
	}
	after := exeRSS(t, exe)
	t.Logf("advised %d MiB; resident %d -> %d KiB", n>>20, before, after)
	if n == 0 || after > before*3/4 {
		t.Fatalf("advised %d bytes; resident %d -> %d KiB, want under three quarters", n, before, after)
	}
}
