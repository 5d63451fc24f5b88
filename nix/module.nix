# NixOS module: services.kubenode runs a kubenode primary or worker as the
# systemd unit of configs/kubenode.service, with the host binaries kubenode
# execs taken from Nix packages (nothing depends on /usr/bin).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib)
    mkOption
    mkEnableOption
    mkIf
    mkDefault
    types
    literalExpression
    ;
  cfg = config.services.kubenode;

  # An absolute path kept as a string: a Nix path value would be copied
  # into the world-readable store, which a secret must never be.
  externalPath =
    types.addCheck types.str (p: lib.hasPrefix "/" p && !lib.hasPrefix "${builtins.storeDir}/" p)
    // {
      description = "absolute path outside the Nix store, as a string";
    };

  # A field of config.yaml; null leaves kubenode's own default.
  field =
    type: description:
    mkOption {
      type = types.nullOr type;
      default = null;
      inherit description;
    };
  section =
    options:
    mkOption {
      type = types.submodule { inherit options; };
      default = { };
      description = "See configs/config.example.yaml.";
    };

  # The schema of config.yaml (pkg/config.File). No freeform type: a field
  # kubenode does not know fails evaluation, naming it, instead of failing
  # the node at start. test/nix checks that this list matches the Go one.
  settingsOptions = {
    nodeIndex = field (types.ints.between 1 255) "Node index N: the node owns subnet N of the cluster ranges; 1 is the primary. A worker may ask for one.";
    nodeIPs = field (types.listOf types.str) "Underlay addresses of this host (at most one per family). Default: the default route's source address.";
    dataDir = field externalPath "Directory of the node's state. Default /var/lib/kubenode.";
    runDir = field externalPath "Directory of the node's sockets and runtime files. Default /run/kubenode.";
    clusterDomain = field types.str "Cluster domain. Default k8s.internal.";
    ipFamily = field (types.enum [
      "dual"
      "ipv4"
      "ipv6"
    ]) "Address families of pods and Services. Default dual.";
    clusterCIDRv4 = field types.str "IPv4 cluster range. Default 10.88.0.0/16.";
    clusterCIDRv6 = field types.str "IPv6 cluster range. Default fd88::/16.";
    serviceCIDRv4 = field types.str "IPv4 Service range, inside subnet 0 of the cluster range. Default 10.88.0.0/24.";
    serviceCIDRv6 = field types.str "IPv6 Service range, inside subnet 0 of the cluster range. Default fd88::/112.";
    apiPort = field types.port "Port of the Kubernetes API on the primary. Default 6443.";
    network = section {
      underlayInterface = field types.str "Interface that carries WireGuard. Default: the one holding the node IP.";
      mtu = field (types.ints.between 576 65535) "MTU of wgkube and pods. Default: underlay MTU minus 80.";
      wireguardPort = field types.port "WireGuard UDP port. Default 51820.";
      peers = field (types.listOf (
        types.submodule {
          options = {
            index = mkOption {
              type = types.ints.between 1 255;
              description = "The peer's node index.";
            };
            publicKey = mkOption {
              type = types.str;
              description = "The peer's WireGuard public key (`kubenode network pubkey` on it).";
            };
            endpoint = mkOption {
              type = types.str;
              description = "The peer's underlay IP:PORT, or its IP for the default port.";
            };
          };
        }
      )) "Static WireGuard peers, as in a declarative setup.";
    };
    runtime = section {
      kubeletRootDir = field externalPath "The kubelet's root. Default /var/lib/kubelet.";
      podLogsDir = field externalPath "Pod logs. Default /var/log/pods.";
      cgroupRoot = field types.str "The cgroup pods go under. Default /.";
      keepPodsRunning = field types.bool "Keep containers running while kubenode stops or restarts, for the next start to adopt (kubenode shutdown stops them). Default true.";
      primaryTaint = field (types.enum [
        "auto"
        "always"
        "never"
      ]) "Taint the primary NoSchedule. Default auto (only once workers exist).";
      dnsUpstreams = field (types.listOf types.str) "Resolvers CoreDNS forwards outside names to. Default: the host's.";
      runcPath = field types.str "runc. Default here: runc from Nixpkgs.";
      conmonPath = field types.str "conmon. Default here: conmon from Nixpkgs.";
      cniPluginDir = field types.str "Directory of the CNI plugins. Default here: cni-plugins from Nixpkgs.";
    };
    storage = section {
      localPath = field externalPath "Where the StorageClass \"local\" makes one directory per claim bound on this node. Default <dataDir>/volumes.";
    };
    loadBalancer = section {
      nodeSelector = field types.str "Label selector of the nodes whose addresses serve LoadBalancer Services. Default: every Ready node.";
    };
    registries = section {
      mirrors = field (types.attrsOf (
        types.submodule {
          options.endpoint = mkOption {
            type = types.listOf types.str;
            description = "Mirror URLs (https://host[:port], or http:// for plain HTTP), tried in order before the registry itself.";
          };
        }
      )) "Mirrors per registry name (docker.io, registry.example:5000), as in k3s's registries.yaml.";
      configs = field (types.attrsOf (
        types.submodule {
          options = {
            auth = section {
              username = field types.str "Username.";
              password = field types.str "Password. It ends up in the Nix store, readable by every user: prefer imagePullSecrets there.";
              auth = field types.str "base64 of \"username:password\", instead of username and password (same caveat).";
            };
            tls = section {
              ca_file = field externalPath "PEM file of the CA that signs the host's certificate (added to the system's).";
              cert_file = field externalPath "Client certificate (PEM).";
              key_file = field externalPath "The client certificate's key (PEM).";
              insecure_skip_verify = field types.bool "Accept any certificate, and plain HTTP.";
            };
          };
        }
      )) "Credentials and TLS settings per host[:port] of a registry or mirror, as in k3s's registries.yaml.";
    };
    etcd = section {
      snapshotInterval = field types.str "How often the primary snapshots etcd into <dataDir>/snapshots: a Go duration, or \"off\". Default 12h.";
      snapshotRetain = field types.ints.positive "How many scheduled snapshots are kept. Default 5.";
    };
  };

  # config.yaml without the unset fields. JSON is YAML, and kubenode reads
  # it with the same strict decoder.
  clean =
    v:
    if lib.isAttrs v then
      lib.filterAttrs (_: x: x != null && x != { }) (lib.mapAttrs (_: clean) (removeAttrs v [ "_module" ]))
    else if lib.isList v then
      map clean v
    else
      v;
  configText =
    builtins.toJSON (
      {
        apiVersion = "kubenode.io/v1alpha1";
        kind = "Config";
      }
      // clean cfg.settings
    )
    + "\n";

  dataDir = if cfg.settings.dataDir != null then cfg.settings.dataDir else "/var/lib/kubenode";
  wireguardPort =
    if cfg.settings.network.wireguardPort != null then cfg.settings.network.wireguardPort else 51820;
  apiPort = if cfg.settings.apiPort != null then cfg.settings.apiPort else 6443;
  isPrimary = cfg.role == "primary";

  # What kubenode's images dir recognises as archives (pkg/images).
  archiveSuffixes = [
    ".tar"
    ".tar.gz"
    ".tgz"
    ".tar.zst"
    ".tar.xz"
    ".oci"
    ".docker"
  ];
  # The store path's name, hash included, so two images never share a link.
  imageName = img: baseNameOf "${img}";
  isArchive = img: lib.any (s: lib.hasSuffix s (imageName img)) archiveSuffixes;

  manifestFile =
    name: value:
    if lib.isPath value || lib.isDerivation value || lib.isString value && lib.hasPrefix "/" value then
      value
    else
      pkgs.writeText "kubenode-manifest-${name}.yaml" (
        if lib.isString value then
          value
        # A list is several objects: one YAML document each.
        else if lib.isList value then
          lib.concatMapStringsSep "---\n" (o: builtins.toJSON o + "\n") value
        else
          builtins.toJSON value + "\n"
      );

  # The links this module makes in kubenode's images and manifests dirs
  # start with "nixos-"; the rest of those dirs is the operator's. Stale
  # links (an image or manifest removed from the configuration) go first.
  links =
    dir: targets:
    "sync_links ${lib.escapeShellArg dir}"
    + lib.concatStrings (
      lib.mapAttrsToList (n: t: " " + lib.escapeShellArg "nixos-${n}=${t}") targets
    )
    + "\n";
  preStart = ''
    set -eu
    umask 077
    sync_links() {
      dir=$1
      shift
      if [ -d "$dir" ]; then
        for l in "$dir"/nixos-*; do
          if [ -L "$l" ]; then rm -f "$l"; fi
        done
      fi
      if [ $# -gt 0 ]; then mkdir -p "$dir"; fi
      for pair in "$@"; do
        ln -sfn "''${pair#*=}" "$dir/''${pair%%=*}"
      done
    }
  ''
  + links "${dataDir}/images" (lib.listToAttrs (map (i: lib.nameValuePair (imageName i) i) cfg.images))
  + links "${dataDir}/manifests" (
    lib.mapAttrs' (n: v: lib.nameValuePair "${n}.yaml" (manifestFile n v)) cfg.manifests
  );

  # networking.firewall.backend is recent; before it, nftables.enable chose.
  backend =
    config.networking.firewall.backend
      or (if config.networking.nftables.enable then "nftables" else "iptables");
  v4 = a: !lib.hasInfix ":" a;
  addrOf =
    endpoint:
    let
      bracketed = builtins.match "\\[([^]]+)].*" endpoint;
      m = builtins.match "([^:]+)(:[0-9]+)?" endpoint;
    in
    if bracketed != null then
      lib.head bracketed
    else if m != null then
      lib.head m
    # A bare IPv6 address.
    else
      endpoint;
  primaryPeers = lib.filter (p: p.index == 1) (
    if cfg.settings.network.peers != null then cfg.settings.network.peers else [ ]
  );
  kubeletFrom =
    family: addrs:
    lib.optionalString (addrs != [ ]) (
      if backend == "nftables" then
        "${family} saddr { ${lib.concatStringsSep ", " addrs} } tcp dport 10250 accept\n"
      else
        lib.concatMapStrings (
          a:
          "${
            if family == "ip" then "iptables" else "ip6tables"
          } -A nixos-fw -p tcp -s ${a} --dport 10250 -j nixos-fw-accept\n"
        ) addrs
    );
