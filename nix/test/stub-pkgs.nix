# Stand-ins for the Nixpkgs packages nix/module.nix and nix/package.nix
# use: derivation-shaped values with made-up store paths, so that modules
# evaluate without Nixpkgs (test/nix). Builders return their arguments
# under `args` instead of building.
{ lib }:
let
  fake =
    name: extra:
    {
      type = "derivation";
      inherit name;
      outPath = "/nix/store/${builtins.substring 0 32 (builtins.hashString "sha256" name)}-${name}";
      outputs = [ "out" ];
      overrideAttrs = f: fake "${name}-overridden" { overriddenWith = if lib.isFunction f then f { } else f; };
    }
    // extra;
  pkgs = {
    inherit lib;
    stdenv.hostPlatform.system = "x86_64-linux";
    callPackage =
      fn: args:
      let
        f = if lib.isFunction fn then fn else import fn;
      in
      f (builtins.intersectAttrs (builtins.functionArgs f) pkgs // args);
    writeText = name: text: fake name { inherit text; };
    buildGoModule = args: fake "${args.pname}-${args.version}" { inherit args; };
    cri-o-unwrapped = fake "cri-o-1.36.4" {
      version = "1.36.4";
      src = fake "cri-o-source" { };
    };
    glibc = fake "glibc" { static = fake "glibc-static" { }; };
  }
  // lib.genAttrs [
    "runc"
    "conmon"
    "cni-plugins"
    "nftables"
    "iproute2"
    "util-linux"
    "iptables"
    "coreutils"
    "findutils"
    "gnugrep"
    "gnused"
    "systemd"
    "libseccomp"
    "pkg-config"
  ] (n: fake n { });
in
pkgs
