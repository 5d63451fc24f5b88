// Command race-report groups the race detector's reports (GORACE
// log_path files) by the two functions that touched the memory, prints
// each group once with how often it was seen, and fails when a group is
// not in the known list: upstream races that kubenode has not fixed, each
// with a reason.
//
//	go run ./hack/race-report -known hack/race-known.txt DIR/report.*
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// race is one report: the function of the current access and of the
// previous one, and the first frames of each for the reader.
type race struct {
	current, previous string
	detail            []string
}

// key names the pair of functions in either order, as the known list does:
// which access the detector saw first varies from run to run.
func (r race) key() string { return pairKey(r.current, r.previous) }

func main() {
	known := flag.String("known", "", "file of known races: lines 'FUNC <> FUNC  # why' (either order)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Println("race-report: no report files: no data race was detected")
		return
	}
	var all []race
	for _, f := range flag.Args() {
		rs, err := parse(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "race-report:", err)
			os.Exit(2)
		}
		all = append(all, rs...)
	}
	allowed, err := readKnown(*known)
	if err != nil {
		fmt.Fprintln(os.Stderr, "race-report:", err)
		os.Exit(2)
	}

	groups := map[string][]race{}
	for _, r := range all {
		groups[r.key()] = append(groups[r.key()], r)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	unknown := 0
	for _, k := range keys {
		r := groups[k][0]
		status := "NEW"
		if why, ok := allowed[k]; ok {
			status = "known: " + why
		} else {
			unknown++
		}
		fmt.Printf("%d× %s\n   %s\n", len(groups[k]), k, status)
		for _, l := range r.detail {
			fmt.Println("     ", l)
		}
	}
	fmt.Printf("race-report: %d reports, %d distinct races, %d not known\n", len(all), len(keys), unknown)
	if unknown > 0 {
		os.Exit(1)
	}
}

// parse reads one log_path file: reports are separated by lines of '='.
func parse(file string) ([]race, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []race
	for _, block := range strings.Split(string(data), "==================") {
		lines := strings.Split(block, "\n")
		var r race
		for i, l := range lines {
			cur := strings.HasPrefix(l, "Write at") || strings.HasPrefix(l, "Read at")
			prev := strings.HasPrefix(l, "Previous write") || strings.HasPrefix(l, "Previous read")
			if !cur && !prev {
				continue
			}
			frames := topFrames(lines[i+1:], 3)
			if len(frames) == 0 {
				continue
			}
			if cur {
				r.current = frames[0]
			} else {
				r.previous = frames[0]
			}
			r.detail = append(r.detail, strings.Fields(l)[0]+" "+strings.Join(frames, " < "))
		}
		if r.current != "" && r.previous != "" {
			out = append(out, r)
		}
	}
	return out, nil
}

// topFrames returns the function names of the first n frames of a stack
// (function lines are indented by two spaces, file lines by more).
func topFrames(lines []string, n int) []string {
	var fs []string
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			break
		}
		if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") {
			fs = append(fs, strings.TrimSpace(l))
			if len(fs) == n {
				break
			}
		}
	}
	return fs
}

func pairKey(a, b string) string {
	p := []string{a, b}
	slices.Sort(p)
	return p[0] + " <> " + p[1]
}

func readKnown(file string) (map[string]string, error) {
	m := map[string]string{}
	if file == "" {
		return m, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pair, why, _ := strings.Cut(line, "#")
		a, b, ok := strings.Cut(pair, "<>")
		if !ok || strings.TrimSpace(why) == "" {
			return nil, fmt.Errorf("%s:%d: want 'FUNC <> FUNC  # why'", file, n)
		}
		m[pairKey(strings.TrimSpace(a), strings.TrimSpace(b))] = strings.TrimSpace(why)
	}
	return m, sc.Err()
}
