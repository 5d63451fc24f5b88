package kubeproxy_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/kubernetes/pkg/proxy/config"
)

type zoneHandler chan map[string]string

func (h zoneHandler) OnTopologyChange(labels map[string]string) { h <- labels }

type nodeHandler struct{}

func (nodeHandler) OnNodeChange(*v1.Node) {}
func (nodeHandler) OnNodeDelete(*v1.Node) {}
func (nodeHandler) OnNodeSynced()         {}

// kube-proxy registers its node handlers after the node informer runs (its
// node manager started it). Registering must not race with the events
// (vendor patch 0012; run under -race, as make test-unit does), and a
// topology handler registered after the node's first event still gets the
// node's zone, which later events that change no label never give it.
func TestNodeHandlersRegisteredWhileInformerRuns(t *testing.T) {
	node := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node1", Labels: map[string]string{v1.LabelTopologyZone: "zone-a"}}}
	client := fake.NewClientset(node)
	factory := informers.NewSharedInformerFactory(client, 0)
	nodes := factory.Core().V1().Nodes()
	nodes.Informer()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())

	// Node events keep coming while the handlers are registered.
	updated := make(chan struct{})
	go func() {
		defer close(updated)
		for i := 0; i < 50; i++ {
			n := node.DeepCopy()
			n.Labels["round"] = fmt.Sprint(i)
			if _, err := client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
				t.Errorf("update node: %v", err)
				return
			}
		}
	}()
	nodeConfig := config.NewNodeConfig(ctx, nodes, 0)
	topology := config.NewNodeTopologyConfig(ctx, nodes, 0)
	// Let the informer hand the node to the new configs first.
	time.Sleep(200 * time.Millisecond)
	nodeConfig.RegisterEventHandler(nodeHandler{})
	zones := make(zoneHandler, 10)
	topology.RegisterEventHandler(zones)
	<-updated

	select {
	case labels := <-zones:
		if labels[v1.LabelTopologyZone] != "zone-a" {
			t.Fatalf("topology labels %v, want zone zone-a", labels)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the topology handler registered after the node's first event never got the node's zone")
	}
}
