package cluster

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"k8s.io/apiserver/pkg/authorization/authorizer"
)

func TestStartupGate(t *testing.T) {
	tests := []struct {
		name    string
		inner   authorizer.Decision
		ready   bool
		want    authorizer.Decision
		wantErr bool
	}{
		{"allowed while starting", authorizer.DecisionAllow, false, authorizer.DecisionAllow, false},
		{"denied while starting: retryable error, not 403", authorizer.DecisionDeny, false, authorizer.DecisionNoOpinion, true},
		{"no opinion while starting: retryable error", authorizer.DecisionNoOpinion, false, authorizer.DecisionNoOpinion, true},
		{"denied once ready: 403", authorizer.DecisionDeny, true, authorizer.DecisionDeny, false},
		{"allowed once ready", authorizer.DecisionAllow, true, authorizer.DecisionAllow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ready atomic.Bool
			ready.Store(tt.ready)
			inner := authorizer.AuthorizerFunc(func(context.Context, authorizer.Attributes) (authorizer.Decision, string, error) {
				return tt.inner, "", nil
			})
			d, _, err := startupGate{inner: inner, ready: &ready}.Authorize(context.Background(), authorizer.AttributesRecord{})
			if d != tt.want || (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, errStarting)) {
				t.Errorf("Authorize = %v, %v; want %v, error %v", d, err, tt.want, tt.wantErr)
			}
		})
	}
}
