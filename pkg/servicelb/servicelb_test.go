package servicelb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubenode/kubenode/pkg/controllers"
)

func node(name string, ready bool, ips ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}}
	for _, ip := range ips {
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip})
	}
	return n
}

func lbService(name string, age time.Duration, port int32, class *string, families ...corev1.IPFamily) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID("uid-" + name), CreationTimestamp: metav1.NewTime(time.Now().Add(-age))},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: class, IPFamilies: families,
			Ports: []corev1.ServicePort{{Port: port, Protocol: corev1.ProtocolTCP}}},
	}
}

func eventually(t *testing.T, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type errf string

func (e errf) Error() string { return string(e) }

// Services get the Ready nodes' addresses of their families; a port an
// older Service holds, or one kubenode uses, leaves the Service pending
// with an Event naming why; another class is left alone; freeing the
// port serves the waiting Service.
func TestServiceLB(t *testing.T) {
	metallb := "metallb.io/l2"
	client := fake.NewClientset(
		node("node1", true, "192.168.77.1", "fd77::1"), node("node2", true, "192.168.77.2"), node("node3", false, "192.168.77.3"),
		lbService("web", time.Hour, 80, nil, corev1.IPv4Protocol),
		lbService("web2", time.Minute, 80, nil, corev1.IPv4Protocol),
		lbService("api", time.Minute, 6443, nil),
		lbService("other", time.Minute, 8080, &metallb),
		lbService("v6", time.Minute, 9090, nil, corev1.IPv6Protocol),
	)
	h := &controllers.Host{Clients: map[controllers.Identity]kubernetes.Interface{controllers.AdminIdentity: client}, Log: logr.Discard()}
	h.Add(&Controller{Reserved: []Port{{6443, corev1.ProtocolTCP, "the Kubernetes API"}}}, controllers.Options{})
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.Stop(context.Background())

	ingress := func(name string) string {
		s, err := client.CoreV1().Services("default").Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var ips []string
		for _, i := range s.Status.LoadBalancer.Ingress {
			ips = append(ips, i.IP)
		}
		return strings.Join(ips, ",")
	}
	want := func(name, ips string) func() error {
		return func() error {
			if got := ingress(name); got != ips {
				return errf(name + ": ingress " + got + ", want " + ips)
			}
			return nil
		}
	}
	event := func(name, reason, text string) func() error {
		return func() error {
			list, _ := client.CoreV1().Events("default").List(context.Background(), metav1.ListOptions{})
			for _, e := range list.Items {
				if e.InvolvedObject.Name == name && e.Reason == reason && strings.Contains(e.Message, text) {
					return nil
				}
			}
			return errf("no event " + reason + " on " + name + " with " + text)
		}
	}
	eventually(t, "web served", want("web", "192.168.77.1,192.168.77.2"))
	eventually(t, "v6 served", want("v6", "fd77::1"))
	eventually(t, "web2 pending", event("web2", "PortInUse", "port 80/TCP is held by Service default/web"))
	eventually(t, "api pending", event("api", "PortInUse", "port 6443/TCP is kubenode's own on every node (the Kubernetes API)"))
	if got := ingress("web2") + ingress("api") + ingress("other"); got != "" {
		t.Errorf("pending or foreign Services got addresses: %q", got)
	}

	if err := client.CoreV1().Services("default").Delete(context.Background(), "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "web2 served once web is gone", want("web2", "192.168.77.1,192.168.77.2"))

	n3, _ := client.CoreV1().Nodes().Get(context.Background(), "node3", metav1.GetOptions{})
	n3.Status.Conditions[0].Status = corev1.ConditionTrue
	if _, err := client.CoreV1().Nodes().UpdateStatus(context.Background(), n3, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a node that became Ready serves", want("web2", "192.168.77.1,192.168.77.2,192.168.77.3"))

	web2, _ := client.CoreV1().Services("default").Get(context.Background(), "web2", metav1.GetOptions{})
	web2.Spec.Type = corev1.ServiceTypeClusterIP
	if _, err := client.CoreV1().Services("default").Update(context.Background(), web2, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "addresses taken back from a ClusterIP Service", want("web2", ""))
}
