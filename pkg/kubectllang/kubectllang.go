// Package kubectllang loads the embedded kubectl's message translations
// only when the locale asks for a language other than English.
//
// kubectl translates its help texts with i18n.T, which at its first call
// loads and parses a message catalog; kubectl's commands call it in
// package-level variables, so every kubenode process (a node, its wgkube
// helper, `kubenode status`) paid for it at init: 22 ms and 4.4 MB of
// allocations, the most of any of the binary's ~1,450 inits. kubectl's
// English catalog maps every message to itself, so for English it is
// skipped, and other languages load as kubectl would.
//
// This package must be initialized before any package that calls i18n.T
// at init: it imports nothing else of kubectl, and Go initializes the
// packages whose imports are ready in the order of their import paths,
// where github.com/kubenode comes before k8s.io/kubectl.
package kubectllang

import (
	"os"
	"strings"

	"k8s.io/kubectl/pkg/util/i18n"
)

// Registered tells whether the load function was set before kubectl
// loaded its translations itself.
var Registered bool

func init() {
	Registered = i18n.SetLoadTranslationsFunc(load) == nil
}

func load() error {
	if english(locale()) {
		return nil
	}
	return i18n.LoadTranslations("kubectl", nil)
}

// locale is the messages locale as kubectl reads it.
func locale() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return ""
}

// english tells whether kubectl would show English for locale: none, C,
// POSIX or an English one (kubectl falls back to English for a language
// it has no catalog for, and loads that catalog; the messages are the
// same).
func english(locale string) bool {
	lang, _, _ := strings.Cut(locale, ".")
	return lang == "" || lang == "C" || lang == "POSIX" || lang == "en" || strings.HasPrefix(lang, "en_")
}
