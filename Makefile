# kubenode build, test and measurement entry points.
SHELL := /bin/bash
GO ?= go
BIN := bin/kubenode
KUBE_VERSION := v1.36.3
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DATA_DIR ?= /var/lib/kubenode

# cgo + libseccomp: CRI-O applies seccomp profiles only when built with the
# seccomp tag; without cgo RuntimeDefault silently becomes Unconfined.
# nri_no_wasm: NRI is off in kubenode's CRI-O, so its WebAssembly plugin
# runtime (wazero) is dead code: 2.6 MiB of the binary.
# (containers_image_docker_daemon_stub cannot drop Docker's client:
# containers/common's libimage imports that transport itself, and the stub's
# second registration panics at init.)
# no_dynamic_plugins, kustomize_disable_go_plugin_support: drop the two
# imports of Go's plugin package (containerd's plugin loader, kustomize's Go
# plugins). A static binary cannot load a Go plugin (the runtime throws "no
# plugin module data"), and a linked plugin package alone makes the linker
# keep every exported method and treat no call as weak: 8.3 MiB of the binary.
TAGS := seccomp containers_image_openpgp exclude_graphdriver_btrfs netgo osusergo nri_no_wasm \
	no_dynamic_plugins kustomize_disable_go_plugin_support
# The Kubernetes version the components report, set as upstream's build does
# (hack/lib/version.sh); also given to e2e.test (conformance-tools), which
# otherwise reports v0.0.0-master.
KUBE_VERSION_LDFLAGS := \
	-X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/component-base/version.gitMajor=1 \
	-X k8s.io/component-base/version.gitMinor=36 \
	-X k8s.io/component-base/version.gitTreeState=clean \
	-X k8s.io/client-go/pkg/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/client-go/pkg/version.gitMajor=1 \
	-X k8s.io/client-go/pkg/version.gitMinor=36
LINKFLAGS := -linkmode external -extldflags -static \
	-X main.kubenodeVersion=$(VERSION) \
	$(KUBE_VERSION_LDFLAGS)
LDFLAGS := -s -w $(LINKFLAGS)

# Host packages kubenode and its tests use (Debian names).
DEB_PACKAGES := libseccomp-dev gcc libc6-dev make pkg-config file git runc conmon containernetworking-plugins iptables \
	nftables iproute2 util-linux mount iperf3 tcpdump wireguard-tools busybox-static procps nix-bin \
	docker-registry skopeo curl bind9-dnsutils netcat-openbsd

.PHONY: vendor vendor-patches no-plugin-package all build deps race size-report test test-unit test-nix test-e2e test-quiet bench clean primary fmt vet pause pinns sandbox print-build-flags conformance conformance-tools

all: build

build: $(BIN)

# The pause program kubenode embeds (pkg/images). Built before anything that
# compiles or tests pkg/images; without it kubenode still builds, but
# images.EnsurePause fails with a message pointing here.
PAUSE := pkg/images/pause/pause
pause: $(PAUSE)
$(PAUSE): pkg/images/pause/pause.c
	gcc -static -Os -s -Wall -Wextra -Werror -o $@ $<

