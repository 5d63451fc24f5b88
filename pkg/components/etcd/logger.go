package etcd

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/kubenode/kubenode/pkg/logging"
)

// newLogger returns the logger etcd runs with: klog lines with
// component=etcd (pkg/logging), errors only (etcd logs every request at warn
// during start and stop). etcd calls Fatal (os.Exit) and Panic (in goroutines nobody can
// recover) on bad data and full disks; here both end only the goroutine
// that logged, and report the entry as an error for the component to return,
// so that the supervisor stops the rest of the node in order.
func newLogger(report func(error)) *zap.Logger {
	hook := fatalHook(report)
	return zap.New(logging.ZapCore("etcd", zap.ErrorLevel), zap.WithFatalHook(hook), zap.WithPanicHook(hook))
}

// fatalHook is a zap CheckWriteHook for Fatal and Panic entries.
type fatalHook func(error)

func (h fatalHook) OnWrite(ce *zapcore.CheckedEntry, fields []zapcore.Field) {
	h(entryError(ce.Entry, fields))
	// The caller must not go on: it logged because it cannot. Its
	// goroutine is etcd's, so only this one ends; the process exits after
	// the supervisor has stopped the node.
	runtime.Goexit()
}

// logError is a Fatal or Panic entry of etcd's as an error. It wraps the
// entry's error field, so that errors.Is finds syscall.ENOSPC in it.
type logError struct {
	msg string
	err error
}

func (e *logError) Error() string { return e.msg }
func (e *logError) Unwrap() error { return e.err }

// entryError formats "message (key=value, ..., error=...)".
func entryError(ent zapcore.Entry, fields []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	var cause error
	for _, f := range fields {
		if f.Type == zapcore.ErrorType {
			if err, ok := f.Interface.(error); ok {
				cause = errors.Join(cause, err)
			}
		}
		f.AddTo(enc)
	}
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		if k != "error" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if _, ok := enc.Fields["error"]; ok {
		keys = append(keys, "error")
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, enc.Fields[k])
	}
	msg := ent.Message
	if len(parts) > 0 {
		msg += " (" + strings.Join(parts, ", ") + ")"
	}
	return &logError{msg: msg, err: cause}
}
