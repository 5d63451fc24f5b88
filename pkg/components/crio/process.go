package crio

import (
	"fmt"
	"runtime"

	"github.com/sirupsen/logrus"

	"github.com/kubenode/kubenode/pkg/internal/fatal"
	"github.com/kubenode/kubenode/pkg/logging"
)

// Process-wide effects of CRI-O v1.36.3 in process (read in its source and
// seen in the spike), and what this package does about each:
//
//   - logrus: CRI-O, containers/storage and containers/image log through the
//     global logrus logger. SetupProcess sends it to klog (pkg/logging) and
//     sets its level once, from main.
//   - log.Fatalf / logrus.Fatalf: CRI-O calls it (then os.Exit(1)) when the
//     streaming server fails to start (port taken), when fsnotify watchers
//     cannot be created (inotify limits), from the metrics/TLS cert
//     watchers (disabled here) and on a seccomp profile mismatch at
//     Validate. SetupProcess replaces logrus' ExitFunc: the fatal error goes
//     to the running component (its Exited channel ends the node through the
//     supervisor, which stops everything in order) and the calling goroutine
//     ends with runtime.Goexit instead of the whole process. Called from the
//     main goroutine (nothing in CRI-O does), Goexit would end main: keep
//     upstream code off the main goroutine.
//   - umask: server.New sets it to 022 for the whole process (and logs when
//     it changes it). Accepted: it is systemd's default, and kubenode
//     writes secrets with explicit modes.
//   - environment: server.New unsets XDG_RUNTIME_DIR and
//     DBUS_SESSION_BUS_ADDRESS (not rootless). Accepted (root daemon).
//   - stdin: server.New dup2s /dev/null onto fd 0. Accepted for the node
//     process; one-shot commands must not start this component.
//   - threads: server.New raises debug.SetMaxThreads to 90 % of
//     /proc/sys/kernel/threads-max. Accepted.
//   - SIGHUP: server.New registers signal.Notify(SIGHUP) to reload its
//     configuration, so SIGHUP no longer kills kubenode. A reload without a
//     config file resets to CRI-O's defaults (registry pause image, /etc
//     paths); Init writes the exact configuration to RunDir/crio/crio.conf
//     and points CRI-O at it, so a reload changes nothing.
//   - Validate(true): sets CRI-O's global cgroup manager (cgroupfs), CDI's
//     global registry (no dirs), disables go-selinux globally when SELinux
//     is off, and opens the shared containers/storage Store for the graph
//     root (the same instance images.OpenStore returns).
//   - systemd watchdog: server.New starts a watchdog pinger when
//     WATCHDOG_USEC is set in the environment; kubenode's unit must not set
//     WatchdogSec, or CRI-O's health decides kubenode's watchdog.
//   - cgroups: with cgroup_manager cgroupfs and conmon_cgroup "" conmon stays
//     in kubenode's own cgroup (it is moved to <parent>/crio-conmon-<id>
//     only when the pod sets CPU resources on it); containers go under
//     the pod's cgroup_parent (a path below each v1 controller root).
//     CRI-O itself does not move the kubenode process.
//   - files outside the node's dirs: libcni's result cache
//     /var/lib/cni/results (CRI-O 1.36 calls ocicni.InitCNI without a cache
//     dir; not configurable), and the host-local IPAM dataDir of the CNI
//     config (default /var/lib/cni/networks: set "dataDir" in kubenode's
//     conflist). Nothing else was written outside DataDir/RunDir in the
//     spike (no /etc/crio, /var/run/crio, /var/run/nri, hooks.d, /etc/cdi).
//   - attach symlinks RunDir/crio/<container-id> stay after the container
//     is removed (conmon's short socket path; a subdir would push the
//     socket path past 108 bytes under long run dirs): prune dangling ones
//     at Start.
//   - link: containers/ocicrypt's pkcs11 uses dlopen, so a static link
//     warns; it only matters for pkcs11-encrypted images.
//   - reexec: storage and CRI-O register reexec handlers ("crio-pull-image",
//     storage's chrootarchive and overlay mount helpers): reexec.Init first
//     in main.

// fatals carries logrus.Fatal calls and handler panics to the CRI-O
// instance running now (never to a later one: a restart in the same
// process, as the tests do, starts clean).
var fatals fatal.Sink

func reportFatal(err error) {
	if !fatals.Report(err) {
		logrus.Errorf("crio: fatal error with no CRI-O running: %v", err)
	}
}

// SetupProcess configures the global logrus logger CRI-O logs through:
// its lines go to klog with component=crio. Call it once from main, before
// any component starts.
func SetupProcess(level string) error {
	lvl, err := logrus.ParseLevel(level)
	if err != nil {
		return fmt.Errorf("crio: log level: %w", err)
	}
	std := logrus.StandardLogger()
	logging.Logrus(std, "crio")
	std.SetLevel(lvl)
	std.ExitFunc = func(code int) {
		reportFatal(fmt.Errorf("logrus.Fatal (exit code %d); see the log line before", code))
		runtime.Goexit()
	}
	return nil
}

func logWarn(format string, args ...any) { logrus.Warnf(format, args...) }
