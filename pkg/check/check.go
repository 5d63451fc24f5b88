// Package check is the one registry of the checks kubenode runs on a host:
// the preflight checks before a node starts, `kubenode check` (the host's
// prerequisites), `kubenode config check` and `kubenode doctor`. Each check
// has a stable ID, a severity and the fix to apply when it fails, so that
// the same problem reads the same wherever it is found.
package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Severity says what a failed check means.
type Severity string

const (
	// Error: the node cannot work (or traffic is lost) until it is fixed.
	Error Severity = "error"
	// Warning: the node works, but will not for long or not everywhere.
	Warning Severity = "warning"
)

// Check is one registered check.
type Check struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	// Fix is what to do when the check fails, unless the result carries a
	// more precise one.
	Fix string `json:"fix"`
}

var (
	mu       sync.Mutex
	registry = map[string]Check{}
	order    []string
)

// Register adds c to the registry; an ID registered twice is a programming
// error and panics at init.
func Register(c Check) Check {
	mu.Lock()
	defer mu.Unlock()
	if c.ID == "" || c.Title == "" || c.Fix == "" {
		panic(fmt.Sprintf("check %q: ID, title and fix are required", c.ID))
	}
	if c.Severity != Error && c.Severity != Warning {
		panic(fmt.Sprintf("check %s: severity %q", c.ID, c.Severity))
	}
	if _, dup := registry[c.ID]; dup {
		panic("check " + c.ID + " registered twice")
	}
	registry[c.ID] = c
	order = append(order, c.ID)
	return c
}

// Lookup returns the check with that ID.
func Lookup(id string) (Check, bool) {
	mu.Lock()
	defer mu.Unlock()
	c, ok := registry[id]
	return c, ok
}

// All returns the registered checks in registration order.
func All() []Check {
	mu.Lock()
	defer mu.Unlock()
	out := make([]Check, 0, len(order))
	for _, id := range order {
		out = append(out, registry[id])
	}
	return out
}

// Status is the outcome of one check.
type Status string

const (
	OK   Status = "ok"
	Fail Status = "FAIL"
	Warn Status = "warn"
	// Skip: the check does not apply here or now (a stopped node's
	// CoreDNS), or depends on one that failed; it says why.
	Skip Status = "skip"
)

// Result is one check's outcome: the message says what was found, the
// evidence what shows it (a route, a counter, a packet), and the fix what
// to do (for a failure).
type Result struct {
	ID       string   `json:"id"`
	Status   Status   `json:"status"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
	Fix      string   `json:"fix,omitempty"`
}

// OK is a passed result.
func (c Check) OK(format string, a ...any) Result {
	return Result{ID: c.ID, Status: OK, Severity: c.Severity, Message: fmt.Sprintf(format, a...)}
}

// Skip is a result for a check that did not run, saying why.
func (c Check) Skip(format string, a ...any) Result {
	return Result{ID: c.ID, Status: Skip, Severity: c.Severity, Message: fmt.Sprintf(format, a...)}
}

// Fail is a failed result with its evidence and the check's fix; a
// Warning check gives Warn.
func (c Check) Fail(msg string, evidence ...string) Result {
	st := Fail
	if c.Severity == Warning {
		st = Warn
	}
	return Result{ID: c.ID, Status: st, Severity: c.Severity, Message: msg, Evidence: evidence, Fix: c.Fix}
}

// WithFix replaces a result's fix by a more precise one.
func (r Result) WithFix(fix string) Result {
	r.Fix = fix
	return r
}

// Err wraps err as a failure of check c: its message starts with the
// check's ID, and errors.As finds the check (and its fix) again.
func (c Check) Err(err error) error {
	if err == nil {
		return nil
	}
	return &Failure{Check: c, Err: err}
}

// Errorf is Err of a new error.
func (c Check) Errorf(format string, a ...any) error { return c.Err(fmt.Errorf(format, a...)) }

// Failure is an error that a registered check found.
type Failure struct {
	Check Check
	Err   error
}

func (e *Failure) Error() string { return e.Check.ID + ": " + e.Err.Error() }
func (e *Failure) Unwrap() error { return e.Err }

// IDOf returns the ID of the check that found err, or "".
func IDOf(err error) string {
	var e *Failure
	if errors.As(err, &e) {
		return e.Check.ID
	}
	return ""
}

// Failed counts the results that failed (warnings do not count).
func Failed(rs []Result) int {
	n := 0
	for _, r := range rs {
		if r.Status == Fail {
			n++
		}
	}
	return n
}

// Print writes one line per result, `ok` or `FAIL` first, with the
// evidence and the fix indented under a result that did not pass.
func Print(w io.Writer, rs []Result) {
	width := 0
	for _, r := range rs {
		width = max(width, len(r.ID))
	}
	for _, r := range rs {
		fmt.Fprintf(w, "%-4s  %-*s  %s\n", r.Status, width, r.ID, r.Message)
		if r.Status == OK || r.Status == Skip {
			continue
		}
		pad := strings.Repeat(" ", width+8)
		for _, e := range r.Evidence {
			fmt.Fprintf(w, "%sevidence: %s\n", pad, e)
		}
		if r.Fix != "" {
			fmt.Fprintf(w, "%sfix: %s\n", pad, r.Fix)
		}
	}
}

// PrintJSON writes the results as a JSON array.
func PrintJSON(w io.Writer, rs []Result) error {
	if rs == nil {
		rs = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}

// Sorted returns rs in the registry's order (the order packets meet the
// checks, for doctor's); unregistered IDs go last.
func Sorted(rs []Result) []Result {
	pos := map[string]int{}
	for i, c := range All() {
		pos[c.ID] = i
	}
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b Result) int {
		pa, oka := pos[a.ID]
		pb, okb := pos[b.ID]
		if !oka {
			pa = len(pos)
		}
		if !okb {
			pb = len(pos)
		}
		return pa - pb
	})
	return out
}
