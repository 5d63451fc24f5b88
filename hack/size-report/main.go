// Command size-report prints what a kubenode binary is made of: the 30
// largest Go packages and modules by the size of their symbols (code,
// read-only data, type descriptors), from the ELF symbols of an unstripped
// build (`make size-report` builds one).
//
//	go run ./hack/size-report [-n 30] bin/kubenode.debug
package main

import (
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	n := flag.Int("n", 30, "rows per table")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: size-report [-n 30] BINARY (an unstripped build: make size-report)")
		os.Exit(2)
	}
	f, err := elf.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	syms, err := f.Symbols()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v (a stripped binary has no symbols: build it without -s -w)\n", flag.Arg(0), err)
		os.Exit(1)
	}
	st, err := os.Stat(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s: %.1f MiB on disk\n\nsections in the file:\n", flag.Arg(0), mib(st.Size()))
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS && s.Flags&elf.SHF_ALLOC != 0 && s.Size >= 1<<20 {
			fmt.Printf("%9.2f MiB  %s\n", mib(int64(s.Size)), s.Name)
		}
	}
	fmt.Println("(.gopclntab, the function tables, grows with .text; the tables below count .text, .rodata and .data)")
	fmt.Println()

	modules := vendoredModules("vendor/modules.txt")
	byPkg, byMod := map[string]int64{}, map[string]int64{}
	var total int64
	for _, s := range syms {
		// An external link lists each Go symbol twice, once as "local.".
		if s.Size == 0 || strings.HasPrefix(s.Name, "local.") || int(s.Section) >= len(f.Sections) {
			continue
		}
		sec := f.Sections[s.Section]
		if sec.Type == elf.SHT_NOBITS || sec.Flags&elf.SHF_ALLOC == 0 || sec.Name == ".gopclntab" {
			continue
		}
		pkg := packageOf(s.Name)
		size := int64(s.Size)
		total += size
		byPkg[pkg] += size
		byMod[moduleOf(pkg, modules)] += size
	}
	table("package", byPkg, total, *n)
	fmt.Println()
	table("module", byMod, total, *n)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func table(what string, sizes map[string]int64, total int64, n int) {
	keys := make([]string, 0, len(sizes))
	for k := range sizes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return sizes[keys[i]] > sizes[keys[j]] })
	fmt.Printf("%9s %6s  %s (largest %d of %d)\n", "MiB", "%", what, min(n, len(keys)), len(keys))
	for _, k := range keys[:min(n, len(keys))] {
		fmt.Printf("%9.2f %5.1f%%  %s\n", mib(sizes[k]), 100*float64(sizes[k])/float64(total), k)
	}
}

// packageOf returns the import path a symbol belongs to:
// "k8s.io/api/core/v1.(*Pod).Marshal" and "type:*k8s.io/api/core/v1.Pod"
// both give "k8s.io/api/core/v1". Symbols of no Go package (C code, the
// linker's tables) are "(non-Go)".
func packageOf(sym string) string {
	if strings.HasPrefix(sym, "go:func.") || strings.HasPrefix(sym, "runtime.") && strings.Contains(sym, "tab") {
		return "(Go function and type tables)"
	}
	for _, p := range []string{"go:itab.", "type:.eq.", "type:.hash.", "type:", "go:", "gclocals·", "*"} {
		sym = strings.TrimPrefix(sym, p)
	}
	sym = strings.TrimLeft(sym, "*[]")
	if strings.HasPrefix(sym, ".") {
		return "(anonymous types)"
	}
	// The package path ends at the first dot after its last slash; a
	// generic instance's type arguments come after that.
	if i := strings.IndexAny(sym, "[("); i >= 0 {
		sym = sym[:i]
	}
	slash := strings.LastIndex(sym, "/")
	dot := strings.Index(sym[slash+1:], ".")
	if dot < 0 {
		return "(non-Go)"
	}
	return sym[:slash+1+dot]
}

// vendoredModules lists module paths from vendor/modules.txt.
func vendoredModules(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var mods []string
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "#" && !strings.HasPrefix(f[1], "=>") {
			mods = append(mods, f[1])
		}
	}
	// Longest first, so that k8s.io/kubernetes/... does not match k8s.io/kube.
	sort.Slice(mods, func(i, j int) bool { return len(mods[i]) > len(mods[j]) })
	return mods
}

// moduleOf maps a package to its module: a vendored module, kubenode's own,
// or the standard library.
func moduleOf(pkg string, modules []string) string {
	for _, m := range modules {
		if pkg == m || strings.HasPrefix(pkg, m+"/") {
			return m
		}
	}
	if strings.HasPrefix(pkg, "github.com/kubenode/kubenode") {
		return "github.com/kubenode/kubenode"
	}
	if pkg == "(non-Go)" || pkg == "main" {
		return pkg
	}
	if first := strings.Split(pkg, "/")[0]; !strings.Contains(first, ".") {
		return "(standard library)"
	}
	return filepath.Dir(pkg) + " (unknown module)"
}
