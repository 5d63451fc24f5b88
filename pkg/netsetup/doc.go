// Package netsetup is the network phase that runs before a node's
// components start: the brkube bridge, the wgkube WireGuard mesh, routes to
// the peers' pod subnets, sysctls and kubenode's own nftables table.
//
// It is a plan/apply design that is safe to run again and again:
//
//	Facts (host) ─┐
//	config+peers ─┴─> Desired: *Spec ──┐
//	                  Observe: *State ─┴─> Diff: []Change ─> apply in order
//
// Desired and Diff are pure functions (no syscalls); everything that talks
// to the kernel is behind the Host interface, with a Linux implementation
// (netlink, wgctrl, knftables, /proc/sys) and an in-memory FakeHost for
// tests. Diff lists only what differs, so a second apply changes nothing.
// A change that fails makes Apply undo, in reverse, the changes it already
// made; whatever is left, Reset can remove.
//
// brkube has no generated link-local address (addr_gen_mode none), no
// router advertisements and no DAD, as in seed 001, with one exception
// found by the e2e tests: a fixed fe80::1/64. Linux sends neighbour
// solicitations for forwarded packets only from a link-local source, so
// without one the host cannot resolve its own pods and IPv6 from other
// nodes never reaches them. Its MAC address is set explicitly right after
// it is made (and once on a bridge an older kubenode made; the state file
// records it): the kernel otherwise gives a bridge its lowest port's MAC,
// which moves as pods come and go, and the CNI bridge plugin's CHECK,
// which CRI-O runs to restore the IPs of pods that kept running across a
// restart, fails on a moved MAC (the kubelet then makes the pod again).
//
// What kubenode owns, and Reset removes: the links brkube and wgkube (found
// by name and kind, so a foreign link with one of those names is an error,
// never deleted), the routes on them, the nftables table "inet kubenode"
// (static chains, rebuilt by add-then-flush in one transaction only when
// a rule differs; what the peers change, the primary's addresses on a
// worker, lives in named sets whose elements are added and deleted; no
// other table is read or flushed), the global sysctls it changed (their previous values
// are kept in <run-dir>/network/state.json and restored), and its files:
// that state file, the helper's pid and log files, the UAPI socket and,
// unless asked to keep it, the WireGuard private key
// <data-dir>/wireguard/private.key. It stops the node's wgkube helper.
//
// # WireGuard
//
// wgkube is the kernel's WireGuard when the kernel has it, otherwise
// wireguard-go on a TUN device. Either way it is configured through wgctrl,
// and `wg show` works the same. Three backends make and hold the device:
// the kernel; wireguard-go in this process, for one-shot commands; and
// wireguard-go in a helper process (WithHelper), for the node process.
//
// A userspace device lives only as long as the process that runs it. The
// node runs it in a helper: the same binary re-executed as `kubenode
// wg-helper`, in a session of its own, which writes its pid into
// <run-dir>/network/wgkube-helper.pid and logs to wgkube-helper.log next
// to it. So a restart of the node does not take wgkube and the routes
// through it down, and pods that keep running (runtime.keepPodsRunning)
// stay reachable from other nodes, as they would with a kernel device.
// Network.Release (a restart) leaves the helper running; the next start
// adopts it when the process serving the UAPI socket is the one the pid
// file names, runs the helper command and lives in the node's network
// namespace; anything else holding the device is configured, never
// adopted or stopped. Network.Teardown (a full shutdown: the pods stop
// too) and Reset stop it. Until the mesh lists the nodes, a restarted node
// keeps the peers its wgkube already has (KeepLivePeers).
//
// A one-shot command that had to create the device itself must stay in the
// foreground (see Holding). A second process finds a live userspace device
// through its UAPI socket and configures it there, without owning it. So
// `kubenode network apply` exits when a node or its helper holds wgkube,
// and otherwise (it created the device) stays in the foreground holding it
// until SIGINT or SIGTERM, saying so on stderr. Reset refuses while a
// process other than the node's helper holds it, naming the pid (read
// from the socket's peer credentials).
//
// wgctrl and wg(8) look for UAPI sockets only in /var/run/wireguard, one
// directory per machine, while several test nodes share one machine with a
// wgkube each. So the socket is /var/run/wireguard/wgkube.sock when the
// node uses the default run directory (/run/kubenode), and
// <run-dir>/wireguard/wgkube.sock otherwise. In the second case kubenode
// runs its wgctrl calls on one OS thread with a private mount namespace in
// which <run-dir>/wireguard is bind-mounted over /var/run/wireguard (never
// the process's main thread, whose namespace /proc/self shows everyone);
// wg(8) works the same way by hand:
//
//	unshare -m sh -c 'mount --bind RUN_DIR/wireguard /var/run/wireguard && wg show'
package netsetup
