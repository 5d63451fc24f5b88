package join

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstraputil "k8s.io/cluster-bootstrap/token/util"
)

// WorkerGroup is the extra group a kubenode join token authenticates as,
// besides system:bootstrappers. RBAC for kubelet TLS bootstrap binds it.
const WorkerGroup = "system:bootstrappers:kubenode:worker"

// now is the clock of this package; tests move it.
var now = time.Now

// CreateToken creates a bootstrap token Secret (kube-system/
// bootstrap-token-<id>) usable for authentication and signing, in group
// WorkerGroup, expiring after ttl (0: never; the controller-manager's token
// cleaner deletes expired ones and the apiserver refuses them before that).
// expires is zero when ttl is 0.
func CreateToken(ctx context.Context, client kubernetes.Interface, ttl time.Duration, description string) (id, secret string, expires time.Time, err error) {
	if ttl < 0 {
		return "", "", time.Time{}, fmt.Errorf("token TTL %v is negative: give a positive duration such as 24h, or 0 for a token that never expires", ttl)
	}
	if ttl > 0 && ttl < time.Second {
		return "", "", time.Time{}, fmt.Errorf("token TTL %v is under a second (expiry is stored to the second): give a duration such as 24h, or 0 for a token that never expires", ttl)
	}
	if ttl > 0 {
		// RFC 3339 in the Secret has whole seconds; round up so the token
		// lives at least ttl.
		expires = now().Add(ttl).UTC().Truncate(time.Second).Add(time.Second)
	}
	// A collision of the 6-character ID (36^6 of them) is unlikely but
	// possible; the apiserver refuses the duplicate name, so try again.
	for range 3 {
		tok, err := bootstraputil.GenerateBootstrapToken()
		if err != nil {
			return "", "", time.Time{}, fmt.Errorf("generate bootstrap token: %w", err)
		}
		id, secret, _ = strings.Cut(tok, ".")
		data := map[string][]byte{
			bootstrapapi.BootstrapTokenIDKey:               []byte(id),
			bootstrapapi.BootstrapTokenSecretKey:           []byte(secret),
			bootstrapapi.BootstrapTokenUsageAuthentication: []byte("true"),
			bootstrapapi.BootstrapTokenUsageSigningKey:     []byte("true"),
			bootstrapapi.BootstrapTokenExtraGroupsKey:      []byte(WorkerGroup),
		}
		if description != "" {
			data[bootstrapapi.BootstrapTokenDescriptionKey] = []byte(description)
		}
		if !expires.IsZero() {
			data[bootstrapapi.BootstrapTokenExpirationKey] = []byte(expires.Format(time.RFC3339))
		}
		s := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Name:      bootstraputil.BootstrapTokenSecretName(id),
				Namespace: metav1.NamespaceSystem,
			},
			Type: bootstrapapi.SecretTypeBootstrapToken,
			Data: data,
		}
		_, err = client.CoreV1().Secrets(metav1.NamespaceSystem).Create(ctx, s, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			return "", "", time.Time{}, fmt.Errorf("create bootstrap token Secret %s/%s: %w", metav1.NamespaceSystem, s.Name, err)
		}
		return id, secret, expires, nil
	}
	return "", "", time.Time{}, fmt.Errorf("create bootstrap token: three random token IDs were taken; try again")
}

// TokenInfo describes a bootstrap token without its secret.
type TokenInfo struct {
	ID          string
	Description string
	// Expires is zero for a token that never expires.
	Expires time.Time
	// Expired is true past Expires, or when the expiration does not parse
	// (the apiserver then refuses the token too).
	Expired bool
	// Usages are the usage-bootstrap-* keys set to "true", without the
	// prefix: "authentication", "signing".
	Usages []string
	// ExtraGroups are the groups besides system:bootstrappers.
	ExtraGroups []string
}

// ListTokens returns the bootstrap tokens in kube-system: expired ones
// first, then by expiry, never-expiring ones last. It never returns secrets.
func ListTokens(ctx context.Context, client kubernetes.Interface) ([]TokenInfo, error) {
	list, err := client.CoreV1().Secrets(metav1.NamespaceSystem).List(ctx, metav1.ListOptions{
		FieldSelector: "type=" + string(bootstrapapi.SecretTypeBootstrapToken),
	})
	if err != nil {
		return nil, fmt.Errorf("list bootstrap tokens: %w", err)
	}
	t := now()
	var out []TokenInfo
	for i := range list.Items {
		s := &list.Items[i]
		if s.Type != bootstrapapi.SecretTypeBootstrapToken {
			continue
		}
		id := string(s.Data[bootstrapapi.BootstrapTokenIDKey])
		if nameID, ok := parseSecretName(s.Name); !ok || id != nameID {
			continue // not a bootstrap token the apiserver would accept
		}
		info := TokenInfo{ID: id, Description: string(s.Data[bootstrapapi.BootstrapTokenDescriptionKey])}
		if exp := string(s.Data[bootstrapapi.BootstrapTokenExpirationKey]); exp != "" {
			e, err := time.Parse(time.RFC3339, exp)
			info.Expires, info.Expired = e, err != nil || !t.Before(e)
		}
		for k, v := range s.Data {
			if u, ok := strings.CutPrefix(k, bootstrapapi.BootstrapTokenUsagePrefix); ok && string(v) == "true" {
				info.Usages = append(info.Usages, u)
			}
		}
		sort.Strings(info.Usages)
		if g := string(s.Data[bootstrapapi.BootstrapTokenExtraGroupsKey]); g != "" {
			info.ExtraGroups = strings.Split(g, ",")
		}
		out = append(out, info)
	}
	// Expired (or unreadable expiry) first, then by expiry, then the
	// tokens that never expire.
	rank := func(ti TokenInfo) int {
		switch {
		case ti.Expired:
			return 0
		case !ti.Expires.IsZero():
			return 1
		}
		return 2
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		if !a.Expires.Equal(b.Expires) {
			return a.Expires.Before(b.Expires)
		}
		return a.ID < b.ID
	})
	return out, nil
}

func parseSecretName(name string) (string, bool) {
	id, ok := strings.CutPrefix(name, bootstrapapi.BootstrapTokenSecretPrefix)
	return id, ok && bootstraputil.IsValidBootstrapTokenID(id)
}

// DeleteToken deletes the bootstrap token with this ID. A whole
// "<id>.<secret>" is accepted too; only its ID is used.
func DeleteToken(ctx context.Context, client kubernetes.Interface, id string) error {
	id, err := TokenID(id)
	if err != nil {
		return err
	}
	secrets := client.CoreV1().Secrets(metav1.NamespaceSystem)
	name := bootstraputil.BootstrapTokenSecretName(id)
	notFound := fmt.Errorf("no bootstrap token with ID %q: `kubenode token list` shows the tokens (an expired token may already have been removed by the token cleaner)", id)
	s, err := secrets.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return notFound
	}
	if err != nil {
		return fmt.Errorf("delete bootstrap token %s: %w", id, err)
	}
	if s.Type != bootstrapapi.SecretTypeBootstrapToken {
		return fmt.Errorf("Secret %s/%s is of type %q, not a bootstrap token: not deleting it", metav1.NamespaceSystem, name, s.Type)
	}
	err = secrets.Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &s.UID}})
	if apierrors.IsNotFound(err) {
		return notFound
	}
	if err != nil {
		return fmt.Errorf("delete bootstrap token %s: %w", id, err)
	}
	return nil
}
