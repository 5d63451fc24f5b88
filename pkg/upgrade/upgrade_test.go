package upgrade

import (
	"os"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	prev := &Record{Kubenode: "v0.3", Kubernetes: "v1.36.3"}
	for _, tc := range []struct {
		bin  string
		want string // "" passes
	}{
		{"v1.36.3", ""},
		{"v1.36.4", ""},
		{"v1.37.0", ""},
		{"v1.37.2", ""},
		{"v1.38.0", "skips a minor version"},
		{"v1.36.2", "a downgrade is not supported"},
		{"v1.35.9", "a downgrade is not supported"},
		{"v2.0.0", "cannot run a data dir"},
	} {
		err := Check(prev, Record{Kubenode: "v0.4", Kubernetes: tc.bin})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.bin, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.bin, err, tc.want)
		case tc.want != "" && (!strings.Contains(err.Error(), "v1.36.3") || !strings.Contains(err.Error(), tc.bin) || !strings.Contains(err.Error(), "1.37.x")):
			t.Errorf("%s: the message does not name both versions and what is allowed: %v", tc.bin, err)
		}
	}
	if err := Check(nil, Record{Kubernetes: "v1.36.3"}); err != nil {
		t.Errorf("no record: %v", err)
	}
}

func TestCheckSkew(t *testing.T) {
	for _, tc := range []struct {
		kubelet, api, want string
	}{
		{"v1.36.3", "v1.36.3", ""},
		{"v1.36.3", "v1.37.1", ""},
		{"v1.33.0", "v1.36.3", ""},
		{"v1.37.0", "v1.36.3", "newer than the primary's apiserver"},
		{"v1.32.0", "v1.36.3", "more than three minor versions older"},
	} {
		err := CheckSkew(tc.kubelet, tc.api)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("kubelet %s, apiserver %s: %v, want %q", tc.kubelet, tc.api, err, tc.want)
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if r, err := Read(dir); r != nil || err != nil {
		t.Fatalf("empty dir: %v %v", r, err)
	}
	if err := Write(dir, Record{Kubenode: "v0.4", Kubernetes: "v1.37.0"}); err != nil {
		t.Fatal(err)
	}
	r, err := Read(dir)
	if err != nil || r.Kubernetes != "v1.37.0" || r.Kubenode != "v0.4" || r.At.IsZero() {
		t.Fatalf("read back %+v, %v", r, err)
	}
	if st, _ := os.Stat(File(dir)); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
}
