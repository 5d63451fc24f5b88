package check

// The checks, registered in the order a node meets them: preflight before
// start, then the host's prerequisites and the config file, then doctor's
// checks in the order a packet meets them on its way from a pod to a pod
// on another node (and to the control plane).
var (
	// Preflight: what a node checks before it writes anything.
	PreflightDirs = Register(Check{ID: "preflight.dirs", Title: "data and run dirs are directories this user can write",
		Severity: Error, Fix: "run as root or choose other directories (--data-dir, --run-dir)"})
	PreflightPorts = Register(Check{ID: "preflight.ports", Title: "the node's ports are free",
		Severity: Error, Fix: "stop what listens there (ss -ltnp) or change the port in the config"})
	PreflightRuntime = Register(Check{ID: "preflight.runtime", Title: "runc, conmon and the CNI plugins are where the config says",
		Severity: Error, Fix: "run `kubenode check`, and install what it lists (`make deps` on Debian)"})
	PreflightNetwork = Register(Check{ID: "preflight.network", Title: "the host has what the network phase needs (underlay, MTU, IPv6, WireGuard, nft)",
		Severity: Error, Fix: "fix the underlay or network section of the config as the message says"})
	PreflightAPIPort = Register(Check{ID: "preflight.api-port", Title: "the API port is free on the primary",
		Severity: Error, Fix: "stop what listens there (ss -ltnp) or set apiPort in the config"})

	// kubenode check: the host's prerequisites, one per binary.
	HostPrerequisite = Register(Check{ID: "host.prerequisite", Title: "a binary or device the node needs is present",
		Severity: Error, Fix: "`make deps` installs them all on Debian"})
	HostInotify = Register(Check{ID: "host.inotify", Title: "enough inotify instances left for a node",
		Severity: Warning, Fix: "raise fs.inotify.max_user_instances (sysctl -w fs.inotify.max_user_instances=512)"})

	// kubenode config check.
	ConfigFile = Register(Check{ID: "config.file", Title: "the config file is valid",
		Severity: Error, Fix: "correct the field named; see configs/config.example.yaml for the fields"})

	// kubenode doctor, in the order packets meet them.
	Underlay = Register(Check{ID: "underlay", Title: "the underlay holds the node IP, and each peer's endpoint is routed through it",
		Severity: Error, Fix: "give the underlay interface its address back, and a route to the peer's endpoint (ip route get ENDPOINT)"})
	WireGuard = Register(Check{ID: "wireguard", Title: "each peer on wgkube has the right key and allowed IPs, a recent handshake and answers through the tunnel",
		Severity: Error, Fix: "check that the peer runs and that UDP reaches its endpoint both ways (no firewall dropping the WireGuard port); restart this node to configure its peers again"})
	Routes = Register(Check{ID: "routes", Title: "a route per peer CIDR via wgkube with this host's source address",
		Severity: Error, Fix: "restart kubenode (or run `kubenode network apply`) to put the routes back"})
	Capture = Register(Check{ID: "capture", Title: "no other route (any table, any rule) captures a pod or Service CIDR",
		Severity: Error, Fix: "remove the route, or the rule that selects its table, or narrow it so that it leaves the cluster ranges alone (a VPN's or another CNI's routes)"})
	Bridge = Register(Check{ID: "bridge", Title: "brkube exists, is up and has this node's addresses",
		Severity: Error, Fix: "restart kubenode (or run `kubenode network apply`) to put brkube back as planned"})
	MTU = Register(Check{ID: "mtu", Title: "underlay MTU - 80 >= wgkube MTU >= the pods' MTU, and full-size packets cross the tunnel",
		Severity: Error, Fix: "raise the underlay MTU back, or restart kubenode so that wgkube and brkube get an MTU that fits (pods get it when they are made again)"})
	Sysctls = Register(Check{ID: "sysctls", Title: "IP forwarding and kubenode's link sysctls are set",
		Severity: Error, Fix: "restart kubenode (or run `kubenode network apply`); find what turns forwarding off (sysctl.d, another tool)"})
	NFTables = Register(Check{ID: "nftables", Title: "kubenode's nftables table is as planned",
		Severity: Error, Fix: "restart kubenode (or run `kubenode network apply`) to rebuild table inet kubenode"})
	Firewall = Register(Check{ID: "firewall", Title: "no other nftables table drops the forwarded pod traffic that kubenode's table accepts",
		Severity: Error, Fix: "delete the rule (nft delete rule FAMILY TABLE CHAIN handle N) or let brkube and wgkube traffic through it"})
	ServiceRoute = Register(Check{ID: "service-route", Title: "the Service CIDR is routed via wgkube with this host's source address",
		Severity: Error, Fix: "restart kubenode (or run `kubenode network apply`) to put the Service route back"})
	DNS = Register(Check{ID: "dns", Title: "CoreDNS on this node answers kubernetes.default and a node name",
		Severity: Error, Fix: "check that nothing drops port 53 to the node's host IP, and CoreDNS's health in `kubenode status`"})
	API = Register(Check{ID: "api", Title: "the Kubernetes API answers /readyz",
		Severity: Error, Fix: "start the primary, and check that this host reaches the API address over the underlay"})
	Kubelet = Register(Check{ID: "kubelet", Title: "each node's kubelet (port 10250) is reachable from the primary",
		Severity: Error, Fix: "start the node, and check that nothing on it or between drops TCP 10250 from the primary"})
	Clock = Register(Check{ID: "clock", Title: "this host's clock is within 2s of the primary's",
		Severity: Error, Fix: "run a time service (chrony, systemd-timesyncd) on every node"})
	Components = Register(Check{ID: "components", Title: "every component of the running node is ready and healthy",
		Severity: Error, Fix: "read the component's failing condition above; `kubenode status` shows every component, and the node's log (journalctl -u kubenode) says more"})
	Certificates = Register(Check{ID: "certificates", Title: "no certificate expires within 30 days",
		Severity: Warning, Fix: "restart kubenode to renew its own certificates (it renews those within 30 days of expiry at start); `kubenode certs rotate` renews them all"})
)

