package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRestartKeepsPods: by default a stop of kubenode, by SIGTERM (what
// systemd sends with KillMode=process) or SIGKILL, leaves every pod
// running; the next start adopts the same containers, never restarted, and
// a ClusterIP Service backed by them answers again. `kubenode shutdown`
// then stops the node with every pod: no container, conmon, wgkube helper
// or pod network namespace is left, and the node exits with the status the
// unit does not restart (10).
func TestRestartKeepsPods(t *testing.T) {
	kubenodeBin(t)
	h := newLAN(t).addHost(1)
	writeBusyboxArchive(t, h)
	h.writeConfig(h.runtimeConfig()) // runtime.keepPodsRunning unset: the default
	p := startPrimary(t, h)
	manifest := filepath.Join(h.root, "workloads.yaml")
	write(t, manifest, workloads)
	h.mustKubectl("apply", "-f", manifest)
	web, id := webPod(t, h, "")
	svc := "http://" + strings.TrimSpace(h.mustKubectl("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}")) + "/"
	answers := func(when string) {
		t.Helper()
		eventually(t, 30*time.Second, "the ClusterIP answers "+when, func() error {
			out, err := httpGet(h.ns, svc)
			if err == nil && out != web {
				err = errors.New("answer " + out + ", want " + web)
			}
			return err
		})
	}
	answers("before the restarts")
	poll := startPoll(t, h.ns, svc)

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%v: kubenode did not exit within 20s", sig)
		}
		if left := processesUnder(h.root); len(left) == 0 {
			t.Fatalf("%v: no conmon left running: the pods stopped with kubenode", sig)
		}
		if pids := podProcesses(h.name); len(pids) == 0 {
			t.Fatalf("%v: no container process left in the pods' cgroups", sig)
		}
		p = startPrimary(t, h)
		out := h.mustKubectl("get", "pod", web, "-o", `jsonpath={.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}`)
		if out != id+" 0" {
			t.Fatalf("after a restart by %v: container %q, want the same container %s never restarted", sig, out, id)
		}
		answers("after a restart by " + sig.String())
	}
	ok, failed, gap, err := poll.stop()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ClusterIP polled every 50ms across both restarts: %d answers, %d failures, longest gap %s", ok, failed, gap)

	out, err := p.shutdown(time.Minute)
	if err != nil {
		t.Fatalf("shutdown: %v\n%s", err, out)
	}
	var exit *exec.ExitError
	if !errors.As(p.err, &exit) || exit.ExitCode() != 10 {
		t.Errorf("the node's exit after shutdown: %v, want status 10", p.err)
	}
	if !strings.Contains(p.output(), "shutdown requested") {
		t.Errorf("the node did not log the shutdown request:\n%s", p.tail(20))
	}
	if left := processesUnder(h.root); len(left) > 0 {
		t.Errorf("processes left after shutdown (conmon, wgkube helper): %v", left)
	}
	if pids := podProcesses(h.name); len(pids) > 0 {
		t.Errorf("container processes left after shutdown: %v", pids)
	}
	if ns := nsMountsUnder(h.root); len(ns) > 0 {
		t.Errorf("pod namespaces left pinned after shutdown: %v", ns)
	}
	if out, err := h.exec("ip", "link", "show", "wgkube"); err == nil {
		t.Errorf("wgkube left after shutdown:\n%s", out)
	}

	// With no node running, shutdown says so.
	out, err = h.run(append([]string{"shutdown"}, h.nodeArgs()...)...)
	if err == nil || !strings.Contains(out, "no kubenode node runs with run dir") {
		t.Errorf("shutdown without a node: %v\n%s", err, out)
	}
}

// podProcesses lists the processes in the pods' cgroups of the node whose
// cgroupRoot is /name.
func podProcesses(name string) []string {
	var out []string
	filepath.WalkDir("/sys/fs/cgroup/pids/"+name, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.Name() == "cgroup.procs" {
			data, _ := os.ReadFile(p)
			out = append(out, strings.Fields(string(data))...)
		}
		return nil
	})
	return out
}

// nsMountsUnder lists namespaces (nsfs) pinned by a mount under dir.
func nsMountsUnder(dir string) []string {
	lines, err := mountinfoUnder(dir)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, line := range lines {
		f := strings.Fields(line)
		if _, after, _ := strings.Cut(line, " - "); f[4] != dir && strings.HasPrefix(after, "nsfs ") {
			out = append(out, f[4])
		}
	}
	return out
}
