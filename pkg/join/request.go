package join

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-logr/logr"
	certificatesv1 "k8s.io/api/certificates/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// RequestJoin files this host's join request with the bootstrap token and
// waits for the primary's answer: the node index it recorded for this join
// (see pkg/join/protocol.go). filed is set while a request exists that
// the primary may have answered by taking the token: not after a denial,
// which the primary gives before it records anything.
func RequestJoin(ctx context.Context, client kubernetes.Interface, tokenID string, req Request, wait *Waiter, filed *bool) (int, error) {
	csr, err := RequestCSR(req)
	if err != nil {
		return 0, err
	}
	csrs := client.CertificatesV1().CertificateSigningRequests()
	err = wait.Retry(ctx, "file the join request", func() error {
		_, err := csrs.Create(ctx, csr, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil // our own earlier, interrupted attempt
		}
		return err
	})
	if err != nil {
		return 0, apiError(err, tokenID)
	}
	*filed = true
	ctx, cancel := context.WithTimeout(ctx, joinAnswerTimeout)
	defer cancel()
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		got, err := csrs.Get(ctx, csr.Name, metav1.GetOptions{})
		if err != nil && !Transient(err) {
			return 0, apiError(err, tokenID)
		}
		for _, c := range conditionsOf(got) {
			switch c.Type {
			case certificatesv1.CertificateDenied:
				*filed = false
				return 0, fmt.Errorf("join: the primary refused the join: %s", c.Message)
			case certificatesv1.CertificateApproved:
				return joinedIndex(ctx, client, tokenID, req.JoinID)
			}
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("join: the primary did not answer join request %s within %s: check that `kubenode primary` runs there and is as new as this kubenode (`kubenode status` and `kubenode version` on the primary)", csr.Name, joinAnswerTimeout)
		case <-time.After(delay):
		}
	}
}

// joinAnswerTimeout bounds the wait for the primary's csr-approver.
const joinAnswerTimeout = 2 * time.Minute

func conditionsOf(csr *certificatesv1.CertificateSigningRequest) []certificatesv1.CertificateSigningRequestCondition {
	if csr == nil {
		return nil
	}
	return csr.Status.Conditions
}

// joinedIndex reads the index the primary recorded for this join in the
// token's Lease.
func joinedIndex(ctx context.Context, client kubernetes.Interface, tokenID, joinID string) (int, error) {
	l, err := client.CoordinationV1().Leases(LeaseNamespace).Get(ctx, TokenLeasePrefix+tokenID, metav1.GetOptions{})
	if err != nil {
		return 0, apiError(err, tokenID)
	}
	if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != joinID {
		return 0, fmt.Errorf("join: token %s was already used to join another host; tokens are single-use: make a new one with `kubenode token create` on the primary", tokenID)
	}
	n, err := strconv.Atoi(l.Annotations[AnnotationNodeIndex])
	if err != nil || n < 2 || n > 255 {
		return 0, fmt.Errorf("join: the primary's record of token %s names no node index (%q)", tokenID, l.Annotations[AnnotationNodeIndex])
	}
	return n, nil
}

// apiError explains an API error of a join.
func apiError(err error, tokenID string) error {
	switch {
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("join: the primary does not accept bootstrap token %s (expired, deleted, already used or mistyped; tokens are single-use): make a new one with `kubenode token create` on the primary", tokenID)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("join: the primary does not let token %s join (%v): is the primary's kubenode as new as this one?", tokenID, err)
	}
	return fmt.Errorf("join: %w", err)
}

// Waiter retries the steps of a join while the primary is not ready
// yet, saying what it waits for: a worker started together with its
// primary finds the API refusing connections, or RBAC for joins not yet
// applied, for a few seconds.
type Waiter struct {
	log      logr.Logger
	deadline time.Time
	// primaryWasDown: the primary was unavailable during this join, so it
	// is starting, and until its caches sync it refuses valid tokens too.
	primaryWasDown bool
}

// Join waits: at most joinRetryFor for a primary that is unavailable, and
// unauthorizedGrace for a starting primary to know the token.
const (
	joinRetryFor      = 3 * time.Minute
	unauthorizedGrace = 30 * time.Second
)

// NewWaiter waits at most joinRetryFor from now.
func NewWaiter(log logr.Logger) *Waiter {
	return &Waiter{log: log, deadline: time.Now().Add(joinRetryFor)}
}

// Retry runs f until it succeeds, fails for good, or the wait is over.
func (w *Waiter) Retry(ctx context.Context, what string, f func() error) error {
	var unauthorizedSince time.Time
	for delay := 500 * time.Millisecond; ; delay = min(2*delay, 10*time.Second) {
		err := f()
		again := Transient(err)
		if again {
			w.primaryWasDown = true
		}
		if apierrors.IsUnauthorized(err) && w.primaryWasDown {
			if unauthorizedSince.IsZero() {
				unauthorizedSince = time.Now()
			}
			again = time.Since(unauthorizedSince) < unauthorizedGrace
		}
		if !again || time.Now().Add(delay).After(w.deadline) {
			return err
		}
		w.log.Info("primary not accepting joins yet; waiting", "step", what, "retryIn", delay, "reason", err.Error())
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}