// kubenode doctor --from POD --to POD|SERVICE[:PORT]: the hops of one path,
// in order.
var (
	PathSource = Register(Check{ID: "path.source", Title: "the source pod runs on this node and its network namespace is found",
		Severity: Error, Fix: "run doctor on the source pod's node, and check that the pod is Running (kubectl get pod -o wide)"})
	PathDestination = Register(Check{ID: "path.destination", Title: "the destination pod has an IP, or the Service has ready endpoints",
		Severity: Error, Fix: "check the destination pod's readiness and the Service's selector (kubectl get endpointslices)"})
	PathProbe = Register(Check{ID: "path.probe", Title: "a probe from the source pod reaches the destination",
		Severity: Error, Fix: "see the hop after it that failed"})
	PathRoute = Register(Check{ID: "path.route", Title: "this node routes the pod's packets to the destination's node through wgkube (or brkube, on this node)",
		Severity: Error, Fix: "see the routes and capture checks of `kubenode doctor`"})
	PathWireGuard = Register(Check{ID: "path.wireguard", Title: "the destination's node answers through wgkube",
		Severity: Error, Fix: "see the wireguard check of `kubenode doctor` on both nodes"})
	PathFirewall = Register(Check{ID: "path.firewall", Title: "no nftables rule on this node dropped the probe",
		Severity: Error, Fix: "delete the rule (nft delete rule FAMILY TABLE CHAIN handle N) or let the pod traffic through it"})
	PathRemote = Register(Check{ID: "path.remote", Title: "the destination's node delivers the probe and the destination answers",
		Severity: Error, Fix: "run `kubenode doctor` on the destination's node, and check that the destination listens on the port"})
)
