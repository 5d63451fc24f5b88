package mesh

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/controllers"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

const (
	testDebounce = 30 * time.Millisecond
	waitTimeout  = 5 * time.Second
)

func genKey(t *testing.T) string {
	t.Helper()
	k, err := wgtypes.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey().String()
}

func nodeName(i int) string { return fmt.Sprintf("node%d.k8s.internal", i) }

// meshNode is a Node that published its annotations.
func meshNode(name string, p netsetup.Peer) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{
		AnnotationNodeIndex: strconv.Itoa(p.Index),
		AnnotationPublicKey: p.PublicKey,
		AnnotationEndpoint:  p.Endpoint,
	}}}
}

func bareNode(name string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func peer(t *testing.T, i int) netsetup.Peer {
	return netsetup.Peer{Index: i, PublicKey: genKey(t), Endpoint: fmt.Sprintf("192.168.77.%d:51820", i)}
}

// sink records SetPeers calls and fails them while fail is set.
type sink struct {
	mu    sync.Mutex
	calls [][]netsetup.Peer
	fail  error
}

func (s *sink) SetPeers(ctx context.Context, peers []netsetup.Peer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, peers)
	return s.fail
}

func (s *sink) setFail(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *sink) last() []netsetup.Peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) == 0 {
		return nil
	}
	return s.calls[len(s.calls)-1]
}

// logs collects log lines, to check what is logged and how often.
type logs struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (l *logs) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		l.mu.Lock()
		l.lines = append(l.lines, args)
		l.mu.Unlock()
		l.t.Log(args)
	}, funcr.Options{})
}

func (l *logs) count(sub string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

type env struct {
	t      *testing.T
	client *fake.Clientset
	sink   *sink
	logs   *logs
	self   Self
	c      *Controller
	host   *controllers.Host
	// nodeClient and adminClient are the host's identities; both e.client
	// unless a test sets them.
	nodeClient, adminClient kubernetes.Interface
}

func newEnv(t *testing.T, objs ...*corev1.Node) *env {
	t.Helper()
	e := &env{t: t, client: fake.NewClientset(), sink: &sink{}, logs: &logs{t: t}}
	for _, n := range objs {
		e.create(n)
	}
	e.self = Self{NodeName: nodeName(1), Index: 1, PublicKey: genKey(t), Endpoint: "192.168.77.1:51820"}
	e.nodeClient, e.adminClient = e.client, e.client
	e.c = &Controller{
		Self:     e.self,
		Peers:    e.sink,
		Log:      e.logs.logger(),
		Debounce: testDebounce,
		RetryMin: 20 * time.Millisecond,
		RetryMax: 100 * time.Millisecond,
	}
	return e
}

func (e *env) start() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.host = &controllers.Host{
		Clients: map[controllers.Identity]kubernetes.Interface{controllers.NodeIdentity: e.nodeClient, controllers.AdminIdentity: e.adminClient},
		Log:     e.logs.logger(),
	}
	e.host.Add(e.c, e.c.Options())
	if err := e.host.Init(ctx); err != nil {
		e.t.Fatal(err)
	}
	if err := e.host.Start(ctx); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		begin := time.Now()
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if err := e.host.Stop(sctx); err != nil {
			e.t.Errorf("Stop: %v", err)
		}
		if d := time.Since(begin); d > time.Second {
			e.t.Errorf("Stop took %s", d)
		}
		cancel()
	})
}

// health returns the condition of type typ from the controller's Health.
func (e *env) health(typ string) supervisor.Condition {
	e.t.Helper()
	for _, c := range e.c.Health() {
		if c.Type == typ {
			return c
		}
	}
	e.t.Fatalf("no condition %s in %+v", typ, e.c.Health())
	return supervisor.Condition{}
}

