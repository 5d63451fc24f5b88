# Evaluates a NixOS configuration of services.kubenode as NixOS would
# (option types, defaults, mkIf/mkMerge, then the assertions as a system
# build checks them), against nixos-stub.nix and stub-pkgs.nix. test/nix
# runs it with nix-instantiate --eval --strict --json and looks at what
# comes out.
#   lib:           nixpkgs' lib (import …/nixpkgs-lib/lib)
#   configuration: the file of a NixOS module setting services.kubenode
#                  (--argstr: any file name)
#   useFlake:      take the module from flake.nix's nixosModules.default,
#                  with the stubs as its nixpkgs input
{
  lib,
  configuration,
  useFlake ? false,
}:
let
  pkgs = import ./stub-pkgs.nix { inherit lib; };
  flake =
    let
      outputs = (import ../../flake.nix).outputs {
        self = outputs // {
          shortRev = "0123abc";
        };
        nixpkgs = {
          inherit lib;
          legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (_: pkgs);
        };
      };
    in
    outputs;
  module = if useFlake then flake.nixosModules.default else ../module.nix;
  eval = lib.evalModules {
    modules = [
      ./nixos-stub.nix
      module
      (/. + configuration)
      { _module.args.pkgs = pkgs; }
    ];
  };
  c = eval.config;
  failed = map (a: a.message) (lib.filter (a: !a.assertion) c.assertions);
  unit = c.systemd.services.kubenode or null;
in
if failed != [ ] then
  throw "\nFailed assertions:\n${lib.concatMapStrings (m: "- ${m}\n") failed}"
else
  {
    inherit (c) warnings;
    flakePackage = if useFlake then flake.packages.x86_64-linux.default.name else null;
    # nix/package.nix as callPackage calls it, with the builder's arguments.
    package =
      let
        p = pkgs.callPackage ../package.nix { version = "v0.0.0-test"; };
      in
      {
        inherit (p.args) tags ldflags vendorHash subPackages preBuild;
        buildInputs = map toString p.args.buildInputs;
      };
    unit = if unit == null then null else unit.unitText;
    execStart = if unit == null then null else unit.serviceConfig.ExecStart;
    path = if unit == null then [ ] else map toString unit.path;
    preStart = if unit == null then "" else unit.preStart;
    configYaml = c.environment.etc."kubenode/config.yaml".text or null;
    firewall = c.networking.firewall;
    kernelModules = c.boot.kernelModules;
    systemPackages = map toString c.environment.systemPackages;
    # The module's schema of settings, to compare with pkg/config.File.
    settingsOptions =
      let
        names =
          prefix: opts:
          lib.concatLists (
            lib.mapAttrsToList (
              n: o:
              let
                sub = o.type.getSubOptions [ ];
              in
              if lib.elem n [ "_module" ] then
                [ ]
              else if o.type.name == "submodule" then
                names "${prefix}${n}." sub
              else if o.type.name == "nullOr" && o.type.nestedTypes.elemType.name == "listOf"
                && o.type.nestedTypes.elemType.nestedTypes.elemType.name == "submodule" then
                [ "${prefix}${n}" ] ++ names "${prefix}${n}[]." (o.type.nestedTypes.elemType.nestedTypes.elemType.getSubOptions [ ])
              else
                [ "${prefix}${n}" ]
            ) opts
          );
      in
      names "" (eval.options.services.kubenode.settings.type.getSubOptions [ ]);
  }
