package logging

import (
	"errors"
	"sort"

	"go.uber.org/zap/zapcore"
)

// ZapCore is a zap core that writes entries at min and above to klog with
// component=<component>. Fields become key/value pairs; error fields become
// the error of the line.
func ZapCore(component string, min zapcore.Level) zapcore.Core {
	return &zapCore{component: component, LevelEnabler: min}
}

type zapCore struct {
	zapcore.LevelEnabler
	component string
	fields    []zapcore.Field
}

func (c *zapCore) With(fields []zapcore.Field) zapcore.Core {
	n := *c
	n.fields = append(append([]zapcore.Field(nil), c.fields...), fields...)
	return &n
}

func (c *zapCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *zapCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	var err error
	for _, f := range append(append([]zapcore.Field(nil), c.fields...), fields...) {
		if f.Type == zapcore.ErrorType {
			if fe, ok := f.Interface.(error); ok {
				err = errors.Join(err, fe)
				continue
			}
		}
		f.AddTo(enc)
	}
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kv := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		kv = append(kv, k, enc.Fields[k])
	}
	if e.LoggerName != "" {
		kv = append(kv, "logger", e.LoggerName)
	}
	emit(zapSeverity(e.Level), c.component, e.Message, err, kv)
	return nil
}

func (c *zapCore) Sync() error { return nil }

func zapSeverity(l zapcore.Level) Severity {
	switch {
	case l >= zapcore.ErrorLevel:
		return Error
	case l == zapcore.WarnLevel:
		return Warning
	case l == zapcore.InfoLevel:
		return Info
	default:
		return Debug
	}
}
