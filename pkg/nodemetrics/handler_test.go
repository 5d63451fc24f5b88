package nodemetrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// fakeAuth knows bearer tokens "allowed" and "denied"; like the kubelet's,
// it maps the request to get nodes/metrics.
type fakeAuth struct{}

func (fakeAuth) AuthenticateRequest(r *http.Request) (*authenticator.Response, bool, error) {
	switch r.Header.Get("Authorization") {
	case "Bearer allowed":
		return &authenticator.Response{User: &user.DefaultInfo{Name: "scraper"}}, true, nil
	case "Bearer denied":
		return &authenticator.Response{User: &user.DefaultInfo{Name: "nobody"}}, true, nil
	}
	return nil, false, nil
}

func (fakeAuth) GetRequestAttributes(_ context.Context, u user.Info, r *http.Request) []authorizer.Attributes {
	return []authorizer.Attributes{authorizer.AttributesRecord{User: u, Verb: "get", Resource: "nodes", Subresource: "metrics", ResourceRequest: true}}
}

func (fakeAuth) Authorize(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if a.GetUser().GetName() == "scraper" && a.GetSubresource() == "metrics" {
		return authorizer.DecisionAllow, "", nil
	}
	return authorizer.DecisionNoOpinion, "", nil
}

func TestHandlerAuth(t *testing.T) {
	r := prometheus.NewRegistry()
	counter(r, "kubelet_things_total", "things", nil)
	srv := httptest.NewServer(Handler(Merged{{Gatherer: r, Component: "kubelet"}}, fakeAuth{}, logr.Discard()))
	defer srv.Close()
	for _, c := range []struct {
		token string
		code  int
		body  string
	}{
		{"", http.StatusUnauthorized, "Unauthorized"},
		{"wrong", http.StatusUnauthorized, "Unauthorized"},
		{"denied", http.StatusForbidden, "user=nobody, verb=get, resource=nodes, subresource=metrics"},
		{"allowed", http.StatusOK, `kubelet_things_total{kubenode_component="kubelet"} 1`},
	} {
		req, _ := http.NewRequest("GET", srv.URL+Path, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || !strings.Contains(b.String(), c.body) {
			t.Errorf("token %q: %d %q, want %d with %q", c.token, resp.StatusCode, b.String(), c.code, c.body)
		}
	}
}
