// Package mesh is the controller every node runs to build its WireGuard
// mesh from the Node objects in the API.
//
// Each node publishes three annotations on its own Node object
// (AnnotationNodeIndex, AnnotationPublicKey, AnnotationEndpoint) and watches
// all Nodes; the other nodes whose annotations are valid become its
// WireGuard peers, and netsetup derives the routes and the firewall from
// them. On the primary, the controller also keeps the control-plane taint
// on its own Node as runtime.primaryTaint says: while other nodes exist
// ("auto"), always, or never.
//
// Access it needs, with authorization Node,RBAC and NodeRestriction:
//
//   - get, list, watch on nodes for every node (group system:nodes). The Node
//     authorizer lets a node read only its own Node object
//     (AuthorizeNodeWithSelectors is GA and locked on since 1.34), so this
//     needs a ClusterRole bound to the group.
//   - patch on its own node: the Node authorizer allows it, NodeRestriction
//     limits it to the node's own object and does not restrict annotations.
//   - the taint is changed with TaintClient (admin credentials):
//     NodeRestriction forbids a node to modify its own taints.
package mesh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/controllers"
	"github.com/kubenode/kubenode/pkg/netsetup"
	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Self is what this node publishes about itself.
type Self struct {
	NodeName  string // the Node object's name, e.g. node2.k8s.internal
	Index     int    // 1..255
	PublicKey string // base64, as wg(8) prints it
	Endpoint  string // underlay IP:PORT of wgkube, [IPv6]:PORT
}

// PeerSetter takes the peer list; *netsetup.Network is one.
type PeerSetter interface {
	SetPeers(ctx context.Context, peers []netsetup.Peer) error
}

// Defaults of the tunables.
const (
	DefaultDebounce = 200 * time.Millisecond
	DefaultRetryMin = time.Second
	DefaultRetryMax = 30 * time.Second
	apiTimeout      = 15 * time.Second
)

// Controller publishes this node's annotations and keeps the peers in line
// with the Node list. It is a reconciler on the controller host
// (pkg/controllers), reading Nodes with the node's own identity. The
// exported fields are its configuration, set before the host starts and
// not changed afterwards.
type Controller struct {
	Self  Self
	Peers PeerSetter
	Log   logr.Logger

	// Static peers (config.yaml's network.peers, or the primary as the join
	// token names it) are kept for an index until a Node publishes a valid
	// claim to it, so that a worker does not drop its way to the API
	// server before the primary's Node says the same thing.
	Static []netsetup.Peer
	// Cluster, when set, lets the controller skip a Node whose index has no
	// subnet in the cluster ranges or whose endpoint lies inside them.
	// netsetup rejects such a peer too, but by refusing the whole list.
	Cluster *config.Config

	// TaintPolicy says when Taint is on Self's Node; the controller adds
	// and removes it with the admin identity (a node may not change its
	// own taints: NodeRestriction). The primary's is runtime.primaryTaint.
	TaintPolicy TaintPolicy
	Taint       corev1.Taint
	// Labels are kept on Self's Node with the admin identity, when the
	// taint is managed (the primary's role label: a node may not set
	// node-role labels on itself either).
	Labels map[string]string

	// OnMembers, if set, is called with the other nodes of the mesh
	// whenever that set changes (e.g. to serve their names in DNS). It must
	// not block for long.
	OnMembers func([]Member)

	// Debounce is how long events are collected before one apply (default
	// 200ms). RetryMin and RetryMax bound the backoff after a failure
	// (default 1s and 30s).
	Debounce, RetryMin, RetryMax time.Duration

	self        Self // validated, normal form
	client      kubernetes.Interface
	taintClient kubernetes.Interface
	nodes       listersv1.NodeLister
	mu          sync.Mutex
	st          state
	// problems are the nodes left out at the last reconcile, and why.
	problems map[string]problem
}

