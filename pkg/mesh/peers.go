package mesh

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubenode/kubenode/pkg/config"
	"github.com/kubenode/kubenode/pkg/netsetup"
)

// The annotations each node writes on its own Node object, and every node
// reads from all the others.
const (
	// AnnotationNodeIndex is the node's index N, in decimal: the node owns
	// the pod subnets config.NodeCIDRs(N).
	AnnotationNodeIndex = "kubenode.io/node-index"
	// AnnotationPublicKey is the node's WireGuard public key in base64, as
	// wg(8) prints it.
	AnnotationPublicKey = "kubenode.io/wireguard-public-key"
	// AnnotationEndpoint is where the node's WireGuard listens on the
	// underlay: IP:PORT, or [IPv6]:PORT.
	AnnotationEndpoint = "kubenode.io/wireguard-endpoint"
)

// Annotations are the annotations a node publishes, in the normal form
// this package writes them.
func (s Self) Annotations() map[string]string {
	return map[string]string{
		AnnotationNodeIndex: strconv.Itoa(s.Index),
		AnnotationPublicKey: s.PublicKey,
		AnnotationEndpoint:  s.Endpoint,
	}
}

// Validate checks Self's fields and returns it in normal form (key
// re-encoded, endpoint with an unmapped address), as it is published.
func (s Self) Validate() (Self, error) {
	var errs []error
	if s.NodeName == "" {
		errs = append(errs, errors.New("node name is empty"))
	}
	if err := checkIndex(s.Index); err != nil {
		errs = append(errs, fmt.Errorf("node index %d: %w", s.Index, err))
	}
	if k, err := parseKey(s.PublicKey); err != nil {
		errs = append(errs, fmt.Errorf("public key: %w", err))
	} else {
		s.PublicKey = k
	}
	if ep, err := parseEndpoint(s.Endpoint); err != nil {
		errs = append(errs, err)
	} else {
		s.Endpoint = ep.String()
	}
	return s, errors.Join(errs...)
}

func checkIndex(i int) error {
	if i < 1 || i > 255 {
		return errors.New("must be between 1 and 255")
	}
	return nil
}

// parseIndex accepts only the normal decimal form ("7", not "07" or "+7"),
// so that one index has one spelling.
func parseIndex(s string) (int, error) {
	i, err := strconv.Atoi(s)
	if err != nil || strconv.Itoa(i) != s {
		return 0, fmt.Errorf("%s %q is not a decimal number", AnnotationNodeIndex, s)
	}
	if err := checkIndex(i); err != nil {
		return 0, fmt.Errorf("%s %d %w", AnnotationNodeIndex, i, err)
	}
	return i, nil
}

// parseKey returns the key re-encoded, so that comparisons see one
// spelling per key.
func parseKey(s string) (string, error) {
	k, err := config.ParseWireGuardKey(s)
	if err != nil {
		return "", err
	}
	if k == ([config.WireGuardKeyLen]byte{}) {
		return "", fmt.Errorf("%q is the all-zero key", s)
	}
	return base64.StdEncoding.EncodeToString(k[:]), nil
}

// parseEndpoint wants IP:PORT with an explicit port: a node publishes where
// it really listens, not a default the reader would have to guess. Past
// that, it accepts what config.yaml's peers accept.
func parseEndpoint(s string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err != nil || ap.Port() == 0 {
		return netip.AddrPort{}, fmt.Errorf("endpoint %q: not IP:PORT (examples: 192.168.1.11:51820, [2001:db8::11]:51820)", s)
	}
	return config.ParseEndpoint(s, 0)
}

// Member is another node of the mesh whose annotations are valid and
// applied: its name and what it published. Its host IPs (for nodeN names in
// DNS) are config.HostIPsOf(Index).
type Member struct {
	NodeName      string `json:"nodeName"`
	netsetup.Peer        // inline: index, publicKey, endpoint
}

// problem is why a node (or an index) is left out, logged once per change.
type problem struct {
	msg   string
	isErr bool // a conflict someone must fix, not a node still starting
}

// view is what one pass over the Node list yields.
type view struct {
	self     *corev1.Node
	others   []string // names of all other Nodes, valid or not
	peers    []netsetup.Peer
	members  []Member
	problems map[string]problem // by node name, or "index N"
}