in
{
  options.services.kubenode = {
    enable = mkEnableOption "kubenode, a Kubernetes node (control plane or worker) in one process";

    role = mkOption {
      type = types.enum [
        "primary"
        "worker"
      ];
      example = "worker";
      description = ''
        "primary" runs the control plane and a node (`kubenode primary`);
        "worker" joins the cluster with {option}`joinTokenFile` and runs a node
        (`kubenode worker`).
      '';
    };

    joinTokenFile = mkOption {
      type = types.nullOr externalPath;
      default = null;
      example = "/run/secrets/kubenode-join";
      description = ''
        File holding the join token (`kubenode token create` on the primary
        prints it), read by `kubenode worker --join-file` at each start until
        the host has joined; later starts neither read nor need it. A string,
        never a Nix path, so the secret is never copied into the Nix store
        (use agenix, sops-nix or a file you copy). Required for a worker.
      '';
    };

    settings = mkOption {
      type = types.submodule { options = settingsOptions; };
      default = { };
      example = literalExpression ''
        {
          nodeIPs = [ "192.168.1.10" ];
          runtime.primaryTaint = "never";
        }
      '';
      description = ''
        kubenode's config.yaml (/etc/kubenode/config.yaml), with the fields of
        configs/config.example.yaml; unset fields keep kubenode's defaults.
        runtime.runcPath, conmonPath and cniPluginDir default to Nixpkgs'
        runc, conmon and cni-plugins. `kubenode config check` validates the
        result as the node does at start.
      '';
    };

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = literalExpression "pkgs.callPackage ./nix/package.nix { }";
      description = "The kubenode package.";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Open the firewall for what other nodes need: the API port on a
        primary, the WireGuard UDP port, and the kubelet port (10250) only
        from {option}`primaryAddresses` on a worker. Pods' DNS to the node
        (port 53 on brkube) and forwarding of pod traffic are allowed
        whether or not this is set: the node does not work without them.
      '';
    };

    primaryAddresses = mkOption {
      type = types.listOf types.str;
      default = map (p: addrOf p.endpoint) primaryPeers;
      defaultText = literalExpression "the address of settings.network.peers' index 1, if any";
      example = [ "192.168.1.10" ];
      description = ''
        Underlay addresses of the primary, the only source a worker's
        kubelet port is opened to by {option}`openFirewall` (the primary's
        apiserver reaches kubelets for logs, exec and port-forward).
      '';
    };

    images = mkOption {
      type = types.listOf (types.either types.package types.path);
      default = [ ];
      example = literalExpression "[ (pkgs.dockerTools.buildImage { name = \"web\"; … }) ]";
      description = ''
        Image archives (oci-archive or docker-archive files: ${lib.concatStringsSep ", " archiveSuffixes})
        linked into the node's images dir (dataDir/images), which kubenode
        imports at every start. No registry needed.
      '';
    };

    manifests = mkOption {
      type = types.attrsOf (
        types.oneOf [
          types.path
          types.package
          types.str
          (types.attrsOf types.anything)
          (types.listOf (types.attrsOf types.anything))
        ]
      );
      default = { };
      example = literalExpression ''
        {
          web = ./web.yaml;
          ns-apps = { apiVersion = "v1"; kind = "Namespace"; metadata.name = "apps"; };
        }
      '';
      description = ''
        Manifests the primary applies (server-side apply) at every start,
        put in dataDir/manifests as nixos-NAME.yaml: a YAML file, YAML text,
        or a Nix value (an object, or a list of objects).
      '';
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.role == "worker" -> cfg.joinTokenFile != null;
        message = ''services.kubenode.joinTokenFile must be set for a worker (role = "worker"): the path of a file holding the join token from `kubenode token create` on the primary, kept out of the Nix store (agenix, sops-nix or a copied file).'';
      }
      {
        assertion = isPrimary -> cfg.joinTokenFile == null;
        message = ''services.kubenode.joinTokenFile is set, but role is "primary", which joins nothing: remove it, or set role = "worker".'';
      }
      {
        assertion = cfg.role == "worker" -> cfg.manifests == { };
        message = ''services.kubenode.manifests (${lib.concatStringsSep ", " (lib.attrNames cfg.manifests)}) are applied by the primary only: move them to the primary's configuration.'';
      }
      {
        assertion = cfg.openFirewall && cfg.role == "worker" -> cfg.primaryAddresses != [ ];
        message = ''services.kubenode.openFirewall on a worker opens the kubelet port (10250) to the primary only: set services.kubenode.primaryAddresses to the primary's underlay address(es) (or give index 1 in settings.network.peers).'';
      }
    ]
    ++ map (i: {
      assertion = isArchive i;
      message = "services.kubenode.images: ${imageName i} is not an image archive kubenode imports (names ending in ${lib.concatStringsSep ", " archiveSuffixes}).";
    }) cfg.images;

    warnings =
      lib.optional (cfg.openFirewall && !isPrimary && backend != "iptables" && backend != "nftables")
        "services.kubenode.openFirewall: the ${backend} firewall backend gets no rule for the kubelet port (10250) from the primary; open it yourself, from ${lib.concatStringsSep ", " cfg.primaryAddresses} only.";

    services.kubenode.settings.runtime = {
      runcPath = mkDefault "${pkgs.runc}/bin/runc";
      conmonPath = mkDefault "${pkgs.conmon}/bin/conmon";
      cniPluginDir = mkDefault "${pkgs.cni-plugins}/bin";
    };

    environment.etc."kubenode/config.yaml".text = configText;
    # `kubenode kubectl`, `status`, `token create` for the operator.
    environment.systemPackages = [ cfg.package ];

    # As configs/kubenode.service. No WireGuard kernel module is loaded by
    # force: without one, kubenode runs WireGuard in userspace.
    systemd.services.kubenode = {
      description = "kubenode: a Kubernetes node in one process";
      documentation = [ "https://github.com/kubenode/kubenode" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      wantedBy = [ "multi-user.target" ];
      # What kubenode, CRI-O and the kubelet exec by name (nft, ip, mount,
      # nsenter, iptables); runc, conmon and the CNI plugins by path too.
      path = with pkgs; [
        nftables
        iproute2
        util-linux
        iptables
        runc
        conmon
      ];
      restartTriggers = [ configText ];
      inherit preStart;
      serviceConfig = {
        Type = "notify";
        ExecStart =
          "${cfg.package}/bin/kubenode ${cfg.role} --config /etc/kubenode/config.yaml"
          + lib.optionalString (cfg.joinTokenFile != null) " --join-file ${lib.escapeShellArg cfg.joinTokenFile}";
        Restart = "always";
        RestartSec = "5s";
        TimeoutStopSec = "30s";
        TimeoutStartSec = "5min";
        # process: conmon and the wgkube helper survive a restart for
        # keepPodsRunning (the default); with it false kubenode stops every
        # pod itself, and mixed kills what is left after it exits.
        KillMode = if cfg.settings.runtime.keepPodsRunning == false then "mixed" else "process";
        # kubenode shutdown (every pod stopped) exits 10: no restart.
        SuccessExitStatus = 10;
        RestartPreventExitStatus = 10;
        Delegate = "yes";
        LimitNOFILE = 1048576;
        LimitNPROC = "infinity";
        TasksMax = "infinity";
        OOMScoreAdjust = -999;
      };
    };

    networking.firewall = lib.mkMerge [
      {
        # Pods ask the node's CoreDNS on its brkube address.
        interfaces.brkube = {
          allowedTCPPorts = [ 53 ];
          allowedUDPPorts = [ 53 ];
        };
        # With the nftables firewall's filterForward (which accepts
        # Services' DNAT itself): pods out, peers to this node's pods
        # (kubenode's own table narrows it to them).
        extraForwardRules = ''
          iifname "brkube" accept
          iifname "wgkube" oifname "brkube" accept
        '';
      }
      (mkIf cfg.openFirewall {
        allowedUDPPorts = [ wireguardPort ];
        allowedTCPPorts = lib.optional isPrimary apiPort;
      })
      (mkIf (cfg.openFirewall && !isPrimary) (
        let
          rules =
            kubeletFrom "ip" (lib.filter v4 cfg.primaryAddresses)
            + kubeletFrom "ip6" (lib.filter (a: !v4 a) cfg.primaryAddresses);
        in
        {
          extraInputRules = mkIf (backend == "nftables") rules;
          extraCommands = mkIf (backend == "iptables") rules;
        }
      ))
    ];
  };
}
