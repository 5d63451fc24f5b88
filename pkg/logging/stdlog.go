package logging

import (
	"bytes"
	"log"
	"regexp"
)

// StdLog sends the standard library's default logger to klog. CoreDNS's
// plugins and caddy log there as "[LEVEL] plugin/name: message"; those
// lines get component=coredns and plugin=name at their level. Any other
// line (net/http's server errors, say) is an info line with
// component=stdlog. It changes the process-wide default logger, so main
// calls it once, before any component starts.
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
		emit(Info, "stdlog", line, nil, nil)
		return len(p), nil
	}
	msg := line[len(m[0]):]
	var kv []any
	if m[2] != "" {
		kv = []any{"plugin", m[2]}
	}
	emit(stdSeverity(m[1]), "coredns", msg, nil, kv)
	return len(p), nil
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
