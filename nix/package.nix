# kubenode as `make build` makes it: a static cgo binary with libseccomp
# (CRI-O applies seccomp only so), the Makefile's tags and ldflags, the
# committed vendor/, and the pause and pinns programs it embeds built first.
{
  lib,
  buildGoModule,
  # go.mod asks for Go 1.26; use its builder where this Nixpkgs has one.
  buildGo126Module ? null,
  libseccomp,
  glibc,
  pkg-config,
  cri-o-unwrapped,
  version ? "dev",
}:
let
  build = if buildGo126Module != null then buildGo126Module else buildGoModule;
  kubeVersion = "v1.36.3";
  # Nixpkgs disables static libraries; -extldflags -static needs one.
  libseccompStatic = libseccomp.overrideAttrs { dontDisableStatic = true; };
in
lib.warnIf (lib.versions.majorMinor cri-o-unwrapped.version != "1.36")
  "kubenode: pinns comes from CRI-O ${cri-o-unwrapped.version} of this Nixpkgs, but kubenode runs CRI-O 1.36; pods may fail to start if their pinns options differ"
  build
  {
  pname = "kubenode";
  inherit version;

  src = lib.fileset.toSource {
    root = ./..;
    fileset = lib.fileset.unions [
      ../go.mod
      ../go.sum
      ../cmd
      ../pkg
      ../vendor
    ];
  };
  vendorHash = null;
  subPackages = [ "cmd/kubenode" ];

  env.CGO_ENABLED = "1";
  nativeBuildInputs = [ pkg-config ];
  buildInputs = [
    libseccompStatic
    glibc
    glibc.static
  ];

  # Keep in step with TAGS and LDFLAGS in the Makefile (test/nix checks).
  tags = [
    "seccomp"
    "containers_image_openpgp"
    "exclude_graphdriver_btrfs"
    "netgo"
    "osusergo"
    "nri_no_wasm"
    "no_dynamic_plugins"
    "kustomize_disable_go_plugin_support"
  ];
  ldflags = [
    "-s"
    "-w"
    "-linkmode"
    "external"
    "-extldflags"
    "-static"
    "-X"
    "main.kubenodeVersion=${version}"
    "-X"
    "k8s.io/component-base/version.gitVersion=${kubeVersion}"
    "-X"
    "k8s.io/component-base/version.gitMajor=1"
    "-X"
    "k8s.io/component-base/version.gitMinor=36"
    "-X"
    "k8s.io/component-base/version.gitTreeState=clean"
    "-X"
    "k8s.io/client-go/pkg/version.gitVersion=${kubeVersion}"
    "-X"
    "k8s.io/client-go/pkg/version.gitMajor=1"
    "-X"
    "k8s.io/client-go/pkg/version.gitMinor=36"
  ];

  # The embedded programs, as the Makefile's pause and pinns targets build
  # them, less -Werror (a newer compiler's new warnings must not stop a
  # distribution build). pinns' C sources are not in vendor/: they come
  # from Nixpkgs' CRI-O source (the 1.36 series, as go.mod's CRI-O).
  preBuild = ''
    gcc -static -Os -s -Wall -Wextra -o pkg/images/pause/pause pkg/images/pause/pause.c
    gcc -std=c99 -Os -Wall -Wextra -static -s -o pkg/components/crio/pinns/pinns ${cri-o-unwrapped.src}/pinns/src/*.c
  '';

  # The tests need root, network namespaces and the e2e harness.
  doCheck = false;

  meta = {
    description = "A Kubernetes node (control plane or worker) in one static binary";
    homepage = "https://github.com/kubenode/kubenode";
    mainProgram = "kubenode";
    platforms = lib.platforms.linux;
  };
}
