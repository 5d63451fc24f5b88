// Package logging puts the loggers of the libraries kubenode embeds onto
// klog, the one sink every Kubernetes component in the process already
// writes to. Each line carries component=<name>, so one stream with one
// format (klog's "I1129 ... msg" key=value lines) says who spoke:
//
//   - CRI-O, containers/storage and containers/image log through the global
//     logrus logger: Logrus.
//   - etcd logs through zap: ZapCore.
//   - CoreDNS and caddy log through the standard library's default logger
//     ("[INFO] plugin/x: ..."): StdLog.
//
// logr, which klog backs, has only info and error; the libraries also warn,
// and a warning must stay a W line so that an operator (and the quiet test)
// can tell it from chatter. Warnings therefore go to klog's Warning with the
// same key=value rendering.
package logging

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/klog/v2"
)

// Severity of a line from a library.
type Severity int

const (
	Debug Severity = iota
	Info
	Warning
	Error
)

// depth is the number of frames between klog and the library's call
// inside this package's adapters; klog's file:line then names the adapter,
// not the library, which is the best a hook can do without runtime.Caller
// walking per line.
const depth = 1

// emit writes one line to klog. Debug lines are V(4): they exist for a
// developer asking with -v, never at the default.
func emit(sev Severity, component, msg string, err error, kv []any) {
	kv = append([]any{"component", component}, kv...)
	switch sev {
	case Debug:
		if v := klog.V(4); v.Enabled() {
			v.InfoSDepth(depth+1, msg, kv...)
		}
	case Info:
		klog.InfoSDepth(depth+1, msg, kv...)
	case Warning:
		if err != nil {
			kv = append(kv, "err", err)
		}
		klog.WarningDepth(depth+1, render(msg, kv))
	default:
		klog.ErrorSDepth(depth+1, err, msg, kv...)
	}
}

// render formats msg and kv as klog's structured lines do: "msg" k="v" k=1.
func render(msg string, kv []any) string {
	var b strings.Builder
	b.WriteString(strconv.Quote(msg))
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, " %v=", kv[i])
		switch v := kv[i+1].(type) {
		case string:
			b.WriteString(strconv.Quote(v))
		case error:
			b.WriteString(strconv.Quote(v.Error()))
		case fmt.Stringer:
			b.WriteString(strconv.Quote(v.String()))
		default:
			fmt.Fprintf(&b, "%v", v)
		}
	}
	return b.String()
}
