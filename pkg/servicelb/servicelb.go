// Package servicelb gives Services of type LoadBalancer the addresses of
// the cluster's nodes, on the primary, as a reconciler on the controller
// host. kube-proxy (nftables) then serves NODE_IP:PORT for each of them
// from outside the cluster, so no extra pod and no address pool is needed
// (k3s's ServiceLB does the same with a DaemonSet of forwarders).
//
// A Service is served when its loadBalancerClass is unset or Class. A
// Service whose port and protocol an older served Service already uses,
// or that kubenode itself uses on the nodes (the API, the kubelet,
// WireGuard), stays pending with an Event that says why; it gets its
// addresses as soon as the port is free.
package servicelb

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/kubenode/kubenode/pkg/controllers"
)

// Class is the loadBalancerClass kubenode serves besides the unset one.
const Class = "kubenode.io/servicelb"

// Port is a port kubenode itself uses on every node's addresses.
type Port struct {
	Port     int32
	Protocol corev1.Protocol
	What     string // "the Kubernetes API"
}

// Controller is the reconciler. Set the exported fields before the host
// starts.
type Controller struct {
	// Nodes selects the nodes whose addresses serve (default: all).
	Nodes labels.Selector
	// Reserved ports are never given to a Service.
	Reserved []Port

	client   kubernetes.Interface
	services corelisters.ServiceLister
	nodes    corelisters.NodeLister
	queue    workqueue.TypedRateLimitingInterface[string]
	recorder record.EventRecorder
}

var _ controllers.Controller = (*Controller)(nil)

func (c *Controller) Name() string { return "servicelb" }

func (c *Controller) Setup(s *controllers.Setup) error {
	var err error
	if c.client, err = s.Client(controllers.AdminIdentity); err != nil {
		return err
	}
	if c.recorder, err = s.Recorder(controllers.AdminIdentity); err != nil {
		return err
	}
	f, err := s.Informers(controllers.AdminIdentity)
	if err != nil {
		return err
	}
	services, nodes := f.Core().V1().Services(), f.Core().V1().Nodes()
	c.queue = s.Queue()
	// Ports are shared across Services and addresses across nodes: any
	// change may free or take a port, so every LoadBalancer Service is
	// looked at again (a small cluster has few).
	all := func(any) { c.enqueueAll() }
	if _, err := services.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: all, UpdateFunc: func(_, n any) { all(n) }, DeleteFunc: all,
	}); err != nil {
		return err
	}
	if _, err := nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: all, DeleteFunc: all,
		UpdateFunc: func(o, n any) {
			if on, ok := o.(*corev1.Node); ok {
				if nn, ok := n.(*corev1.Node); ok && !nodeChanged(on, nn) {
					return
				}
			}
			all(n)
		},
	}); err != nil {
		return err
	}
	s.WaitFor(services.Informer().HasSynced, nodes.Informer().HasSynced)
	c.services, c.nodes = services.Lister(), nodes.Lister()
	if c.Nodes == nil {
		c.Nodes = labels.Everything()
	}
	return nil
}

// nodeChanged: only readiness, addresses and labels matter here; node
// status updates come every few seconds from every node.
func nodeChanged(o, n *corev1.Node) bool {
	return ready(o) != ready(n) || !slices.Equal(o.Status.Addresses, n.Status.Addresses) || !labels.Equals(o.Labels, n.Labels)
}

func (c *Controller) enqueueAll() {
	list, err := c.services.List(labels.Everything())
	if err != nil {
		return
	}
	for _, s := range list {
		if s.Spec.Type == corev1.ServiceTypeLoadBalancer || len(s.Status.LoadBalancer.Ingress) > 0 {
			c.queue.Add(s.Namespace + "/" + s.Name)
		}
	}
}

// ours: a LoadBalancer Service of no class or of ours.
func ours(s *corev1.Service) bool {
	return s.Spec.Type == corev1.ServiceTypeLoadBalancer && (s.Spec.LoadBalancerClass == nil || *s.Spec.LoadBalancerClass == Class)
}

