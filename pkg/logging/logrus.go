package logging

import (
	"io"
	"sort"

	"github.com/sirupsen/logrus"
)

// Logrus sends every entry of l that passes its level to klog with
// component=<component>, and nothing to l's own output. Fields become
// key/value pairs; logrus' "error" field becomes the error of an error line.
func Logrus(l *logrus.Logger, component string) {
	l.SetOutput(io.Discard)
	l.SetFormatter(discardFormatter{})
	l.ReplaceHooks(logrus.LevelHooks{})
	l.AddHook(logrusHook{component: component})
}

type logrusHook struct{ component string }

func (logrusHook) Levels() []logrus.Level { return logrus.AllLevels }

func (h logrusHook) Fire(e *logrus.Entry) error {
	var err error
	keys := make([]string, 0, len(e.Data))
	for k, v := range e.Data {
		if k == logrus.ErrorKey {
			if ev, ok := v.(error); ok {
				err = ev
				continue
			}
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kv := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		kv = append(kv, k, e.Data[k])
	}
	emit(logrusSeverity(e.Level), h.component, e.Message, err, kv)
	return nil
}

func logrusSeverity(l logrus.Level) Severity {
	switch l {
	case logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel:
		return Error
	case logrus.WarnLevel:
		return Warning
	case logrus.InfoLevel:
		return Info
	default:
		return Debug
	}
}

// discardFormatter spares logrus formatting each entry for io.Discard.
type discardFormatter struct{}

func (discardFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }
