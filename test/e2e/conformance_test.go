package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestConformance is `make conformance`: upstream's conformance suite
// (e2e.test of the pinned Kubernetes module) against a primary and a worker
// in network namespaces. The specs run are [Conformance] minus Serial, Slow,
// Disruptive and Flaky ones and those in hack/conformance/skips.txt, each
// listed there with its reason. Skipped unless KUBENODE_CONFORMANCE names
// the directory `make conformance` built the tools into (e2e.test, ginkgo,
// agnhost, ... and images.txt).
//
// Optional: KUBENODE_CONFORMANCE_FOCUS (a ginkgo focus regexp replacing
// [Conformance], for rerunning a few specs), KUBENODE_CONFORMANCE_PROCS
// (parallel ginkgo processes, default 4), KUBENODE_CONFORMANCE_OUT (where the
// report, the summary and the nodes' logs go; default DIR/report).
func TestConformance(t *testing.T) {
	dir := os.Getenv("KUBENODE_CONFORMANCE")
	if dir == "" {
		t.Skip("set KUBENODE_CONFORMANCE=DIR (make conformance) to run the conformance suite")
	}
	kubenodeBin(t)
	out := os.Getenv("KUBENODE_CONFORMANCE_OUT")
	if out == "" {
		out = filepath.Join(dir, "report")
	}
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	skips := readSkips(t, filepath.Join("..", "..", "hack", "conformance", "skips.txt"))

	start := time.Now()
	archives := buildConformanceImages(t, dir, t.TempDir())
	t.Logf("test images built in %s", time.Since(start).Round(time.Second))

	l := newLAN(t)
	hosts := []*host{l.addHost(1), l.addHost(2)}
	for _, h := range hosts {
		linkImages(t, h, archives)
		// Both nodes take pods: the suite expects at least two
		// schedulable nodes (spreading, affinity, node-to-node traffic).
		h.writeConfig(h.runtimeConfig() + "  primaryTaint: never\n")
	}
	p1 := startPrimary(t, hosts[0])
	w := startWorker(t, hosts[1], createToken(t, hosts[0]))
	defer func() {
		for name, p := range map[string]*process{"primary": p1, "worker": w} {
			os.WriteFile(filepath.Join(out, name+".log"), []byte(p.output()), 0o644)
		}
	}()
	waitNodeReady(t, hosts[0], "node1.k8s.internal", 3*time.Minute)
	waitNodeReady(t, hosts[0], "node2.k8s.internal", 3*time.Minute)
	t.Logf("cluster ready %s after the start", time.Since(start).Round(time.Second))

	focus := `\[Conformance\]`
	if f := os.Getenv("KUBENODE_CONFORMANCE_FOCUS"); f != "" {
		focus = f
	}
	procs := "4"
	if p := os.Getenv("KUBENODE_CONFORMANCE_PROCS"); p != "" {
		procs = p
	}
	skip := []string{`\[Serial\]`, `\[Slow\]`, `\[Disruptive\]`, `\[Flaky\]`}
	for _, s := range skips {
		skip = append(skip, regexp.QuoteMeta(s.spec))
	}
	skipFile := filepath.Join(out, "skip.regexp")
	if err := os.WriteFile(skipFile, []byte(strings.Join(skip, "|")), 0o644); err != nil {
		t.Fatal(err)
	}
	// kubenode is kubectl when called so: the kubectl specs run the
	// kubectl kubenode ships.
	kubectl := filepath.Join(out, "kubectl")
	if err := os.Symlink(kubenodeBin(t), kubectl); err != nil {
		t.Fatal(err)
	}
	// The runner and the suite run in the primary's network namespace, as a
	// client on the node's LAN would.
	args := []string{"--net=" + hosts[0].ns, "--",
		filepath.Join(dir, "ginkgo"), "--procs=" + procs, "--timeout=3h", "--no-color",
		"--focus=" + focus, "--skip=" + strings.Join(skip, "|"),
		"--json-report=report.json", "--junit-report=junit.xml", "--output-dir=" + out,
		filepath.Join(dir, "e2e.test"), "--",
		"--kubeconfig=" + filepath.Join(hosts[0].dataDir(), "admin.kubeconfig"),
		"--provider=skeleton", "--report-dir=" + out, "--kubectl-path=" + kubectl,
		"--dns-domain=k8s.internal",
	}
	cmd := exec.Command("nsenter", args...)
	log, err := os.Create(filepath.Join(out, "ginkgo.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	t.Logf("running the suite (log: %s)", log.Name())
	runStart := time.Now()
	runErr := cmd.Run()
	t.Logf("suite ran %s (ginkgo: %v)", time.Since(runStart).Round(time.Second), runErr)

	sum, err := summarize(filepath.Join(out, "report.json"), skips)
	if err != nil {
		t.Fatalf("%v (see %s)", err, log.Name())
	}
	text := sum.String()
	os.WriteFile(filepath.Join(out, "summary.txt"), []byte(text), 0o644)
	t.Logf("conformance summary (%s):\n%s", filepath.Join(out, "summary.txt"), text)
	if len(sum.failed) > 0 {
		t.Errorf("%d conformance specs failed", len(sum.failed))
	}
	if sum.passed == 0 {
		t.Errorf("no spec passed")
	}
}

// skipEntry is one spec hack/conformance/skips.txt leaves out, with why.
type skipEntry struct{ spec, why string }

// readSkips reads "spec: NAME" lines, each followed by a "why: REASON"
// line; '#' lines and blank lines are comments.
func readSkips(t *testing.T, path string) []skipEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var list []skipEntry
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "spec: "):
			list = append(list, skipEntry{spec: strings.TrimPrefix(line, "spec: ")})
		case strings.HasPrefix(line, "why: ") && len(list) > 0 && list[len(list)-1].why == "":
			list[len(list)-1].why = strings.TrimPrefix(line, "why: ")
		default:
			t.Fatalf("%s:%d: want \"spec: NAME\" then \"why: REASON\", got %q", path, n, line)
		}
	}
	for _, s := range list {
		if s.why == "" {
			t.Fatalf("%s: %q has no \"why:\" line", path, s.spec)
		}
	}
	return list
}