func (e *env) create(n *corev1.Node) {
	e.t.Helper()
	if _, err := e.client.CoreV1().Nodes().Create(context.Background(), n, metav1.CreateOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) update(n *corev1.Node) {
	e.t.Helper()
	if _, err := e.client.CoreV1().Nodes().Update(context.Background(), n, metav1.UpdateOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) get(name string) *corev1.Node {
	e.t.Helper()
	n, err := e.client.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) delete(name string) {
	e.t.Helper()
	if err := e.client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) selfNode() *corev1.Node {
	return meshNode(e.self.NodeName, netsetup.Peer{Index: e.self.Index, PublicKey: e.self.PublicKey, Endpoint: e.self.Endpoint})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitPeers waits for the sink's last call to be want.
func (e *env) waitPeers(want ...netsetup.Peer) {
	e.t.Helper()
	if want == nil {
		want = []netsetup.Peer{}
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		got := e.sink.last()
		if got != nil && slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("peers: got %+v (after %d calls), want %+v", got, e.sink.count(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) waitReady() {
	e.t.Helper()
	var err error
	eventually(e.t, "Ready", func() bool {
		err = e.c.Ready()
		return err == nil
	})
}

// quiet waits long enough for any pending debounced apply to have run.
func quiet() { time.Sleep(5 * testDebounce) }

func TestPublishesOnceNodeRegisters(t *testing.T) {
	e := newEnv(t)
	e.start()
	// The kubelet has not registered the Node yet.
	time.Sleep(2 * testDebounce)
	if err := e.c.Ready(); err == nil || !strings.Contains(err.Error(), "waiting for node "+e.self.NodeName) {
		t.Fatalf("Ready before the Node exists: %v", err)
	}

	n := bareNode(e.self.NodeName)
	n.Annotations = map[string]string{"other": "kept"}
	e.create(n)
	want := e.self.Annotations()
	eventually(t, "annotations published", func() bool { return hasAnnotations(e.get(e.self.NodeName), want) })
	if got := e.get(e.self.NodeName).Annotations["other"]; got != "kept" {
		t.Errorf("other annotation: %q, want it kept", got)
	}
	e.waitReady()
	e.waitPeers()

	// Someone removes them: they come back.
	n = e.get(e.self.NodeName)
	delete(n.Annotations, AnnotationPublicKey)
	n.Annotations[AnnotationEndpoint] = "10.0.0.9:1"
	e.update(n)
	eventually(t, "annotations re-published", func() bool { return hasAnnotations(e.get(e.self.NodeName), want) })
	eventually(t, "second publish logged", func() bool { return e.logs.count("published mesh annotations") >= 2 })
	// No loop: once the cache has the annotations, nothing is patched. (A
	// reconcile racing the cache may patch once more, harmlessly.)
	quiet()
	n1 := e.logs.count("published mesh annotations")
	quiet()
	quiet()
	if c := e.logs.count("published mesh annotations"); c != n1 || c > 3 {
		t.Errorf("published %d times, then %d: want it to settle at 2 (3 at most)", n1, c)
	}
}

func TestPeersFromNodes(t *testing.T) {
	p2, p3 := peer(t, 2), peer(t, 3)
	p3.Endpoint = "[2001:db8::3]:51821"
	e := newEnv(t, meshNode(nodeName(2), p2), meshNode(nodeName(3), p3))
	e.create(e.selfNode())
	e.start()
	e.waitPeers(p2, p3)
	e.waitReady()
	quiet()
	if c := e.sink.count(); c != 1 {
		t.Fatalf("SetPeers called %d times, want 1: %+v", c, e.sink.calls)
	}
	got := e.c.Members()
	want := []Member{{NodeName: nodeName(2), Peer: p2}, {NodeName: nodeName(3), Peer: p3}}
	if !slices.Equal(got, want) {
		t.Errorf("Members = %+v, want %+v", got, want)
	}

	// Nothing that matters changes: no new SetPeers, although reconciles
	// run (a new node without annotations is logged).
	n := e.get(nodeName(2))
	n.Labels = map[string]string{"x": "y"}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	e.update(n)
	e.create(bareNode(nodeName(4)))
	eventually(t, "node 4 logged", func() bool { return e.logs.count(`"node"="node4.k8s.internal"`) > 0 })
	quiet()
	if c := e.sink.count(); c != 1 {
		t.Fatalf("SetPeers called %d times after changes that do not matter, want 1", c)
	}

	// A new endpoint is applied.
	p3.Endpoint = "[2001:db8::33]:51820"
	e.update(meshNode(nodeName(3), p3))
	e.waitPeers(p2, p3)

	// A deleted node's peer goes.
	e.delete(nodeName(2))
	e.waitPeers(p3)
	if c := e.sink.count(); c != 3 {
		t.Errorf("SetPeers called %d times, want 3", c)
	}
}

func TestBurstAppliesOnce(t *testing.T) {
	e := newEnv(t)
	e.create(e.selfNode())
	// Long enough that five creates on a loaded machine (-race, e2e runs
	// beside) fall into one window.
	e.c.Debounce = time.Second
	e.start()
	e.waitPeers()
	e.waitReady()
	var want []netsetup.Peer
	for i := 2; i <= 6; i++ {
		p := peer(t, i)
		want = append(want, p)
		e.create(meshNode(nodeName(i), p))
	}
	e.waitPeers(want...)
	time.Sleep(1200 * time.Millisecond)
	if c := e.sink.count(); c != 2 {
		t.Errorf("SetPeers called %d times, want 2 (the first, then one for the burst)", c)
	}
}

func TestSkipsIncompleteAndInvalid(t *testing.T) {
	p2 := peer(t, 2)
	incomplete := bareNode(nodeName(3))
	incomplete.Annotations = map[string]string{AnnotationNodeIndex: "3"}
	badIndex := meshNode(nodeName(4), peer(t, 4))
	badIndex.Annotations[AnnotationNodeIndex] = "04"
	badKey := meshNode(nodeName(5), peer(t, 5))
	badKey.Annotations[AnnotationPublicKey] = "not-a-key"
	badEndpoint := meshNode(nodeName(6), peer(t, 6))
	badEndpoint.Annotations[AnnotationEndpoint] = "192.168.77.6" // no port
	e := newEnv(t, meshNode(nodeName(2), p2), incomplete, badIndex, badKey, badEndpoint)
	e.create(e.selfNode())
	e.start()
	e.waitPeers(p2)
	e.waitReady()

	// More events, same problems: each is logged once.
	p7 := peer(t, 7)
	e.create(meshNode(nodeName(7), p7))
	e.waitPeers(p2, p7)
	for _, s := range []string{
		`"node"="node3.k8s.internal" "reason"="not published yet: no kubenode.io/wireguard-public-key, kubenode.io/wireguard-endpoint"`,
		`"node"="node4.k8s.internal" "reason"="invalid: kubenode.io/node-index \"04\" is not a decimal number"`,
		`"node"="node5.k8s.internal" "reason"="invalid: kubenode.io/wireguard-public-key:`,
		`"node"="node6.k8s.internal" "reason"="invalid: kubenode.io/wireguard-endpoint: endpoint \"192.168.77.6\": not IP:PORT`,
	} {
		if c := e.logs.count(s); c != 1 {
			t.Errorf("logged %d times, want once: %s", c, s)
		}
	}

	// Completing node 3 makes it a peer.
	p3 := peer(t, 3)
	e.update(meshNode(nodeName(3), p3))
	e.waitPeers(p2, p3, p7)
	eventually(t, "node 3 no longer skipped", func() bool {
		return e.logs.count(`"msg"="mesh: no longer skipping" "subject"="node3.k8s.internal"`) == 1
	})
}

// A node left out of the mesh (an endpoint inside the cluster range, as
// with IPv6-only hosts that published their bridge address) makes the
// controller unhealthy, naming the node and why, although its applies
// succeed; once the node is fixed, it is healthy again.
func TestHealthNamesNodesLeftOut(t *testing.T) {
	p2 := peer(t, 2)
	bad := peer(t, 3)
	bad.Endpoint = "10.88.3.1:51820"
	e := newEnv(t, meshNode(nodeName(2), p2), meshNode(nodeName(3), bad))
	e.c.Cluster = &config.Config{ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix("10.88.0.0/16")}}
	e.create(e.selfNode())
	e.start()
	e.waitPeers(p2)
	e.waitReady()
	if c := e.health("PeersApplied"); !c.OK {
		t.Errorf("PeersApplied: %+v", c)
	}
	c := e.health("AllNodesPeered")
	if c.OK || !strings.Contains(c.Message, "1 node(s) not in the mesh") || !strings.Contains(c.Message, nodeName(3)) || !strings.Contains(c.Message, "10.88.3.1") {
		t.Errorf("AllNodesPeered with node 3's endpoint in the cluster range: %+v", c)
	}

	good := peer(t, 3)
	e.update(meshNode(nodeName(3), good))
	e.waitPeers(p2, good)
	eventually(t, "healthy", func() bool { return e.health("AllNodesPeered").OK })
}

// Applies that keep failing show in Health with the count and since when.
func TestHealthWhileApplyFails(t *testing.T) {
	p2 := peer(t, 2)
	e := newEnv(t, meshNode(nodeName(2), p2))
	e.create(e.selfNode())
	e.start()
	e.waitReady()
	e.sink.setFail(errors.New("wgctrl: device gone"))
	p3 := peer(t, 3)
	e.create(meshNode(nodeName(3), p3))
	eventually(t, "two failures", func() bool { return e.sink.count() >= 4 })
	c := e.health("PeersApplied")
	if c.OK || !strings.Contains(c.Message, "device gone") || !strings.Contains(c.Message, "times in a row") || c.Since.IsZero() {
		t.Errorf("PeersApplied while SetPeers fails: %+v", c)
	}
	e.sink.setFail(nil)
	e.waitPeers(p2, p3)
	eventually(t, "healthy", func() bool { return e.health("PeersApplied").OK })
}

func TestDuplicateIndexSkipsBoth(t *testing.T) {
	p2, p3 := peer(t, 2), peer(t, 3)
	dup := peer(t, 3)
	e := newEnv(t, meshNode(nodeName(2), p2), meshNode(nodeName(3), p3), meshNode("intruder", dup))
	e.create(e.selfNode())
	e.start()
	e.waitPeers(p2)
	e.waitReady()
	msg := "nodes intruder, node3.k8s.internal all claim node index 3"
	if c := e.logs.count(msg); c != 1 {
		t.Errorf("%q logged %d times, want once", msg, c)
	}

	// The intruder claims our own index instead: skipped, node 3 is back.
	dup.Index = 1
	e.update(meshNode("intruder", dup))
	e.waitPeers(p2, p3)
	if c := e.logs.count("claims node index 1, which is this node's (node1.k8s.internal)"); c != 1 {
		t.Errorf("self-index conflict logged %d times, want once", c)
	}

	// Then our own key: skipped too.
	dup.Index, dup.PublicKey = 4, e.self.PublicKey
	e.update(meshNode("intruder", dup))
	eventually(t, "own-key conflict logged", func() bool {
		return e.logs.count("publishes this node's (node1.k8s.internal) WireGuard public key") == 1
	})
	quiet()
	e.waitPeers(p2, p3)
}

func TestSetPeersFailureRetriedAndInReady(t *testing.T) {
	p2 := peer(t, 2)
	e := newEnv(t, meshNode(nodeName(2), p2))
	e.create(e.selfNode())
	e.sink.setFail(errors.New("wgctrl: boom"))
	e.start()
	eventually(t, "retries", func() bool { return e.sink.count() >= 3 })
	err := e.c.Ready()
	if err == nil || !strings.Contains(err.Error(), "wgctrl: boom") {
		t.Fatalf("Ready while SetPeers fails: %v", err)
	}
	e.sink.setFail(nil)
	e.waitReady()
	e.waitPeers(p2)
	n := e.sink.count()
	quiet()
	if c := e.sink.count(); c != n {
		t.Errorf("SetPeers called again after success: %d calls, then %d", n, c)
	}

	// A failure after the first success shows again, and heals.
	e.sink.setFail(errors.New("wgctrl: boom again"))
	p3 := peer(t, 3)
	e.create(meshNode(nodeName(3), p3))
	eventually(t, "Ready fails", func() bool {
		err := e.c.Ready()
		return err != nil && strings.Contains(err.Error(), "boom again")
	})
	if st := e.c.Status(); !slices.Equal(st.Peers, []netsetup.Peer{p2}) || st.Err == nil {
		t.Errorf("Status while failing: %+v", st)
	}
	e.sink.setFail(nil)
	e.waitReady()
	e.waitPeers(p2, p3)
}

func TestTaintWhenWorkers(t *testing.T) {
	e := newEnv(t)
	self := e.selfNode()
	other := corev1.Taint{Key: "example.com/keep", Effect: corev1.TaintEffectNoExecute}
	self.Spec.Taints = []corev1.Taint{other}
	e.create(self)
	e.c.TaintPolicy = TaintWhileOthers
	e.c.Taint = corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}
	e.start()
	e.waitReady()
	hasCP := func() bool { return hasTaint(e.get(e.self.NodeName), &e.c.Taint) }
	quiet()
	if hasCP() {
		t.Fatal("tainted while alone")
	}

	e.create(bareNode(nodeName(2))) // a worker that has not published yet counts
	eventually(t, "taint added", hasCP)
	e.create(meshNode(nodeName(3), peer(t, 3)))
	e.delete(nodeName(2))
	quiet()
	if !hasCP() {
		t.Fatal("taint removed while node 3 exists")
	}
	// Someone removes it while workers exist: it comes back.
	n := e.get(e.self.NodeName)
	n.Spec.Taints = []corev1.Taint{other}
	e.update(n)
	eventually(t, "taint re-added", hasCP)
	e.delete(nodeName(3))
	eventually(t, "taint removed", func() bool { return !hasCP() })
	if taints := e.get(e.self.NodeName).Spec.Taints; !slices.EqualFunc(taints, []corev1.Taint{other}, func(a, b corev1.Taint) bool { return a.MatchTaint(&b) }) {
		t.Errorf("taints = %+v, want only %v", taints, other)
	}
	if c := e.logs.count("tainted this node"); c != 2 {
		t.Errorf("tainted %d times, want 2", c)
	}
}

// A changed runtime.primaryTaint converges an existing Node both ways: the
// kubelet registers with the taint only when it creates the Node, so the
// taint "auto" (or "always") added stays unless the controller removes it.
func TestTaintPolicyConverges(t *testing.T) {
	cp := corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}
	other := corev1.Taint{Key: "example.com/keep", Effect: corev1.TaintEffectNoExecute}
	for _, tc := range []struct {
		policy       TaintPolicy
		tainted      bool // the Node as an earlier policy left it
		worker, want bool
	}{
		{TaintNever, true, true, false},   // auto with a worker, then never
		{TaintNever, true, false, false},  // always alone, then never
		{TaintAlways, false, false, true}, // auto alone, then always
		{TaintAlways, false, true, true},
		{TaintWhileOthers, true, false, false}, // always alone, then auto
	} {
		t.Run(fmt.Sprintf("%s tainted=%v worker=%v", tc.policy, tc.tainted, tc.worker), func(t *testing.T) {
			e := newEnv(t)
			self := e.selfNode()
			self.Spec.Taints = []corev1.Taint{other}
			if tc.tainted {
				self.Spec.Taints = append(self.Spec.Taints, cp)
			}
			e.create(self)
			if tc.worker {
				e.create(meshNode(nodeName(2), peer(t, 2)))
			}
			e.c.TaintPolicy, e.c.Taint = tc.policy, cp
			e.start()
			e.waitReady()
			has := func() bool { return hasTaint(e.get(e.self.NodeName), &cp) }
			eventually(t, fmt.Sprintf("tainted=%v", tc.want), func() bool { return has() == tc.want })
			if !hasTaint(e.get(e.self.NodeName), &other) {
				t.Errorf("another taint was removed: %+v", e.get(e.self.NodeName).Spec.Taints)
			}
			// Changed by hand against the policy: it comes back.
			if tc.policy != TaintWhileOthers {
				n := e.get(e.self.NodeName)
				n.Spec.Taints = []corev1.Taint{other}
				if !tc.want {
					n.Spec.Taints = append(n.Spec.Taints, cp)
				}
				e.update(n)
				eventually(t, "converged again", func() bool { return has() == tc.want })
			}
			// Workers coming or going change nothing but for auto.
			if tc.worker {
				e.delete(nodeName(2))
			} else {
				e.create(meshNode(nodeName(3), peer(t, 3)))
			}
			quiet()
			if tc.policy != TaintWhileOthers && has() != tc.want {
				t.Errorf("tainted=%v after the node list changed, want %v", has(), tc.want)
			}
		})
	}
}

// The taint goes through the admin identity, not the node's own.
func TestTaintUsesAdminIdentity(t *testing.T) {
	e := newEnv(t)
	e.create(e.selfNode())
	e.create(bareNode(nodeName(2)))
	nodeClient := fake.NewClientset(e.selfNode(), bareNode(nodeName(2)))
	e.nodeClient = nodeClient
	e.c.TaintPolicy = TaintWhileOthers
	e.c.Taint = corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}
	e.start()
	e.waitReady()
	eventually(t, "taint via admin", func() bool { return hasTaint(e.get(e.self.NodeName), &e.c.Taint) })
	n, err := nodeClient.CoreV1().Nodes().Get(context.Background(), e.self.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Spec.Taints) != 0 {
		t.Errorf("node client's copy was tainted: %+v", n.Spec.Taints)
	}
}

// The primary's role label is put on with the admin identity, and put back
// when someone removes it.
func TestRoleLabelKept(t *testing.T) {
	e := newEnv(t)
	e.create(e.selfNode())
	e.c.TaintPolicy = TaintNever
	e.c.Taint = corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}
	e.c.Labels = map[string]string{"node-role.kubernetes.io/control-plane": ""}
	e.start()
	e.waitReady()
	labelled := func() bool {
		v, ok := e.get(e.self.NodeName).Labels["node-role.kubernetes.io/control-plane"]
		return ok && v == ""
	}
	eventually(t, "role label", labelled)
	n := e.get(e.self.NodeName)
	delete(n.Labels, "node-role.kubernetes.io/control-plane")
	e.update(n)
	eventually(t, "role label put back", labelled)
}

func TestStaticPeersUntilClaimed(t *testing.T) {
	e := newEnv(t)
	e.self = Self{NodeName: nodeName(2), Index: 2, PublicKey: genKey(t), Endpoint: "192.168.77.2:51820"}
	e.c.Self = e.self
	primary := peer(t, 1)
	e.c.Static = []netsetup.Peer{primary, {Index: 2, PublicKey: e.self.PublicKey, Endpoint: e.self.Endpoint}}
	e.create(bareNode(nodeName(1))) // registered, not yet published
	e.create(e.selfNode())
	e.start()
	e.waitPeers(primary)
	e.waitReady()

	moved := primary
	moved.Endpoint = "192.168.77.100:51820"
	e.update(meshNode(nodeName(1), moved))
	e.waitPeers(moved)
}

func TestStopPromptly(t *testing.T) {
	e := newEnv(t)
	e.create(e.selfNode())
	e.start()
	e.waitReady()
	begin := time.Now()
	if err := e.host.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.host.Stop(context.Background()); err != nil { // twice is fine
		t.Fatal(err)
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("Stop took %s", d)
	}
}

// An API call of the informer that ignores cancellation (client-go's
// watch-list retry sleeps its backoff without looking at its stop channel,
// which held a worker's stop for the whole budget after a primary restart)
// must not hold up Stop: it returns at once, without an error.
func TestStopDoesNotWaitForBlockedInformer(t *testing.T) {
	e := newEnv(t)
	e.create(e.selfNode())
	release := make(chan struct{})
	defer close(release)
	watching := make(chan struct{}, 1)
	e.client.PrependWatchReactor("nodes", func(clienttesting.Action) (bool, watch.Interface, error) {
		select {
		case watching <- struct{}{}:
		default:
		}
		<-release // as an API call that never sees its context end
		return false, nil, nil
	})
	e.start()
	e.waitReady()
	select {
	case <-watching:
	case <-time.After(waitTimeout):
		t.Fatal("the informer never started its watch")
	}

	// The node's stop budget.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	begin := time.Now()
	if err := e.host.Stop(ctx); err != nil {
		t.Fatalf("Stop with the informer's watch blocked: %v", err)
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("Stop took %s", d)
	}
}

// The informer lists and then watches instead of streaming its list in a
// watch (client-go's WatchListClient), whose retries ignore the stop
// channel. A real client does not opt out of streaming lists as the fake
// one does; here a streaming list never completes, so only a controller
// that lists gets ready.
func TestInformerListsInsteadOfStreaming(t *testing.T) {
	e := newEnv(t)
	e.create(e.selfNode())
	release := make(chan struct{})
	defer close(release)
	e.client.PrependWatchReactor("nodes", func(a clienttesting.Action) (bool, watch.Interface, error) {
		if w, ok := a.(clienttesting.WatchActionImpl); ok && w.ListOptions.SendInitialEvents != nil && *w.ListOptions.SendInitialEvents {
			<-release
		}
		return false, nil, nil
	})
	e.nodeClient = struct{ kubernetes.Interface }{e.client} // hides the fake's opt-out
	e.start()
	e.waitReady()
}

func TestInitValidation(t *testing.T) {
	good := Self{NodeName: "n", Index: 3, PublicKey: genKey(t), Endpoint: "[2001:db8::1]:51820"}
	cluster := &config.Config{ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix("10.88.0.0/22")}}
	for _, tc := range []struct {
		name  string
		edit  func(*Controller)
		error string
	}{
		{"ok", func(*Controller) {}, ""},
		{"no name", func(c *Controller) { c.Self.NodeName = "" }, "node name is empty"},
		{"index 0", func(c *Controller) { c.Self.Index = 0 }, "node index 0: must be between 1 and 255"},
		{"index 256", func(c *Controller) { c.Self.Index = 256 }, "node index 256: must be between 1 and 255"},
		{"index outside cluster", func(c *Controller) { c.Self.Index = 4; c.Cluster = cluster }, "node index 4 does not fit in 10.88.0.0/22"},
		{"short key", func(c *Controller) { c.Self.PublicKey = "AAAA" }, `public key: "AAAA" is not a WireGuard key`},
		{"zero key", func(c *Controller) { c.Self.PublicKey = wgtypes.Key{}.String() }, "all-zero key"},
		{"no port", func(c *Controller) { c.Self.Endpoint = "192.168.1.1" }, `endpoint "192.168.1.1": not IP:PORT`},
		{"name", func(c *Controller) { c.Self.Endpoint = "example.com:51820" }, "not IP:PORT"},
		{"loopback", func(c *Controller) { c.Self.Endpoint = "127.0.0.1:51820" }, "must be a unicast address"},
		{"no sink", func(c *Controller) { c.Peers = nil }, "no peer sink"},
		{"taint without key", func(c *Controller) { c.TaintPolicy = TaintNever }, "taint policy never needs a Taint with a key"},
		{"unknown taint policy", func(c *Controller) { c.TaintPolicy = "sometimes"; c.Taint.Key = "k" }, `taint policy "sometimes": must be auto, always or never`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Controller{Self: good, Peers: &sink{}, Log: logr.Discard()}
			tc.edit(c)
			err := c.Validate()
			switch {
			case tc.error == "" && err != nil:
				t.Fatalf("Init: %v", err)
			case tc.error != "" && (err == nil || !strings.Contains(err.Error(), tc.error)):
				t.Fatalf("Init: %v, want an error containing %q", err, tc.error)
			}
		})
	}
}