// state is what Ready, Health and Status report; guarded by mu.
type state struct {
	started   bool
	nodeSeen  bool  // Self's Node exists
	published bool  // and carries our annotations
	pubErr    error // last patch failure
	applied   bool  // SetPeers succeeded at least once
	applyErr  error // last SetPeers failure, nil after a success
	failingAt time.Time
	taintErr  error
	peers     []netsetup.Peer // last applied
	members   []Member
	failures  int
}

var (
	_ controllers.Controller = (*Controller)(nil)
	_ controllers.Readier    = (*Controller)(nil)
	_ controllers.Healther   = (*Controller)(nil)
)

// key is the controller's only queue key: every event leads to one full
// reconcile of the Node list.
const key = "nodes"

func (c *Controller) Name() string { return "mesh" }

// Options are how the host runs the controller: one worker, backoff
// between RetryMin and RetryMax, retried for ever.
func (c *Controller) Options() controllers.Options {
	return controllers.Options{RateLimiter: workqueue.NewTypedItemExponentialFailureRateLimiter[string](
		orDefault(c.RetryMin, DefaultRetryMin), orDefault(c.RetryMax, DefaultRetryMax))}
}

// Validate checks the configuration; it starts nothing.
func (c *Controller) Validate() error {
	var errs []error
	self, err := c.Self.Validate()
	if err != nil {
		errs = append(errs, err)
	}
	if c.Peers == nil {
		errs = append(errs, errors.New("no peer sink (Peers)"))
	}
	if c.Cluster != nil && err == nil {
		if _, err := c.Cluster.NodeSubnets(self.Index); err != nil {
			errs = append(errs, fmt.Errorf("node index %d: %w", self.Index, err))
		}
	}
	if c.TaintPolicy != TaintUnmanaged {
		switch {
		case !slices.Contains([]TaintPolicy{TaintWhileOthers, TaintAlways, TaintNever}, c.TaintPolicy):
			errs = append(errs, fmt.Errorf("taint policy %q: must be %s, %s or %s", c.TaintPolicy, TaintWhileOthers, TaintAlways, TaintNever))
		case c.Taint.Key == "":
			errs = append(errs, fmt.Errorf("taint policy %s needs a Taint with a key", c.TaintPolicy))
		case c.Taint.Effect != corev1.TaintEffectNoSchedule && c.Taint.Effect != corev1.TaintEffectPreferNoSchedule && c.Taint.Effect != corev1.TaintEffectNoExecute:
			errs = append(errs, fmt.Errorf("taint %s: effect %q is not NoSchedule, PreferNoSchedule or NoExecute", c.Taint.Key, c.Taint.Effect))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("mesh: %w", err)
	}
	c.self = self
	return nil
}

// Setup takes the clients and the Node informer from the host and queues
// the first reconcile.
func (c *Controller) Setup(s *controllers.Setup) error {
	if err := c.Validate(); err != nil {
		return err
	}
	client, err := s.Client(controllers.NodeIdentity)
	if err != nil {
		return err
	}
	c.client = client
	if c.TaintPolicy != TaintUnmanaged {
		if c.taintClient, err = s.Client(controllers.AdminIdentity); err != nil {
			return err
		}
	}
	f, err := s.Informers(controllers.NodeIdentity)
	if err != nil {
		return err
	}
	nodes := f.Core().V1().Nodes()
	queue := s.Queue()
	// One apply per Debounce window after the first event of a burst: the
	// delaying queue keeps the earliest time a key is due, so a steady
	// trickle of events cannot postpone it.
	kick := func() { queue.AddAfter(key, c.debounce()) }
	if _, err := nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { kick() },
		UpdateFunc: func(oldObj, newObj any) {
			o, ok1 := oldObj.(*corev1.Node)
			n, ok2 := newObj.(*corev1.Node)
			if !ok1 || !ok2 || relevantChange(o, n) {
				kick()
			}
		},
		DeleteFunc: func(any) { kick() },
	}); err != nil {
		return fmt.Errorf("mesh: watch nodes: %w", err)
	}
	s.WaitFor(nodes.Informer().HasSynced)
	c.nodes = nodes.Lister()
	queue.Add(key)
	c.mu.Lock()
	c.st.started = true
	c.mu.Unlock()
	c.Log.Info("watching nodes", "node", c.self.NodeName, "index", c.self.Index, "endpoint", c.self.Endpoint)
	return nil
}

