package logging

import (
	"bytes"
	"errors"
	"flag"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"k8s.io/klog/v2"
)

// capture sends klog's output to a buffer for the test's duration.
func capture(t *testing.T) *bytes.Buffer {
	t.Helper()
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	for k, v := range map[string]string{"logtostderr": "false", "alsologtostderr": "false", "stderrthreshold": "FATAL", "v": "0"} {
		if err := fs.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	klog.SetOutputBySeverity("INFO", &buf)
	t.Cleanup(func() {
		klog.SetOutput(nil)
		_ = fs.Set("logtostderr", "true")
	})
	return &buf
}

// lines returns the non-empty lines of buf, each without klog's header
// beyond its severity letter: "W] msg ...".
func lines(buf *bytes.Buffer) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		i := strings.Index(l, "] ")
		out = append(out, l[:1]+l[i:])
	}
	return out
}

func TestLogrusGoesToKlogWithComponent(t *testing.T) {
	buf := capture(t)
	l := logrus.New()
	var own bytes.Buffer
	l.SetOutput(&own)
	Logrus(l, "crio")
	l.SetLevel(logrus.InfoLevel)
	l.WithField("id", "abc").Info("created container")
	l.Warnf("image %s not signed", "x")
	l.WithError(errors.New("no space")).Error("pull failed")
	l.Debug("never at info level")
	want := []string{
		`I] "created container" component="crio" id="abc"`,
		`W] "image x not signed" component="crio"`,
		`E] "pull failed" err="no space" component="crio"`,
	}
	if got := lines(buf); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("klog got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if own.Len() != 0 {
		t.Errorf("logrus still wrote to its own output: %q", own.String())
	}
}

func TestZapCoreKeepsLevelAndFields(t *testing.T) {
	buf := capture(t)
	lg := zap.New(ZapCore("etcd", zap.WarnLevel)).With(zap.String("member", "m1"))
	lg.Info("dropped below the level")
	lg.Warn("slow fdatasync", zap.Duration("took", 1500000000))
	lg.Error("failed to write", zap.Error(errors.New("disk full")), zap.Int("n", 3))
	want := []string{
		`W] "slow fdatasync" component="etcd" member="m1" took="1.5s"`,
		`E] "failed to write" err="disk full" component="etcd" member="m1" n=3`,
	}
	if got := lines(buf); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("klog got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestStdLogSplitsCoreDNSLevels(t *testing.T) {
	buf := capture(t)
	flags, prefix, out := log.Flags(), log.Prefix(), log.Writer()
	t.Cleanup(func() { log.SetFlags(flags); log.SetPrefix(prefix); log.SetOutput(out) })
	StdLog()
	stdOutput.w = buf
	t.Cleanup(func() { stdOutput.w = os.Stderr })
	log.Print("[INFO] plugin/reload: Running configuration SHA512 = 1f")
	log.Print("[WARNING] plugin/kubernetes: starting server with unsynced Kubernetes API")
	log.Print("[ERROR] plugin/errors: 2 example.org. A: read udp: i/o timeout")
	log.Print("http: TLS handshake error from 10.0.0.1:5: EOF")
	want := []string{
		`I] "Running configuration SHA512 = 1f" component="coredns" plugin="reload"`,
		`W] "starting server with unsynced Kubernetes API" component="coredns" plugin="kubernetes"`,
		`E] "2 example.org. A: read udp: i/o timeout" component="coredns" plugin="errors"`,
		`I] "http: TLS handshake error from 10.0.0.1:5: EOF" component="stdlog"`,
	}
	if got := lines(buf); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("klog got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// stdlibSink is what CoreDNS's kubernetes plugin installs as klog's logger
// while it starts: every klog line goes to the standard logger.
type stdlibSink struct{}

func (stdlibSink) Init(logr.RuntimeInfo)            {}
func (stdlibSink) Enabled(int) bool                 { return true }
func (stdlibSink) Info(_ int, msg string, _ ...any) { log.Print("[INFO] plugin/kubernetes: " + msg) }
func (stdlibSink) Error(_ error, msg string, _ ...any) {
	log.Print("[ERROR] plugin/kubernetes: " + msg)
}
func (s stdlibSink) WithValues(...any) logr.LogSink { return s }
func (s stdlibSink) WithName(string) logr.LogSink   { return s }

// TestStdLogWhileKlogGoesToTheStandardLogger: a klog line while klog's
// logger logs through the standard logger (as upstream CoreDNS's adapter
// does), and a CoreDNS line then, come out once each; they used to loop
// back into the standard logger and hang on its mutex.
func TestStdLogWhileKlogGoesToTheStandardLogger(t *testing.T) {
	buf := capture(t)
	flags, prefix, out := log.Flags(), log.Prefix(), log.Writer()
	t.Cleanup(func() { log.SetFlags(flags); log.SetPrefix(prefix); log.SetOutput(out) })
	StdLog()
	var direct bytes.Buffer
	stdOutput.w = &direct
	t.Cleanup(func() { stdOutput.w = os.Stderr })
	klog.SetLogger(logr.New(stdlibSink{}))
	t.Cleanup(klog.ClearLogger)

	done := make(chan struct{})
	go func() {
		defer close(done)
		klog.InfoS("Finished populating initial desired state of world")
		log.Print("[INFO] plugin/ready: Still waiting on: kubernetes")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("logging hung: a klog line looped back into the standard logger")
	}
	want := []string{
		`I] "Finished populating initial desired state of world" component="coredns" plugin="kubernetes"`,
		`I] "Still waiting on: kubernetes" component="coredns" plugin="ready"`,
	}
	if got := lines(&direct); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if buf.Len() != 0 {
		t.Errorf("klog's own output got %q", buf.String())
	}
}