func (c *Controller) Reconcile(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	svc, err := c.services.Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !ours(svc) {
		// No longer a LoadBalancer (or given to another class): take back
		// the node addresses given earlier. Another class's status is its
		// own.
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer && len(svc.Status.LoadBalancer.Ingress) > 0 {
			return c.setIngress(ctx, svc, nil)
		}
		return nil
	}
	if why := c.blocked(svc); why != "" {
		c.recorder.Event(svc, corev1.EventTypeWarning, "PortInUse", why)
		return c.setIngress(ctx, svc, nil)
	}
	ingress, err := c.addresses(svc)
	if err != nil {
		return err
	}
	if len(ingress) == 0 {
		c.recorder.Event(svc, corev1.EventTypeWarning, "NoNodes", "no Ready node matches the load balancer's node selector "+c.Nodes.String()+" with an address of the Service's IP families")
	}
	return c.setIngress(ctx, svc, ingress)
}

// blocked says why svc may not have its ports, or "".
func (c *Controller) blocked(svc *corev1.Service) string {
	all, err := c.services.List(labels.Everything())
	if err != nil {
		return ""
	}
	for _, p := range svc.Spec.Ports {
		proto := orTCP(p.Protocol)
		for _, r := range c.Reserved {
			if r.Port == p.Port && r.Protocol == proto {
				return fmt.Sprintf("port %d/%s is kubenode's own on every node (%s): choose another port", p.Port, proto, r.What)
			}
		}
		for _, o := range all {
			if o.UID == svc.UID || !ours(o) || !older(o, svc) {
				continue
			}
			for _, op := range o.Spec.Ports {
				if op.Port == p.Port && orTCP(op.Protocol) == proto {
					return fmt.Sprintf("port %d/%s is held by Service %s/%s, which asked for it first; this Service stays pending until that one releases it", p.Port, proto, o.Namespace, o.Name)
				}
			}
		}
	}
	return ""
}

func orTCP(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// older orders Services by creation, then by name, so that exactly one of
// two Services wanting a port gets it.
func older(a, b *corev1.Service) bool {
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}

// addresses are the InternalIPs of the Ready selected nodes, of the
// Service's families, in a stable order.
func (c *Controller) addresses(svc *corev1.Service) ([]corev1.LoadBalancerIngress, error) {
	nodes, err := c.nodes.List(c.Nodes)
	if err != nil {
		return nil, err
	}
	families := map[corev1.IPFamily]bool{}
	for _, f := range svc.Spec.IPFamilies {
		families[f] = true
	}
	var ips []netip.Addr
	for _, n := range nodes {
		if !ready(n) {
			continue
		}
		for _, a := range n.Status.Addresses {
			ip, err := netip.ParseAddr(a.Address)
			if a.Type != corev1.NodeInternalIP || err != nil {
				continue
			}
			fam := corev1.IPv4Protocol
			if ip.Is6() {
				fam = corev1.IPv6Protocol
			}
			if len(families) == 0 || families[fam] {
				ips = append(ips, ip)
			}
		}
	}
	slices.SortFunc(ips, netip.Addr.Compare)
	ips = slices.Compact(ips)
	out := make([]corev1.LoadBalancerIngress, len(ips))
	vip := corev1.LoadBalancerIPModeVIP
	for i, ip := range ips {
		out[i] = corev1.LoadBalancerIngress{IP: ip.String(), IPMode: &vip}
	}
	return out, nil
}

func ready(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (c *Controller) setIngress(ctx context.Context, svc *corev1.Service, ingress []corev1.LoadBalancerIngress) error {
	if sameIngress(svc.Status.LoadBalancer.Ingress, ingress) {
		return nil
	}
	s := svc.DeepCopy()
	s.Status.LoadBalancer.Ingress = ingress
	if _, err := c.client.CoreV1().Services(s.Namespace).UpdateStatus(ctx, s, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("update the status of Service %s/%s: %w", s.Namespace, s.Name, err)
	}
	var ips []string
	for _, i := range ingress {
		ips = append(ips, i.IP)
	}
	if len(ips) > 0 {
		c.recorder.Event(svc, corev1.EventTypeNormal, "Serving", "served on the node addresses "+strings.Join(ips, ", "))
	}
	return nil
}

func sameIngress(a, b []corev1.LoadBalancerIngress) bool {
	return slices.EqualFunc(a, b, func(x, y corev1.LoadBalancerIngress) bool {
		return x.IP == y.IP && x.Hostname == y.Hostname
	})
}
