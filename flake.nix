{
  description = "kubenode: a Kubernetes node (control plane or worker) in one static binary";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      version = self.shortRev or self.dirtyShortRev or "dev";
    in
    {
      packages = forSystems (pkgs: rec {
        kubenode = pkgs.callPackage ./nix/package.nix { inherit version; };
        default = kubenode;
      });

      # services.kubenode, with this flake's package.
      nixosModules.default =
        { lib, pkgs, ... }:
        {
          imports = [ ./nix/module.nix ];
          services.kubenode.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        };
      nixosModules.kubenode = self.nixosModules.default;
    };
}
