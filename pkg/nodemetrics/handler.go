package nodemetrics

import (
	"context"
	"fmt"
	"net/http"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// Path is where the metrics are served.
const Path = "/metrics"

// Auth is what the kubelet checks its own requests with
// (k8s.io/kubernetes/pkg/kubelet/server.AuthInterface): client
// certificates and TokenReview, then SubjectAccessReview on the node's
// subresource the path maps to, nodes/metrics for /metrics.
type Auth interface {
	authenticator.Request
	GetRequestAttributes(ctx context.Context, u user.Info, r *http.Request) []authorizer.Attributes
	authorizer.Authorizer
}

// Handler serves g on Path to requests auth lets through, as the kubelet's
// own filter does: 401 for a request it cannot authenticate, 403 for one
// the authorizer denies.
func Handler(g prometheus.Gatherer, auth Auth, log logr.Logger) http.Handler {
	metrics := promhttp.HandlerFor(g, promhttp.HandlerOpts{
		// A failing source must not hide the others; its error is logged.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      logLine{log},
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != Path {
			http.NotFound(w, r)
			return
		}
		resp, ok, err := auth.AuthenticateRequest(r)
		if err != nil || !ok {
			if err != nil {
				log.V(1).Info("metrics request not authenticated", "err", err.Error())
			}
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		attrs := auth.GetRequestAttributes(r.Context(), resp.User, r)
		if len(attrs) == 0 {
			http.Error(w, "Forbidden: no authorization attributes for this request", http.StatusForbidden)
			return
		}
		for _, a := range attrs {
			decision, _, err := auth.Authorize(r.Context(), a)
			if err != nil {
				log.Error(err, "metrics authorization failed", "user", a.GetUser().GetName())
				http.Error(w, "Authorization error", http.StatusInternalServerError)
				return
			}
			if decision == authorizer.DecisionAllow {
				metrics.ServeHTTP(w, r)
				return
			}
		}
		a := attrs[0]
		http.Error(w, fmt.Sprintf("Forbidden (user=%s, verb=%s, resource=%s, subresource=%s)", a.GetUser().GetName(), a.GetVerb(), a.GetResource(), a.GetSubresource()), http.StatusForbidden)
	})
}

type logLine struct{ log logr.Logger }

func (l logLine) Println(v ...any) { l.log.Info("metrics gathering failed", "error", fmt.Sprint(v...)) }
