package cluster

import (
	"errors"
	"strings"
	"testing"
)

func TestAPIServerArgGuards(t *testing.T) {
	tests := []struct {
		arg     string
		refused string // "" when accepted
	}{
		{"max-requests-inflight=10", ""},
		{"--bind-address=127.0.0.1", ""},
		{"bind-address=0.0.0.0", "127.0.0.1 only"},
		{"--bind-address=::", "127.0.0.1 only"},
		{"secure-port=0", "serving TLS"},
		{"secure-port=6443", ""},
		{"tls-min-version=VersionTLS10", "TLS 1.2"},
		{"tls-cert-file=/tmp/x.crt", "certificate"},
		{"client-ca-file=", "cluster CA"},
		{"requestheader-client-ca-file=/tmp/ca.crt", "cluster CA"},
		{"anonymous-auth=true", "anonymous"},
		{"anonymous-auth=false", ""},
		{"authentication-config=/tmp/auth.yaml", "anonymous"},
		{"authorization-mode=AlwaysAllow", "RBAC"},
		{"authorization-mode=RBAC,AlwaysAllow", "RBAC"},
		{"authorization-mode=Node", "RBAC"},
		{"authorization-mode=RBAC", ""},
		{"authorization-config=/tmp/authz.yaml", "RBAC"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			err := Options{APIServerArgs: []string{tt.arg}}.Validate()
			switch {
			case tt.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refused != "" && (err == nil || !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), tt.refused) || !strings.Contains(err.Error(), "--insecure-apiserver-args")):
				t.Fatalf("Validate() = %v, want a refusal naming %q and --insecure-apiserver-args", err, tt.refused)
			}
			if err := (Options{APIServerArgs: []string{tt.arg}, InsecureAPIServerArgs: true}).Validate(); err != nil {
				t.Fatalf("with InsecureAPIServerArgs: %v", err)
			}
		})
	}
}
