// Package mesh is the controller every node runs to build its WireGuard
// mesh from the Node objects in the API.
//
// Each node publishes three annotations on its own Node object
// (AnnotationNodeIndex, AnnotationPublicKey, AnnotationEndpoint) and watches
// all Nodes; the other nodes whose annotations are valid become its
// WireGuard peers, and netsetup derives the routes and the firewall from
// them. On the primary, the controller can also keep the control-plane
// taint on its own Node exactly while other nodes exist (runtime.primaryTaint
// "auto").
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
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"

	"github.com/kubenode/kubenode/pkg/config"
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
// with the Node list. The exported fields are its configuration, set before
// Init and not changed afterwards.
type Controller struct {
	// Client uses the node's own credentials.
	Client kubernetes.Interface
	Self   Self
	Peers  PeerSetter
	Log    logr.Logger

	// Static peers (config.yaml's network.peers, or the primary as the join
	// token names it) are kept for an index until a Node publishes a valid
	// claim to it, so that a worker does not drop its way to the API
	// server before the primary's Node says the same thing.
	Static []netsetup.Peer
	// Cluster, when set, lets the controller skip a Node whose index has no
	// subnet in the cluster ranges or whose endpoint lies inside them.
	// netsetup rejects such a peer too, but by refusing the whole list.
	Cluster *config.Config

	// TaintWhenWorkers adds Taint to Self's Node while any other Node
	// exists and removes it when none does, using TaintClient (which needs
	// the right to update Nodes: NodeRestriction forbids a node to change
	// its own taints). For the primary, with runtime.primaryTaint "auto".
	TaintWhenWorkers bool
	TaintClient      kubernetes.Interface
	Taint            corev1.Taint

	// OnMembers, if set, is called from the controller's goroutine with the
	// other nodes of the mesh whenever that set changes (e.g. to serve
	// their names in DNS). It must not block for long.
	OnMembers func([]Member)

	// Debounce is how long events are collected before one apply (default
	// 200ms). RetryMin and RetryMax bound the backoff after a failure
	// (default 1s and 30s).
	Debounce, RetryMin, RetryMax time.Duration

	self   Self // validated, normal form
	dirty  chan struct{}
	mu     sync.Mutex
	cancel context.CancelFunc
	exited <-chan error
	done   chan struct{} // closed once the controller's goroutine ended
	st     state
	// problems are the nodes left out at the last reconcile, and why.
	problems map[string]problem
}

// state is what Ready and Status report; guarded by mu.
type state struct {
	started   bool
	nodeSeen  bool  // Self's Node exists
	published bool  // and carries our annotations
	pubErr    error // last patch failure
	applied   bool  // SetPeers succeeded at least once
	applyErr  error // last SetPeers failure, nil after a success
	taintErr  error
	peers     []netsetup.Peer // last applied
	members   []Member
	failures  int
}

var (
	_ supervisor.Component = (*Controller)(nil)
	_ supervisor.Readier   = (*Controller)(nil)
	_ supervisor.Exiter    = (*Controller)(nil)
)

func (c *Controller) Name() string { return "mesh" }

// Init checks the configuration; it starts nothing.
func (c *Controller) Init(context.Context) error {
	var errs []error
	self, err := c.Self.Validate()
	if err != nil {
		errs = append(errs, err)
	}
	if c.Client == nil {
		errs = append(errs, errors.New("no API client"))
	}
	if c.Peers == nil {
		errs = append(errs, errors.New("no peer sink (Peers)"))
	}
	if c.Cluster != nil && err == nil {
		if _, err := c.Cluster.NodeSubnets(self.Index); err != nil {
			errs = append(errs, fmt.Errorf("node index %d: %w", self.Index, err))
		}
	}
	if c.TaintWhenWorkers {
		if c.TaintClient == nil {
			errs = append(errs, errors.New("TaintWhenWorkers needs a TaintClient"))
		}
		switch {
		case c.Taint.Key == "":
			errs = append(errs, errors.New("TaintWhenWorkers needs a Taint with a key"))
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

// Start starts the Node informer and the controller's goroutine, tied to
// ctx, and returns.
func (c *Controller) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		return errors.New("mesh: started twice")
	}
	if c.self.NodeName == "" {
		return errors.New("mesh: Start before a successful Init")
	}
	ctx, cancel := context.WithCancel(ctx)
	c.dirty = make(chan struct{}, 1)
	// Only annotations and taints matter here; the status (images,
	// conditions, updated every few seconds) would only take memory.
	f := informers.NewSharedInformerFactoryWithOptions(listAndWatch{c.Client}, 0, informers.WithTransform(trimNode))
	nodes := f.Core().V1().Nodes()
	reg, err := nodes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { c.kick() },
		UpdateFunc: func(oldObj, newObj any) {
			o, ok1 := oldObj.(*corev1.Node)
			n, ok2 := newObj.(*corev1.Node)
			if !ok1 || !ok2 || relevantChange(o, n) {
				c.kick()
			}
		},
		DeleteFunc: func(any) { c.kick() },
	})
	if err != nil {
		cancel()
		return fmt.Errorf("mesh: watch nodes: %w", err)
	}
	lister := nodes.Lister()
	f.Start(ctx.Done())
	c.cancel = cancel
	done := make(chan struct{})
	c.done = done
	c.st.started = true
	run := supervisor.Go(func() error { return c.run(ctx, reg.HasSynced, lister) })
	exited := make(chan error, 1)
	c.exited = exited
	go func() {
		err := <-run
		cancel()
		exited <- err
		close(exited)
		close(done)
		// The informer's goroutines end with ctx, but an API call of
		// theirs may not: Stop does not wait for them, as nothing reads
		// their cache once run has returned.
		f.Shutdown()
	}()
	c.Log.Info("watching nodes", "node", c.self.NodeName, "index", c.self.Index, "endpoint", c.self.Endpoint)
	return nil
}

