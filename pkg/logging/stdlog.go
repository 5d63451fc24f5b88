package logging

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"time"

	"k8s.io/klog/v2"
)

// StdLog sends the standard library's default logger to klog's output,
// in klog's format. CoreDNS's plugins and caddy log there as "[LEVEL]
// plugin/name: message"; those lines get component=coredns and plugin=name
// at their level. Any other line (net/http's server errors, say) is an
// info line with component=stdlog. It changes the process-wide default
// logger, so main calls it once, before any component starts.
//
// The lines are written to klog's output (stderr) directly, never through
// klog's functions, so that a klog logger that logs through the standard
// logger cannot loop. Upstream CoreDNS's kubernetes plugin sets such a
// logger (vendor patch 0011 takes it out); while it did, a klog line went
// klog -> adapter -> log.Print (holding the standard logger's mutex) ->
// here -> klog -> adapter -> log.Print, and the goroutine waited on the
// mutex it held, forever; every goroutine logging after it (the kubelet's
// volume manager, holding its own locks) hung with it, and pods stayed in
// ContainerCreating.
func StdLog() {
	log.SetFlags(0)
	log.SetPrefix("")
	log.SetOutput(stdWriter{})
}

var coreDNSLine = regexp.MustCompile(`^\[(DEBUG|INFO|WARNING|ERROR|FATAL|PANIC)\] (?:plugin/([\w.-]+): )?`)

type stdWriter struct{}

// Write gets one whole line per call: log.Logger writes each entry at once.
func (stdWriter) Write(p []byte) (int, error) {
	line := string(bytes.TrimRight(p, "\n"))
	m := coreDNSLine.FindStringSubmatch(line)
	if m == nil {
		writeDirect(Info, render(line, []any{"component", "stdlog"}))
		return len(p), nil
	}
	kv := []any{"component", "coredns"}
	if m[2] != "" {
		kv = append(kv, "plugin", m[2])
	}
	sev := stdSeverity(m[1])
	if sev == Debug && !klog.V(4).Enabled() {
		return len(p), nil
	}
	writeDirect(sev, render(line[len(m[0]):], kv))
	return len(p), nil
}

// stdOutput is where the standard logger's lines go: klog's own output,
// stderr (tests put a buffer here).
var stdOutput = struct {
	sync.Mutex
	w io.Writer
}{w: os.Stderr}

// writeDirect writes one line with klog's header (severity, time, pid,
// file:line of this package's caller, as klog's would name it).
func writeDirect(sev Severity, text string) {
	letter := "IIWE"[sev]
	_, file, line, _ := runtime.Caller(1)
	now := time.Now()
	header := fmt.Sprintf("%c%s %7d %s:%d] ", letter, now.Format("0102 15:04:05.000000"), os.Getpid(), filepath.Base(file), line)
	stdOutput.Lock()
	defer stdOutput.Unlock()
	_, _ = io.WriteString(stdOutput.w, header+text+"\n")
}

func stdSeverity(level string) Severity {
	switch level {
	case "DEBUG":
		return Debug
	case "INFO":
		return Info
	case "WARNING":
		return Warning
	default: // ERROR, FATAL, PANIC
		return Error
	}
}