// Reconcile does one full pass over the Node list.
func (c *Controller) Reconcile(ctx context.Context, _ string) error {
	return c.reconcile(ctx, c.nodes)
}

// Ready reports whether this node's annotations are published and the peer
// list of the first full reconcile is applied; afterwards it fails while
// applying the peers fails.
func (c *Controller) Ready() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.st
	switch {
	case !s.started:
		return errors.New("mesh: not started")
	case s.applyErr != nil:
		return fmt.Errorf("mesh: applying peers failed %d times: %w", s.failures, s.applyErr)
	case s.pubErr != nil:
		return fmt.Errorf("mesh: publishing annotations on node %s: %w", c.self.NodeName, s.pubErr)
	case !s.nodeSeen:
		return fmt.Errorf("mesh: waiting for node %s to register", c.self.NodeName)
	case !s.published:
		return fmt.Errorf("mesh: annotations of node %s not published yet", c.self.NodeName)
	case !s.applied:
		return errors.New("mesh: peers not applied yet")
	}
	return nil
}

// Health reports, while the node runs: whether the peers are applied,
// the annotations published, every other Node a peer (a Node left out is
// a node this one cannot reach: the reason names what is wrong with it),
// and, on the primary, the taint kept.
func (c *Controller) Health() []supervisor.Condition {
	c.mu.Lock()
	s, problems := c.st, c.problems
	c.mu.Unlock()
	applied := supervisor.Condition{Type: "PeersApplied", OK: s.applyErr == nil && s.applied}
	switch {
	case s.applyErr != nil:
		applied.Message = fmt.Sprintf("applying the peers to wgkube failed %d times in a row: %v", s.failures, s.applyErr)
		applied.Since = s.failingAt
	case !s.applied:
		applied.Message = "no peer list applied yet"
	}
	published := supervisor.Condition{Type: "Published", OK: s.pubErr == nil && s.published}
	switch {
	case s.pubErr != nil:
		published.Message = s.pubErr.Error()
	case !s.nodeSeen:
		published.Message = fmt.Sprintf("node %s is not registered", c.self.NodeName)
	case !s.published:
		published.Message = fmt.Sprintf("the mesh annotations of node %s are not published yet", c.self.NodeName)
	}
	peered := supervisor.Condition{Type: "AllNodesPeered", OK: len(problems) == 0}
	if len(problems) > 0 {
		var why []string
		for _, k := range slices.Sorted(maps.Keys(problems)) {
			why = append(why, k+": "+problems[k].msg)
		}
		peered.Message = fmt.Sprintf("%d node(s) not in the mesh, so this node cannot reach them: %s", len(problems), strings.Join(why, "; "))
	}
	out := []supervisor.Condition{applied, published, peered}
	if c.TaintPolicy != TaintUnmanaged {
		t := supervisor.Condition{Type: "Taint", OK: s.taintErr == nil}
		if s.taintErr != nil {
			t.Message = s.taintErr.Error()
		}
		out = append(out, t)
	}
	return out
}

// Status is a snapshot of the controller, for status output.
type Status struct {
	Published bool
	Applied   bool
	Peers     []netsetup.Peer // last applied
	Members   []Member
	Err       error // what failed in the last reconcile, if anything
}

func (c *Controller) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Status{
		Published: c.st.published,
		Applied:   c.st.applied,
		Peers:     slices.Clone(c.st.peers),
		Members:   slices.Clone(c.st.members),
		Err:       errors.Join(c.st.applyErr, c.st.pubErr, c.st.taintErr),
	}
}

// Members returns the other nodes of the mesh as last applied, by index.
func (c *Controller) Members() []Member {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.st.members)
}