type conformanceSummary struct {
	passed   int
	failed   []string // name: first line of the failure
	listed   []string // skipped by skips.txt: name: why
	skipped  []string // skipped by the spec itself at run time: name: message
	duration time.Duration
}

func (s conformanceSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "passed %d, failed %d, skipped by hack/conformance/skips.txt %d, skipped by the spec %d (suite %s)\n",
		s.passed, len(s.failed), len(s.listed), len(s.skipped), s.duration.Round(time.Second))
	for _, part := range []struct {
		title string
		list  []string
	}{{"FAILED", s.failed}, {"skipped by hack/conformance/skips.txt", s.listed}, {"skipped by the spec", s.skipped}} {
		if len(part.list) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s:\n", part.title)
		for _, l := range part.list {
			fmt.Fprintf(&b, "  - %s\n", l)
		}
	}
	return b.String()
}

// summarize reads ginkgo's JSON report. Specs the focus left out are not
// counted; specs skips.txt names are, with its reason.
func summarize(path string, skips []skipEntry) (conformanceSummary, error) {
	var sum conformanceSummary
	b, err := os.ReadFile(path)
	if err != nil {
		return sum, fmt.Errorf("no ginkgo report: %w", err)
	}
	var reports []struct {
		RunTime     time.Duration
		SpecReports []struct {
			ContainerHierarchyTexts []string
			LeafNodeType            string
			LeafNodeText            string
			State                   string
			Failure                 struct{ Message string }
		}
	}
	if err := json.Unmarshal(b, &reports); err != nil {
		return sum, fmt.Errorf("%s: %w", path, err)
	}
	why := map[string]string{}
	for _, s := range skips {
		why[s.spec] = s.why
	}
	for _, r := range reports {
		sum.duration += r.RunTime
		for _, s := range r.SpecReports {
			if s.LeafNodeType != "It" {
				if s.State != "passed" && s.State != "skipped" {
					sum.failed = append(sum.failed, fmt.Sprintf("%s %s: %s", s.LeafNodeType, s.State, firstLine(s.Failure.Message)))
				}
				continue
			}
			name := strings.TrimSpace(strings.Join(append(append([]string{}, s.ContainerHierarchyTexts...), s.LeafNodeText), " "))
			switch {
			case s.State == "passed":
				sum.passed++
			case s.State == "skipped" && why[name] != "":
				sum.listed = append(sum.listed, name+": "+why[name])
			case s.State == "skipped" && s.Failure.Message != "":
				sum.skipped = append(sum.skipped, name+": "+firstLine(s.Failure.Message))
			case s.State == "skipped" || s.State == "pending":
				// left out by the focus or the tag filter
			default:
				sum.failed = append(sum.failed, fmt.Sprintf("%s: %s: %s", name, s.State, firstLine(s.Failure.Message)))
			}
		}
	}
	sort.Strings(sum.failed)
	sort.Strings(sum.listed)
	sort.Strings(sum.skipped)
	return sum, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// linkImages hard-links the test images' archives into h's image dir,
// which the node imports at start.
func linkImages(t *testing.T, h *host, archives []string) {
	t.Helper()
	dir := filepath.Join(h.dataDir(), "images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range archives {
		if err := os.Link(a, filepath.Join(dir, filepath.Base(a))); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConformanceImages checks the conformance images before the long run:
// each one imports, and the programs the specs call run in it. Skipped
// unless KUBENODE_CONFORMANCE is set, as TestConformance.
func TestConformanceImages(t *testing.T) {
	dir := os.Getenv("KUBENODE_CONFORMANCE")
	if dir == "" {
		t.Skip("set KUBENODE_CONFORMANCE=DIR (make conformance) to check the conformance images")
	}
	kubenodeBin(t)
	names := map[string]string{}
	b, err := os.ReadFile(filepath.Join(dir, "images.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		role, name, _ := strings.Cut(line, " ")
		names[role] = name
	}
	archives := buildConformanceImages(t, dir, t.TempDir())
	h := newLAN(t).addHost(1)
	linkImages(t, h, archives)
	startPrimary(t, h)
	checks := []struct{ role, script, want string }{
		{"agnhost", "/agnhost --help >/dev/null && dig -v 2>&1 && curl --version && getent hosts localhost && nslookup -version 2>&1; ip -V; bash --version | head -1; id user-defined-in-image; nc -h 2>&1 | head -1", "OpenBSD netcat"},
		{"agnhost-prev", "/agnhost --help | head -1; env", "KUBENODE_STANDIN"},
		{"busybox", "busybox | head -1; /bin/sysctl -n kernel.ostype", "Linux"},
		{"glibc-dns-testing", "dig -v 2>&1; getent hosts localhost", "DiG 9"},
		{"nginx", "nginx -t 2>&1 && (nginx -g 'daemon off;' & sleep 2; wget -qO- http://127.0.0.1/)", "nginx"},
		{"etcd", "/usr/local/bin/etcd --version", "etcd Version: 3.6"},
		{"sample-apiserver", "/sample-apiserver --help 2>&1 | head -3", "wardle"},
		{"kitten", "ls /kitten.jpg /data.json", "kitten.jpg"},
	}
	for i, c := range checks {
		pod := fmt.Sprintf("check-%d", i)
		h.mustKubectl("run", pod, "--image="+names[c.role], "--image-pull-policy=Never", "--restart=Never", "--command", "--", "/bin/sh", "-c", c.script)
		eventually(t, 3*time.Minute, c.role+" check pod done", func() error {
			out, err := h.kubectl("get", "pod", pod, "-o", "jsonpath={.status.phase}")
			if err != nil || (out != "Succeeded" && out != "Failed") {
				return fmt.Errorf("%v: phase %q", err, out)
			}
			return nil
		})
		logs, _ := h.kubectl("logs", pod)
		phase, _ := h.kubectl("get", "pod", pod, "-o", "jsonpath={.status.phase}")
		if phase != "Succeeded" || !strings.Contains(logs, c.want) {
			t.Errorf("%s (%s): phase %s, want %q in the output:\n%s", c.role, names[c.role], phase, c.want, logs)
		} else {
			t.Logf("%s: ok", c.role)
		}
	}
	// pause is not a shell image: it must run and stay running.
	h.mustKubectl("run", "check-pause", "--image="+names["pause"], "--image-pull-policy=Never", "--restart=Never")
	waitPodReady(t, h, "check-pause")
}