// listAndWatch makes the Node informer list and then watch, instead of
// streaming its initial list in a watch (client-go's WatchListClient, on by
// default): when that watch fails with a retriable error, such as
// connection refused while the primary restarts, client-go sleeps its
// backoff (up to 30s) without looking at the stop channel
// (Reflector.watchList), which once held a worker's stop for the whole stop
// budget. The list-then-watch path stops at once. A few Nodes need no
// streaming list.
type listAndWatch struct{ kubernetes.Interface }

func (listAndWatch) IsWatchListSemanticsUnSupported() bool { return true }

// Exited yields the end of the controller's goroutine: nil after Stop, an
// error (a recovered panic) otherwise.
func (c *Controller) Exited() <-chan error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exited
}

// Stop ends the controller, waiting at most until ctx ends; an API call or
// SetPeers in flight is cancelled. The informer is told to stop too, but
// Stop does not wait for its goroutines (see Start).
func (c *Controller) Stop(ctx context.Context) error {
	c.mu.Lock()
	cancel, done := c.cancel, c.done
	c.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("mesh: not stopped: %w", ctx.Err())
	}
}

// Ready reports whether this node's annotations are published and the peer
// list of the first full reconcile is applied; afterwards it fails while
// applying the peers fails.
func (c *Controller) Ready(context.Context) error {
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

func (c *Controller) kick() {
	select {
	case c.dirty <- struct{}{}:
	default:
	}
}

func (c *Controller) debounce() time.Duration { return orDefault(c.Debounce, DefaultDebounce) }

func (c *Controller) backoff(failures int) time.Duration {
	lo, hi := orDefault(c.RetryMin, DefaultRetryMin), orDefault(c.RetryMax, DefaultRetryMax)
	d := lo
	for i := 1; i < failures && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// run reconciles once the informer has the full list, then after every
// burst of events (one apply per Debounce window, which does not move with
// further events, so that a steady trickle cannot postpone it forever) and
// after failures, with backoff.
func (c *Controller) run(ctx context.Context, synced func() bool, lister listersv1.NodeLister) error {
	poll := time.NewTicker(10 * time.Millisecond)
	for !synced() {
		select {
		case <-ctx.Done():
			poll.Stop()
			return nil
		case <-poll.C:
		}
	}
	poll.Stop()

	timer := time.NewTimer(0)
	defer timer.Stop()
	pending, due := true, time.Now()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.dirty:
			if at := time.Now().Add(c.debounce()); !pending || at.Before(due) {
				timer.Reset(time.Until(at))
				pending, due = true, at
			}
		case <-timer.C:
			pending = false
			err := c.reconcile(ctx, lister)
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				failures = 0
				continue
			}
			failures++
			d := c.backoff(failures)
			c.Log.Error(err, "mesh reconcile failed; retrying", "in", d, "failures", failures)
			timer.Reset(d)
			pending, due = true, time.Now().Add(d)
		}
	}
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
	if c.TaintWhenWorkers {
		taintErr = c.taint(ctx, v.self, v.others)
	}

	c.mu.Lock()
	c.st.nodeSeen = v.self != nil
	c.st.pubErr = pubErr
	if applyErr != nil {
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
	if _, err := c.Client.CoreV1().Nodes().Patch(actx, c.self.NodeName, types.MergePatchType, body, metav1.PatchOptions{}); err != nil {
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

// taint keeps c.Taint on our Node exactly while other Nodes exist.
func (c *Controller) taint(ctx context.Context, self *corev1.Node, others []string) error {
	if self == nil {
		return nil
	}
	want := len(others) > 0
	if hasTaint(self, &c.Taint) == want {
		return nil
	}
	actx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	nodes := c.TaintClient.CoreV1().Nodes()
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
	case want:
		c.Log.Info("tainted this node, as other nodes exist", "node", c.self.NodeName, "taint", c.Taint.ToString(), "others", others)
	default:
		c.Log.Info("removed this node's taint, as no other node exists", "node", c.self.NodeName, "taint", c.Taint.ToString())
	}
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
	return !reflect.DeepEqual(o.Spec.Taints, n.Spec.Taints)
}

// trimNode drops what the controller never reads from the cached Nodes.
func trimNode(obj any) (any, error) {
	if n, ok := obj.(*corev1.Node); ok {
		n.ManagedFields = nil
		n.Status = corev1.NodeStatus{}
	}
	return obj, nil
}