// compute builds the peer list from the Node list: every other node with
// three valid annotations, minus conflicting ones, plus the static peers for
// indexes no node claims. It is pure.
func compute(self Self, cluster *config.Config, static []netsetup.Peer, nodes []*corev1.Node) view {
	v := view{problems: map[string]problem{}}
	nodes = slices.Clone(nodes)
	slices.SortFunc(nodes, func(a, b *corev1.Node) int { return strings.Compare(a.Name, b.Name) })

	var cands []Member
	for _, n := range nodes {
		if n.Name == self.NodeName {
			v.self = n
			continue
		}
		v.others = append(v.others, n.Name)
		p, err := peerOf(n, cluster)
		if err != nil {
			v.problems[n.Name] = problem{msg: err.Error()}
			continue
		}
		cands = append(cands, Member{NodeName: n.Name, Peer: p})
	}

	// Conflicts: each index and each key belongs to one node. All nodes of a
	// conflict are left out, since nothing says which one is right.
	byIndex := map[int][]string{}
	byKey := map[string][]string{}
	for _, m := range cands {
		byIndex[m.Index] = append(byIndex[m.Index], m.NodeName)
		byKey[m.PublicKey] = append(byKey[m.PublicKey], m.NodeName)
	}
	skip := map[string]bool{}
	for _, m := range cands {
		switch {
		case m.Index == self.Index:
			skip[m.NodeName] = true
			v.problems[m.NodeName] = problem{isErr: true, msg: fmt.Sprintf("claims node index %d, which is this node's (%s); node indexes are unique", m.Index, self.NodeName)}
		case m.PublicKey == self.PublicKey:
			skip[m.NodeName] = true
			v.problems[m.NodeName] = problem{isErr: true, msg: fmt.Sprintf("publishes this node's (%s) WireGuard public key; each node has its own key", self.NodeName)}
		}
	}
	for i, names := range byIndex {
		if len(names) > 1 && i != self.Index {
			for _, n := range names {
				skip[n] = true
			}
			v.problems[fmt.Sprintf("index %d", i)] = problem{isErr: true, msg: fmt.Sprintf("nodes %s all claim node index %d; skipping all of them until only one does", strings.Join(names, ", "), i)}
		}
	}
	for _, names := range byKey {
		if len(names) > 1 {
			for _, n := range names {
				skip[n] = true
			}
			v.problems["key "+names[0]] = problem{isErr: true, msg: fmt.Sprintf("nodes %s publish the same WireGuard public key; skipping all of them until each has its own", strings.Join(names, ", "))}
		}
	}
	claimed := map[int]bool{}
	keys := map[string]bool{}
	for _, m := range cands {
		if skip[m.NodeName] {
			continue
		}
		v.members = append(v.members, m)
		v.peers = append(v.peers, m.Peer)
		claimed[m.Index] = true
		keys[m.PublicKey] = true
	}
	for _, p := range static {
		k, err := parseKey(p.PublicKey)
		if err != nil {
			k = p.PublicKey // netsetup will say what is wrong with it
		}
		if p.Index != self.Index && !claimed[p.Index] && !keys[k] {
			claimed[p.Index] = true
			v.peers = append(v.peers, p)
		}
	}
	slices.SortFunc(v.peers, func(a, b netsetup.Peer) int { return a.Index - b.Index })
	slices.SortFunc(v.members, func(a, b Member) int { return a.Index - b.Index })
	if v.peers == nil {
		v.peers = []netsetup.Peer{}
	}
	return v
}

// peerOf reads a Node's annotations. With cluster, it also checks what
// netsetup would reject for the whole list: an index without a subnet in
// the cluster ranges, an endpoint inside them.
func peerOf(n *corev1.Node, cluster *config.Config) (netsetup.Peer, error) {
	var missing []string
	for _, a := range []string{AnnotationNodeIndex, AnnotationPublicKey, AnnotationEndpoint} {
		if _, ok := n.Annotations[a]; !ok {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return netsetup.Peer{}, fmt.Errorf("not published yet: no %s", strings.Join(missing, ", "))
	}
	var errs []error
	idx, err := parseIndex(n.Annotations[AnnotationNodeIndex])
	errs = append(errs, err)
	key, err := parseKey(n.Annotations[AnnotationPublicKey])
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", AnnotationPublicKey, err))
	}
	ep, err := parseEndpoint(n.Annotations[AnnotationEndpoint])
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", AnnotationEndpoint, err))
	}
	if err := errors.Join(errs...); err != nil {
		return netsetup.Peer{}, fmt.Errorf("invalid: %w", err)
	}
	if cluster != nil {
		if _, err := cluster.NodeSubnets(idx); err != nil {
			errs = append(errs, fmt.Errorf("node index %d: %w", idx, err))
		}
		for _, cl := range cluster.ClusterCIDRs {
			if cl.Contains(ep.Addr()) {
				errs = append(errs, fmt.Errorf("endpoint %s lies inside the cluster range %s", ep, cl))
			}
		}
		if err := errors.Join(errs...); err != nil {
			return netsetup.Peer{}, fmt.Errorf("invalid: %w", err)
		}
	}
	return netsetup.Peer{Index: idx, PublicKey: key, Endpoint: ep.String()}, nil
}

// PeersFromNodes is the peer list a node with self's index and key would
// apply for this Node list and these static peers (kubenode doctor reads
// what a stopped node should have), with the members it found.
func PeersFromNodes(self Self, cluster *config.Config, static []netsetup.Peer, nodes []*corev1.Node) ([]netsetup.Peer, []Member) {
	v := compute(self, cluster, static, nodes)
	return v.peers, v.members
}
