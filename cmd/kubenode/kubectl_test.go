package main

import (
	"testing"

	"github.com/kubenode/kubenode/pkg/kubectllang"
)

// TestKubectlTranslationsDeferred: in the whole binary's init order,
// kubenode's choice of when to load kubectl's translations came before
// any kubectl package loaded them itself.
func TestKubectlTranslationsDeferred(t *testing.T) {
	if !kubectllang.Registered {
		t.Fatal("a package calls kubectl's i18n.T at init before pkg/kubectllang's init: every kubenode process loads the catalogs again")
	}
}
