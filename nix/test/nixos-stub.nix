# The few NixOS options nix/module.nix sets, declared with NixOS's types
# and defaults so that lib.evalModules checks the module as NixOS would.
# NixOS itself cannot run here (test/nix). The unit is rendered as NixOS's
# systemd-lib does: one Key=value line per value, lists repeated, booleans
# as true/false, the path option as PATH, preStart as ExecStartPre.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  unitOption = types.oneOf [
    types.bool
    types.int
    types.str
    types.package
    (types.listOf (
      types.oneOf [
        types.bool
        types.int
        types.str
      ]
    ))
  ];
  toOption =
    x:
    if x == true then
      "true"
    else if x == false then
      "false"
    else
      toString x;
  section =
    name: attrs:
    "[${name}]\n"
    + lib.concatStrings (
      lib.mapAttrsToList (
        k: v: lib.concatMapStrings (x: "${k}=${toOption x}\n") (lib.toList v)
      ) (lib.filterAttrs (_: v: v != null && v != [ ]) attrs)
    );
  # The defaults NixOS appends to every service's path.
  defaultPath = with pkgs; [
    coreutils
    findutils
    gnugrep
    gnused
    systemd
  ];
  service =
    { name, config, ... }:
    {
      options = {
        description = mkOption {
          type = types.str;
          default = "";
        };
        documentation = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        wants = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        after = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        requires = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        wantedBy = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        path = mkOption {
          type = types.listOf (types.either types.package types.str);
          default = [ ];
        };
        environment = mkOption {
          type = types.attrsOf (types.nullOr types.str);
          default = { };
        };
        restartTriggers = mkOption {
          type = types.listOf types.unspecified;
          default = [ ];
        };
        preStart = mkOption {
          type = types.lines;
          default = "";
        };
        unitConfig = mkOption {
          type = types.attrsOf unitOption;
          default = { };
        };
        serviceConfig = mkOption {
          type = types.attrsOf unitOption;
          default = { };
        };
        # Not NixOS: the unit file as NixOS would write it, for the test.
        unitText = mkOption {
          type = types.str;
          readOnly = true;
        };
      };
      config.unitText =
        let
          path = config.path ++ defaultPath;
        in
        section "Unit" (
          {
            Description = config.description;
            Documentation = config.documentation;
            Wants = config.wants;
            After = config.after;
            Requires = config.requires;
            X-Restart-Triggers = map (t: builtins.hashString "sha256" (toString t)) config.restartTriggers;
          }
          // config.unitConfig
        )
        + "\n"
        + section "Service" (
          {
            Environment = map (n: "\"${n}=${config.environment.${n}}\"") (lib.attrNames config.environment) ++ [
              "\"PATH=${lib.makeBinPath path}:${lib.makeSearchPathOutput "bin" "sbin" path}\""
            ];
            ExecStartPre = lib.optional (
              config.preStart != ""
            ) "/nix/store/00000000000000000000000000000000-unit-script-${name}-pre-start";
          }
          // config.serviceConfig
        )
        + "\n"
        + section "Install" { WantedBy = config.wantedBy; };
    };
  ports = mkOption {
    type = types.listOf types.port;
    default = [ ];
  };
in
{
  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
    };
    warnings = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    systemd.services = mkOption {
      type = types.attrsOf (types.submodule service);
      default = { };
    };
    environment.etc = mkOption {
      type = types.attrsOf (
        types.submodule {
          options = {
            text = mkOption {
              type = types.nullOr types.lines;
              default = null;
            };
            source = mkOption {
              type = types.nullOr types.path;
              default = null;
            };
            mode = mkOption {
              type = types.str;
              default = "symlink";
            };
          };
        }
      );
      default = { };
    };
    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
    };
    boot.kernelModules = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    networking.nftables.enable = mkOption {
      type = types.bool;
      default = false;
    };
    networking.firewall = {
      enable = mkOption {
        type = types.bool;
        default = true;
      };
      backend = mkOption {
        type = types.enum [
          "iptables"
          "nftables"
          "firewalld"
        ];
        default = if config.networking.nftables.enable then "nftables" else "iptables";
      };
      allowedTCPPorts = ports;
      allowedUDPPorts = ports;
      trustedInterfaces = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
      interfaces = mkOption {
        type = types.attrsOf (
          types.submodule {
            options = {
              allowedTCPPorts = ports;
              allowedUDPPorts = ports;
            };
          }
        );
        default = { };
      };
      extraCommands = mkOption {
        type = types.lines;
        default = "";
      };
      extraInputRules = mkOption {
        type = types.lines;
        default = "";
      };
      extraForwardRules = mkOption {
        type = types.lines;
        default = "";
      };
    };
  };
}
