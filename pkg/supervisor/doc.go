// Package supervisor manages the lifecycle of the components that kubenode
// runs as goroutines in one process: etcd, kube-apiserver, the scheduler,
// the controller-manager, the kubelet and the rest.
//
// It is not a process restarter. Upstream Kubernetes components keep global
// state (flags, metrics and feature-gate registries, klog, informers started
// once) and cannot be started a second time in the same process, so a
// component that dies is never restarted here: the manager stops everything
// else and Run returns an error, the binary exits non-zero, and systemd
// (Restart=on-failure) starts a fresh process. Readiness and shutdown are
// reported to systemd through sd_notify (Type=notify units).
//
// A component goes through New -> Init -> Start -> (Ready) -> Stop. The
// manager Inits all components before it starts any, so a bad file or
// setting fails the node before anything runs; then it starts them one by one
// in the order they were added and waits for each to be ready before the
// next, because later components need earlier ones (the apiserver needs etcd).
// Components added together (AddTogether) need only what came before them,
// not each other: they start without waiting for one another, and the next
// one waits for all of them.
// It stops them in reverse order within one stop budget, in which every
// component's Stop is called however long an earlier one takes.
package supervisor