# CRI-O's pinns, embedded by pkg/components/crio. Its C sources are in the
# CRI-O module but not in vendor/: compile them from the module cache
# (read-only; never run CRI-O's own make there, it writes into the tree).
PINNS := pkg/components/crio/pinns/pinns
pinns: $(PINNS)
$(PINNS):
	@dir=$$($(GO) mod download -json github.com/cri-o/cri-o | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	test -n "$$dir" || { echo "cannot find the CRI-O module (go mod download github.com/cri-o/cri-o)"; exit 1; }; \
	echo "gcc ... -o $@ $$dir/pinns/src/*.c"; \
	gcc -std=c99 -Os -Wall -Wextra -Werror -static -s -o $@ $$dir/pinns/src/*.c

# Go decides what is stale; the phony dependency just always asks it.
$(BIN): $(PAUSE) $(PINNS) FORCE
	@mkdir -p bin
	CGO_ENABLED=1 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kubenode
	@file $(BIN) | grep -q 'statically linked' || { echo "$(BIN) is not static"; exit 1; }

FORCE:

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_PACKAGES)

# Start a primary node on defaults (needs root).
primary: build
	$(BIN) primary

fmt:
	@test -z "$$(gofmt -l cmd pkg test)" || { gofmt -l cmd pkg test; exit 1; }

vet: $(PAUSE) $(PINNS) vendor-patches no-plugin-package
	$(GO) vet -trimpath -tags '$(TAGS)' ./...

# A new dependency that imports Go's plugin package would silently cost the
# binary its method dead-code elimination (see TAGS).
no-plugin-package:
	@if $(GO) list -tags '$(TAGS)' -deps ./cmd/kubenode | grep -qx plugin; then \
		echo "cmd/kubenode links Go's plugin package: find the importer with go list -deps -f '{{.ImportPath}}: {{.Imports}}' and drop it with a build tag"; exit 1; fi

# vendor/ is `go mod vendor` plus the patches in hack/vendor-patches (each
# says why in its name and in the README). `make vendor` re-vendors and
# applies them; `make vendor-patches` (part of vet) fails when one is not
# applied, so a plain `go mod vendor` cannot drop them silently.
VENDOR_PATCHES := $(sort $(wildcard hack/vendor-patches/*.patch))
vendor:
	$(GO) mod vendor
	for p in $(VENDOR_PATCHES); do git apply "$$p" || exit 1; done

vendor-patches:
	@for p in $(VENDOR_PATCHES); do git apply --reverse --check "$$p" 2>/dev/null || { echo "vendor/: $$p is not applied; run make vendor (go mod vendor, then the patches)"; exit 1; }; done

# Every package with tests except the end-to-end ones, found by go list so
# that a new package's tests cannot be skipped silently.
test-unit: $(PAUSE)
	$(GO) test -race -tags '$(TAGS)' $$($(GO) list -tags '$(TAGS)' -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./... | grep -v '/test/')

# The NixOS module, package and flake (nix/), evaluated by Debian's nix-bin
# with nixpkgs' lib: NIXPKGS_LIB, by default ../shared/nixpkgs-lib/lib
# beside this checkout. The test fails, never skips, when either is missing.
NIXPKGS_LIB ?= $(abspath $(CURDIR)/../shared/nixpkgs-lib/lib)
test-nix: build
	KUBENODE_BIN=$(CURDIR)/$(BIN) NIXPKGS_LIB=$(NIXPKGS_LIB) $(GO) test -count=1 ./test/nix/

# The Go tags and linker flags; test/nix compares nix/package.nix's with them.
print-build-flags:
	@echo '$(TAGS)'
	@echo '$(LDFLAGS)'

# End-to-end tests run the real binary inside network namespaces (root).
# hack/e2e.sh keeps the output in bin/e2e.log, prints the failing tests'
# own messages last (CI shows only the tail of a run) and runs a failed
# test once more alone, reporting it as FLAKY if it then passes.
test-e2e: build
	GO=$(GO) hack/e2e.sh

test: build fmt vet test-unit test-nix test-e2e

# A primary and a worker at rest log nothing at warning level or above but
# what test/e2e/quiet_test.go allows, and a primary restart is not refused
# to the worker; about 3 minutes, so not part of test-e2e (it skips there).
test-quiet: build
	KUBENODE_E2E_QUIET=1 KUBENODE_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m -v -run '^TestQuietAtRest$$' ./test/e2e/

# A primary in a fresh network namespace, made by the e2e harness, until
# Ctrl-C; the machine's own network is not touched (needs root).
sandbox: build
	$(GO) test -c -o bin/e2e.test ./test/e2e/
	KUBENODE_SANDBOX=1 KUBENODE_BIN=$(CURDIR)/$(BIN) bin/e2e.test -test.run '^TestSandbox$$' -test.v -test.timeout 0

# Upstream's conformance suite (e2e.test of the pinned Kubernetes module)
# against a primary and a worker in network namespaces; most of an hour on
# 2 cores, so not part of test. The test tools and the test images' programs
# are built from hack/conformance, a module of its own: kubenode's vendor/
# stays free of upstream's test tree. FOCUS (a ginkgo regexp) reruns a few
# specs; PROCS sets the parallel ginkgo processes.
CONF := bin/conformance
CONF_GO := cd hack/conformance && GOWORK=off GOFLAGS=-mod=mod
conformance-tools:
	@mkdir -p $(CONF)
	$(CONF_GO) $(GO) test -c -vet=off -trimpath -ldflags '$(KUBE_VERSION_LDFLAGS)' -o $(CURDIR)/$(CONF)/e2e.test k8s.io/kubernetes/test/e2e
	$(CONF_GO) $(GO) build -trimpath -o $(CURDIR)/$(CONF)/ginkgo github.com/onsi/ginkgo/v2/ginkgo
	$(CONF_GO) CGO_ENABLED=0 $(GO) build -trimpath -o $(CURDIR)/$(CONF)/agnhost k8s.io/kubernetes/test/images/agnhost
	$(CONF_GO) CGO_ENABLED=0 $(GO) build -trimpath -o $(CURDIR)/$(CONF)/sample-apiserver k8s.io/sample-apiserver
	$(CONF_GO) CGO_ENABLED=0 $(GO) build -trimpath -o $(CURDIR)/$(CONF)/etcd ./etcd
	$(CONF_GO) CGO_ENABLED=0 $(GO) build -trimpath -o $(CURDIR)/$(CONF)/nnp k8s.io/kubernetes/test/images/nonewprivs
	$(CONF_GO) $(GO) run -trimpath ./imagenames > $(CURDIR)/$(CONF)/images.txt
	$(CONF_GO) $(GO) list -m -f '{{.Dir}}' k8s.io/kubernetes > $(CURDIR)/$(CONF)/kubernetes.dir
	gcc -Os -Wall -Werror -static -s -DVERSION=v$$(sed -n 's/^pause \S*:\(.*\)/\1/p' $(CONF)/images.txt)-kubenode \
		-o $(CONF)/pause $$(cat $(CONF)/kubernetes.dir)/build/pause/linux/pause.c
	@# nginx for the nginx images: Debian's package, unpacked, never installed
	@test -x $(CONF)/nginx-root/usr/sbin/nginx || { rm -rf $(CONF)/deb && mkdir -p $(CONF)/deb && \
		(cd $(CONF)/deb && apt-get download nginx nginx-common) && \
		for d in $(CONF)/deb/*.deb; do dpkg-deb -x $$d $(CONF)/nginx-root || exit 1; done; rm -rf $(CONF)/deb; }

conformance: build conformance-tools
	KUBENODE_CONFORMANCE=$(CURDIR)/$(CONF) KUBENODE_CONFORMANCE_FOCUS='$(FOCUS)' KUBENODE_CONFORMANCE_PROCS='$(PROCS)' \
		KUBENODE_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 4h -v -run '^TestConformance$$' ./test/e2e/

# Every figure of the benchmarks as min / median / max over RUNS runs; with
# BASE=<commit>, that commit too, alternated in the same session, with the
# ratio of the medians.
RUNS ?= 3
bench: build
	KUBENODE_BIN=$(CURDIR)/$(BIN) RUNS=$(RUNS) BASE=$(BASE) hack/bench-compare.sh

# The e2e tests of a primary and a worker with kubenode built by Go's race
# detector; fails on a data race hack/race-known.txt does not list.
race: $(PAUSE) $(PINNS)
	GO=$(GO) TAGS='$(TAGS)' LINKFLAGS='$(LINKFLAGS)' RACE_TESTS='$(RACE_TESTS)' hack/race.sh

# The 30 largest packages and modules of the binary, from the symbols of an
# unstripped build of the same source and flags (bin/kubenode.debug).
size-report: $(PAUSE) $(PINNS)
	CGO_ENABLED=1 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LINKFLAGS)' -o $(BIN).debug ./cmd/kubenode
	$(GO) run ./hack/size-report $(BIN).debug

clean:
	rm -rf bin $(PAUSE) $(PINNS)