func (c *Controller) debounce() time.Duration { return orDefault(c.Debounce, DefaultDebounce) }

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// reconcile does one full pass: publish, apply peers, taint. Each step
// runs even if an earlier one failed.
func (c *Controller) reconcile(ctx context.Context, lister listersv1.NodeLister) error {
	nodes, err := lister.List(labels.Everything())
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	v := compute(c.self, c.Cluster, c.Static, nodes)
	c.logProblems(v.problems)

	pubErr := c.publish(ctx, v.self)
	applyErr := c.apply(ctx, v.peers)
	var taintErr error
	if c.TaintPolicy != TaintUnmanaged {
		taintErr = errors.Join(c.taint(ctx, v.self, v.others), c.label(ctx, v.self))
	}

	c.mu.Lock()
	c.st.nodeSeen = v.self != nil
	c.st.pubErr = pubErr
	if applyErr != nil {
		if c.st.failures == 0 {
			c.st.failingAt = time.Now()
		}
		c.st.failures++
	} else {
		c.st.failures = 0
	}
	c.st.applyErr = applyErr
	c.st.taintErr = taintErr
	changed := applyErr == nil && !reflect.DeepEqual(c.st.members, v.members)
	if changed {
		c.st.members = v.members
	}
	c.mu.Unlock()
	if changed && c.OnMembers != nil {
		c.OnMembers(slices.Clone(v.members))
	}
	return errors.Join(pubErr, applyErr, taintErr)
}

