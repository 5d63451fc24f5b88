package join

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

// primaryAnswers plays the primary's csr-approver on a fake API: once the
// join request appears it records holder (and index) in the token's Lease
// and approves, or denies with reason when deny is set.
func primaryAnswers(t *testing.T, client *fake.Clientset, tokenID, holder string, index int, deny string) {
	t.Helper()
	go func() {
		ctx := context.Background()
		for range 200 {
			list, _ := client.CertificatesV1().CertificateSigningRequests().List(ctx, metav1.ListOptions{})
			if len(list.Items) == 0 {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			csr := list.Items[0]
			cond := certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "Joined"}
			if deny != "" {
				cond = certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue, Message: deny}
			} else {
				client.CoordinationV1().Leases(LeaseNamespace).Create(ctx, &coordinationv1.Lease{
					ObjectMeta: metav1.ObjectMeta{Name: TokenLeasePrefix + tokenID, Annotations: map[string]string{AnnotationNodeIndex: strconv.Itoa(index)}},
					Spec:       coordinationv1.LeaseSpec{HolderIdentity: &holder},
				}, metav1.CreateOptions{})
			}
			csr.Status.Conditions = append(csr.Status.Conditions, cond)
			client.CertificatesV1().CertificateSigningRequests().UpdateApproval(ctx, csr.Name, &csr, metav1.UpdateOptions{})
			return
		}
	}()
}

var request = Request{JoinID: "a1b2c3", NodeIPs: []netip.Addr{netip.MustParseAddr("192.168.77.2")}}

func TestRequestJoinApproved(t *testing.T) {
	client := fake.NewClientset()
	primaryAnswers(t, client, "abcdef", request.JoinID, 4, "")
	filed := false
	index, err := RequestJoin(t.Context(), client, "abcdef", request, NewWaiter(logr.Discard()), &filed)
	if err != nil || index != 4 || !filed {
		t.Fatalf("index %d, filed %v, err %v", index, filed, err)
	}
	// Run again (an interrupted join resumed): the request exists, the
	// answer is the same.
	index, err = RequestJoin(t.Context(), client, "abcdef", request, NewWaiter(logr.Discard()), &filed)
	if err != nil || index != 4 {
		t.Fatalf("resumed join: index %d, err %v", index, err)
	}
}

func TestRequestJoinDenied(t *testing.T) {
	client := fake.NewClientset()
	primaryAnswers(t, client, "abcdef", "", 0, "node index 3 is taken by node3")
	filed := false
	_, err := RequestJoin(t.Context(), client, "abcdef", request, NewWaiter(logr.Discard()), &filed)
	if err == nil || !strings.Contains(err.Error(), "the primary refused the join: node index 3 is taken") {
		t.Fatalf("denied join: %v", err)
	}
	if filed {
		t.Error("a denied request counts as filed: its join ID would be kept for nothing")
	}
}

// The token's Lease names another join: the token was used by another
// host, whatever the approval says.
func TestRequestJoinTokenOfAnotherHost(t *testing.T) {
	client := fake.NewClientset()
	primaryAnswers(t, client, "abcdef", "someone-else", 5, "")
	filed := false
	_, err := RequestJoin(t.Context(), client, "abcdef", request, NewWaiter(logr.Discard()), &filed)
	if err == nil || !strings.Contains(err.Error(), "already used to join another host") {
		t.Fatalf("a token of another host: %v", err)
	}
}

// The primary refusing connections (restarting) is waited for; a bad
// token is not.
func TestWaiterRetriesOnlyWhileThePrimaryIsDown(t *testing.T) {
	client := fake.NewClientset()
	refusals := 2
	client.PrependReactor("create", "certificatesigningrequests", func(clienttesting.Action) (bool, runtime.Object, error) {
		if refusals > 0 {
			refusals--
			return true, nil, syscall.ECONNREFUSED
		}
		return false, nil, nil
	})
	primaryAnswers(t, client, "abcdef", request.JoinID, 2, "")
	filed := false
	begin := time.Now()
	if index, err := RequestJoin(t.Context(), client, "abcdef", request, NewWaiter(logr.Discard()), &filed); err != nil || index != 2 {
		t.Fatalf("after two refused connections: index %d, err %v", index, err)
	}
	if d := time.Since(begin); d < 500*time.Millisecond {
		t.Errorf("no backoff between retries: %s", d)
	}

	bad := fake.NewClientset()
	bad.PrependReactor("create", "certificatesigningrequests", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewUnauthorized("token unknown")
	})
	begin, filed = time.Now(), false
	_, err := RequestJoin(t.Context(), bad, "abcdef", request, NewWaiter(logr.Discard()), &filed)
	if err == nil || !strings.Contains(err.Error(), "does not accept bootstrap token abcdef") || time.Since(begin) > time.Second {
		t.Fatalf("a refused token: %v after %s", err, time.Since(begin))
	}
	if filed {
		t.Error("a request that was never created counts as filed")
	}
}
