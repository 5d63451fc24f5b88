package join

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	bootstrapsecrets "k8s.io/cluster-bootstrap/util/secrets"
)

// setNow freezes the package clock for one test.
func setNow(t *testing.T, tm time.Time) {
	old := now
	now = func() time.Time { return tm }
	t.Cleanup(func() { now = old })
}

func TestCreateToken(t *testing.T) {
	ctx := context.Background()
	client := fake.NewClientset()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	setNow(t, t0)

	id, secret, expires, err := CreateToken(ctx, client, 24*time.Hour, "for node2")
	if err != nil {
		t.Fatal(err)
	}
	if !bootstrapTokenRE(id + "." + secret) {
		t.Fatalf("token %s.%s is not a valid bootstrap token", id, "<secret>")
	}
	if want := time.Date(2030, 1, 3, 3, 4, 6, 0, time.UTC); !expires.Equal(want) {
		t.Errorf("expires %v, want %v (ttl from now, rounded up to the second)", expires, want)
	}
	s, err := client.CoreV1().Secrets("kube-system").Get(ctx, "bootstrap-token-"+id, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != "bootstrap.kubernetes.io/token" {
		t.Errorf("type %q", s.Type)
	}
	want := map[string]string{
		"token-id":                       id,
		"token-secret":                   secret,
		"usage-bootstrap-authentication": "true",
		"usage-bootstrap-signing":        "true",
		"expiration":                     "2030-01-03T03:04:06Z",
		"description":                    "for node2",
		"auth-extra-groups":              "system:bootstrappers:kubenode:worker",
	}
	if len(s.Data) != len(want) {
		t.Errorf("data keys %v, want %v", keys(s.Data), want)
	}
	for k, v := range want {
		if got := string(s.Data[k]); got != v {
			t.Errorf("data[%s] = %q, want %q", k, got, v)
		}
	}
	// Kubernetes' own reading of the Secret agrees.
	if groups, err := bootstrapsecrets.GetGroups(s); err != nil || strings.Join(groups, ",") != "system:bootstrappers,system:bootstrappers:kubenode:worker" {
		t.Errorf("groups %v, %v", groups, err)
	}
	if left, expired := bootstrapsecrets.GetExpiration(s, t0); expired || left != 24*time.Hour+time.Second-600 {
		t.Errorf("expiration as Kubernetes reads it: %v left, expired %v", left, expired)
	}
	if bootstrapsecrets.HasExpired(s, t0.Add(24*time.Hour+time.Second)) != true {
		t.Error("not expired after its TTL")
	}

	// ttl 0: no expiration key at all.
	id0, _, expires0, err := CreateToken(ctx, client, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if !expires0.IsZero() {
		t.Errorf("ttl 0 gave expiry %v", expires0)
	}
	s0, _ := client.CoreV1().Secrets("kube-system").Get(ctx, "bootstrap-token-"+id0, metav1.GetOptions{})
	if _, ok := s0.Data["expiration"]; ok {
		t.Error("ttl 0 Secret has an expiration")
	}
	if _, ok := s0.Data["description"]; ok {
		t.Error("empty description stored")
	}

	if _, _, _, err := CreateToken(ctx, client, -time.Hour, ""); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative ttl: %v", err)
	}
}

func bootstrapTokenRE(s string) bool {
	id, secret, ok := strings.Cut(s, ".")
	valid := func(s string, n int) bool {
		return len(s) == n && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789") == ""
	}
	return ok && valid(id, 6) && valid(secret, 16)
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestListAndDeleteTokens(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	// Objects that are not kubenode's tokens, or not tokens at all.
	client := fake.NewClientset(
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-zzzzzz", Namespace: "kube-system"}, Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"token-id": []byte("zzzzzz"), "token-secret": []byte("0123456789abcdef")}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-badexp", Namespace: "kube-system"}, Type: bootstrapapi.SecretTypeBootstrapToken,
			Data: map[string][]byte{"token-id": []byte("badexp"), "token-secret": []byte("0123456789abcdef"), "expiration": []byte("tomorrow")}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-other1", Namespace: "default"}, Type: bootstrapapi.SecretTypeBootstrapToken,
			Data: map[string][]byte{"token-id": []byte("other1"), "token-secret": []byte("0123456789abcdef")}},
	)
	setNow(t, t0)
	long, longSecret, _, err := CreateToken(ctx, client, 48*time.Hour, "long")
	if err != nil {
		t.Fatal(err)
	}
	short, _, _, err := CreateToken(ctx, client, time.Hour, "short")
	if err != nil {
		t.Fatal(err)
	}
	forever, _, _, err := CreateToken(ctx, client, 0, "forever")
	if err != nil {
		t.Fatal(err)
	}

	setNow(t, t0.Add(2*time.Hour)) // "short" has expired
	list, err := ListTokens(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ti := range list {
		got = append(got, ti.ID+":"+ti.Description)
		if strings.Contains(strings.ToLower(ti.Description+ti.ID), longSecret) {
			t.Error("list shows a secret")
		}
	}
	want := []string{"badexp:", short + ":short", long + ":long", forever + ":forever"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("list %v, want %v (soonest expiry first, never last, foreign Secrets left out)", got, want)
	}
	byID := map[string]TokenInfo{}
	for _, ti := range list {
		byID[ti.ID] = ti
	}
	if ti := byID["badexp"]; !ti.Expired {
		t.Errorf("unparseable expiration not reported as expired: %+v", ti)
	}
	if ti := byID[short]; !ti.Expired || !ti.Expires.Equal(t0.Add(time.Hour+time.Second)) {
		t.Errorf("short: %+v", ti)
	}
	if ti := byID[long]; ti.Expired || !ti.Expires.Equal(t0.Add(48*time.Hour+time.Second)) ||
		strings.Join(ti.Usages, ",") != "authentication,signing" || strings.Join(ti.ExtraGroups, ",") != WorkerGroup {
		t.Errorf("long: %+v", ti)
	}
	if ti := byID[forever]; ti.Expired || !ti.Expires.IsZero() {
		t.Errorf("forever: %+v", ti)
	}

	// Delete by ID, and by a whole id.secret.
	if err := DeleteToken(ctx, client, long+"."+longSecret); err != nil {
		t.Fatal(err)
	}
	if err := DeleteToken(ctx, client, short); err != nil {
		t.Fatal(err)
	}
	err = DeleteToken(ctx, client, short)
	if err == nil || !strings.Contains(err.Error(), `no bootstrap token with ID "`+short+`"`) || !strings.Contains(err.Error(), "kubenode token list") {
		t.Fatalf("second delete: %v", err)
	}
	if err := DeleteToken(ctx, client, "Not-An-ID"); err == nil || !strings.Contains(err.Error(), "is not a bootstrap token ID") {
		t.Fatalf("bad id: %v", err)
	}
	// A path is refused by name, before any API call.
	calls := len(client.Actions())
	if err := DeleteToken(ctx, client, "../../x"); err == nil || !strings.Contains(err.Error(), `"../../x" is not a bootstrap token ID: an ID is 6 characters of a-z and 0-9`) {
		t.Fatalf("path as id: %v", err)
	}
	if len(client.Actions()) != calls {
		t.Fatalf("a bad ID reached the API: %v", client.Actions()[calls:])
	}
	if err := DeleteToken(ctx, client, "zzzzzz"); err == nil || !strings.Contains(err.Error(), "not a bootstrap token: not deleting it") {
		t.Fatalf("opaque Secret: %v", err)
	}
	if _, err := client.CoreV1().Secrets("kube-system").Get(ctx, "bootstrap-token-zzzzzz", metav1.GetOptions{}); err != nil {
		t.Fatalf("the opaque Secret was deleted: %v", err)
	}
	list, err = ListTokens(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, ti := range list {
		got = append(got, ti.ID)
	}
	if strings.Join(got, " ") != "badexp "+forever {
		t.Fatalf("after delete: %v", got)
	}
}