// publish writes our annotations on our Node when they differ, which also
// puts them back if someone removed them. Without a Node yet it waits: the
// informer reports the kubelet's registration.
func (c *Controller) publish(ctx context.Context, self *corev1.Node) error {
	if self == nil {
		c.setPublished(false)
		return nil
	}
	want := c.self.Annotations()
	if hasAnnotations(self, want) {
		c.setPublished(true)
		return nil
	}
	body, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": want}})
	if err != nil {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	if _, err := c.client.CoreV1().Nodes().Patch(actx, c.self.NodeName, types.MergePatchType, body, metav1.PatchOptions{}); err != nil {
		c.setPublished(false)
		return fmt.Errorf("patch annotations of node %s: %w", c.self.NodeName, err)
	}
	c.Log.Info("published mesh annotations", "node", c.self.NodeName, "index", c.self.Index, "endpoint", c.self.Endpoint, "publicKey", c.self.PublicKey)
	c.setPublished(true)
	return nil
}

func (c *Controller) setPublished(p bool) {
	c.mu.Lock()
	c.st.published = p
	c.mu.Unlock()
}

func hasAnnotations(n *corev1.Node, want map[string]string) bool {
	for k, v := range want {
		if got, ok := n.Annotations[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// apply hands the peer list to the sink when it differs from the last one
// applied (always, the first time).
func (c *Controller) apply(ctx context.Context, peers []netsetup.Peer) error {
	c.mu.Lock()
	same := c.st.applied && slices.Equal(c.st.peers, peers)
	c.mu.Unlock()
	if same {
		return nil
	}
	if err := c.Peers.SetPeers(ctx, slices.Clone(peers)); err != nil {
		return fmt.Errorf("set peers: %w", err)
	}
	c.mu.Lock()
	c.st.applied = true
	c.st.peers = peers
	c.mu.Unlock()
	idx := make([]int, len(peers))
	for i, p := range peers {
		idx[i] = p.Index
	}
	c.Log.Info("mesh peers applied", "peers", idx)
	return nil
}

// TaintPolicy is when the controller keeps its Taint on Self's Node.
type TaintPolicy string

// The policies; all but TaintUnmanaged converge both ways, so changing
// the policy (runtime.primaryTaint) takes effect at the next start.
const (
	TaintUnmanaged   TaintPolicy = ""       // taints are left alone (workers)
	TaintWhileOthers TaintPolicy = "auto"   // while any other Node exists
	TaintAlways      TaintPolicy = "always" // always, even if removed by hand
	TaintNever       TaintPolicy = "never"  // never, even if added earlier
)

// wants reports whether the taint belongs on our Node.
func (p TaintPolicy) wants(others []string) bool {
	switch p {
	case TaintAlways:
		return true
	case TaintWhileOthers:
		return len(others) > 0
	}
	return false
}

// taint keeps c.Taint on our Node as c.TaintPolicy says.
func (c *Controller) taint(ctx context.Context, self *corev1.Node, others []string) error {
	if self == nil {
		return nil
	}
	want := c.TaintPolicy.wants(others)
	if hasTaint(self, &c.Taint) == want {
		return nil
	}
	actx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	nodes := c.taintClient.CoreV1().Nodes()
	changed := false
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := nodes.Get(actx, c.self.NodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if hasTaint(n, &c.Taint) == want {
			return nil // the cache was behind
		}
		n.Spec.Taints = slices.DeleteFunc(n.Spec.Taints, func(t corev1.Taint) bool { return t.MatchTaint(&c.Taint) })
		if want {
			n.Spec.Taints = append(n.Spec.Taints, c.Taint)
		}
		_, err = nodes.Update(actx, n, metav1.UpdateOptions{})
		changed = err == nil
		return err
	})
	switch {
	case err != nil:
		return fmt.Errorf("taint node %s: %w", c.self.NodeName, err)
	case !changed:
	case c.TaintPolicy != TaintWhileOthers:
		c.Log.Info("set this node's taint as the taint policy says", "node", c.self.NodeName, "taint", c.Taint.ToString(), "policy", c.TaintPolicy, "tainted", want)
	case want:
		c.Log.Info("tainted this node, as other nodes exist", "node", c.self.NodeName, "taint", c.Taint.ToString(), "others", others)
	default:
		c.Log.Info("removed this node's taint, as no other node exists", "node", c.self.NodeName, "taint", c.Taint.ToString())
	}
	return nil
}

// label puts Labels on our Node when one is missing or differs.
func (c *Controller) label(ctx context.Context, self *corev1.Node) error {
	if self == nil || len(c.Labels) == 0 {
		return nil
	}
	missing := false
	for k, v := range c.Labels {
		if got, ok := self.Labels[k]; !ok || got != v {
			missing = true
		}
	}
	if !missing {
		return nil
	}
	body, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": c.Labels}})
	if err != nil {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	if _, err := c.taintClient.CoreV1().Nodes().Patch(actx, c.self.NodeName, types.MergePatchType, body, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("label node %s: %w", c.self.NodeName, err)
	}
	c.Log.Info("labelled this node", "node", c.self.NodeName, "labels", c.Labels)
	return nil
}

func hasTaint(n *corev1.Node, t *corev1.Taint) bool {
	return slices.ContainsFunc(n.Spec.Taints, func(x corev1.Taint) bool { return x.MatchTaint(t) })
}

// logProblems logs each node left out once per change of its reason, not
// at every event, and notes when it is no longer left out.
func (c *Controller) logProblems(now map[string]problem) {
	c.mu.Lock()
	before := c.problems
	c.problems = now
	c.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(now)) {
		p := now[k]
		if before[k] == p {
			continue
		}
		switch {
		case p.isErr:
			c.Log.Error(errors.New(p.msg), "mesh: skipping node(s)", "subject", k)
		case strings.HasPrefix(p.msg, "not published yet"):
			c.Log.Info("mesh: node has not published its mesh annotations yet; skipping it", "node", k, "reason", p.msg)
		default:
			c.Log.Info("mesh: skipping node with invalid mesh annotations", "node", k, "reason", p.msg)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if _, ok := now[k]; !ok {
			c.Log.Info("mesh: no longer skipping", "subject", k)
		}
	}
}

// relevantChange: only the annotations and the taints are read, and node
// status updates arrive every few seconds from every node.
func relevantChange(o, n *corev1.Node) bool {
	for _, a := range []string{AnnotationNodeIndex, AnnotationPublicKey, AnnotationEndpoint} {
		if o.Annotations[a] != n.Annotations[a] {
			return true
		}
		_, had := o.Annotations[a]
		_, has := n.Annotations[a]
		if had != has {
			return true
		}
	}
	return !reflect.DeepEqual(o.Spec.Taints, n.Spec.Taints) || !maps.Equal(o.Labels, n.Labels)
}
