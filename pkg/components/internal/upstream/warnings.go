package upstream

import (
	"context"
	"strings"

	"k8s.io/client-go/rest"
)

// endpointsDeprecated starts the warning the apiserver adds to every
// request for v1 Endpoints.
const endpointsDeprecated = "v1 Endpoints is deprecated"

// DropEndpointsWarnings stops client-go from logging the deprecation
// warning of v1 Endpoints, process-wide. The apiserver's own reconciler of
// the kubernetes Service's Endpoints (every 10 s) and the
// controller-manager's endpoints and mirroring controllers use v1 Endpoints
// by design, for as long as the API is served. Their upstream commands
// silence every client-go warning for the whole process
// (rest.SetDefaultWarningHandler(rest.NoWarnings{})); kubenode does not run
// those commands, and its process holds other clients whose warnings
// matter, so it drops this one warning only.
func DropEndpointsWarnings() {
	rest.SetDefaultWarningHandlerWithContext(dropEndpoints{next: rest.WarningLogger{}})
}

type dropEndpoints struct {
	next rest.WarningHandlerWithContext
}

func (d dropEndpoints) HandleWarningHeaderWithContext(ctx context.Context, code int, agent, message string) {
	if strings.HasPrefix(message, endpointsDeprecated) {
		return
	}
	d.next.HandleWarningHeaderWithContext(ctx, code, agent, message)
}
