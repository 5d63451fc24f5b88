package kubectllang

import (
	"testing"

	"k8s.io/kubectl/pkg/util/i18n"
)

func TestEnglish(t *testing.T) {
	for locale, want := range map[string]bool{
		"": true, "C": true, "C.UTF-8": true, "POSIX": true, "en_US.UTF-8": true, "en_GB": true, "en": true,
		"de_DE.UTF-8": false, "fr_FR": false, "ja_JP.eucJP": false, "eo": false,
	} {
		if got := english(locale); got != want {
			t.Errorf("english(%q) = %v, want %v", locale, got, want)
		}
	}
}

// TestGermanStillTranslated: kubectl's messages come in the locale's
// language when it is not English, as they do upstream.
func TestGermanStillTranslated(t *testing.T) {
	if !Registered {
		t.Fatal("kubectl loaded its translations before this package's init")
	}
	const msg = "Display clusters defined in the kubeconfig"
	t.Setenv("LC_ALL", "de_DE.UTF-8")
	if got := i18n.T(msg); got == msg {
		t.Fatalf("i18n.T(%q) with LC_ALL=de_DE.UTF-8 is still English", msg)
	}
}