func TestComputeNormalizesAndChecksCluster(t *testing.T) {
	self := Self{NodeName: "a", Index: 1, PublicKey: genKey(t), Endpoint: "10.0.0.1:51820"}
	key := genKey(t)
	n := meshNode("b", netsetup.Peer{Index: 2, PublicKey: key, Endpoint: "[::ffff:192.168.1.2]:51820"})
	v := compute(self, nil, nil, []*corev1.Node{n})
	want := []netsetup.Peer{{Index: 2, PublicKey: key, Endpoint: "192.168.1.2:51820"}}
	if !slices.Equal(v.peers, want) {
		t.Errorf("peers = %+v, want %+v", v.peers, want)
	}

	cluster := &config.Config{ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix("10.88.0.0/22")}}
	far := meshNode("c", netsetup.Peer{Index: 9, PublicKey: genKey(t), Endpoint: "192.168.1.9:51820"})
	inside := meshNode("d", netsetup.Peer{Index: 3, PublicKey: genKey(t), Endpoint: "10.88.2.5:51820"})
	v = compute(self, cluster, nil, []*corev1.Node{n, far, inside})
	if !slices.Equal(v.peers, want) {
		t.Errorf("with cluster: peers = %+v, want %+v", v.peers, want)
	}
	if !strings.Contains(v.problems["c"].msg, "does not fit") || !strings.Contains(v.problems["d"].msg, "inside the cluster range") {
		t.Errorf("problems = %+v", v.problems)
	}

	dupKey := meshNode("e", netsetup.Peer{Index: 5, PublicKey: key, Endpoint: "192.168.1.5:51820"})
	v = compute(self, nil, nil, []*corev1.Node{n, dupKey})
	if len(v.peers) != 0 || !v.problems["key b"].isErr {
		t.Errorf("duplicate key: peers %+v, problems %+v", v.peers, v.problems)
	}
}
