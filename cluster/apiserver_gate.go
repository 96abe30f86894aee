package cluster

import (
	"context"
	"errors"
	"sync/atomic"

	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

// errStarting is what a request the authorizers do not allow gets while the
// API server starts.
var errStarting = errors.New("the API server is starting and its authorization caches are not synced yet; retry")

// startupGate wraps the API server's authorizer. The server serves as soon
// as its port is open, before RBAC's informers have read the bindings, so a
// client arriving first after a restart (a load test that survived it) is
// denied with 403 Forbidden, which no client retries. Until ready is set
// (when /readyz, which includes informer-sync, first passes), a request the
// authorizers do not allow fails instead with an error, i.e. HTTP 500, which
// perflab and client-go's informers retry. system:masters is allowed either
// way, so the server's own loopback client and readiness checks pass.
type startupGate struct {
	inner authorizer.Authorizer
	ready *atomic.Bool
}

func (g startupGate) Authorize(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	d, reason, err := g.inner.Authorize(ctx, a)
	if d == authorizer.DecisionAllow || g.ready.Load() {
		return d, reason, err
	}
	return authorizer.DecisionNoOpinion, reason, errStarting
}

// gateAuthorization wraps the authorizer of each server of the chain
// (aggregator, kube, apiextensions).
func gateAuthorization(c *app.Config, ready *atomic.Bool) {
	for _, az := range []*authorizer.Authorizer{
		&c.KubeAPIs.ControlPlane.Generic.Authorization.Authorizer,
		&c.ApiExtensions.GenericConfig.Authorization.Authorizer,
		&c.Aggregator.GenericConfig.Authorization.Authorizer,
	} {
		if *az != nil {
			*az = startupGate{inner: *az, ready: ready}
		}
	}
}
