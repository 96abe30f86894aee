package cluster

import (
	"errors"
	"strings"
	"testing"
	"time"
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

func TestComponentArgGuards(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		refused string // "" when accepted
	}{
		{"scheduler qps", Options{SchedulerArgs: []string{"kube-api-qps=1000"}}, ""},
		{"scheduler config file", Options{SchedulerArgs: []string{"--config=/tmp/sched.yaml"}}, "--scheduler-arg --config=/tmp/sched.yaml would stop the scheduler using its own identity"},
		{"kcm grace period", Options{ControllerManagerArgs: []string{"node-monitor-grace-period=2m"}}, ""},
		{"scheduler identity", Options{SchedulerArgs: []string{"kubeconfig=/tmp/admin.kubeconfig"}}, "--scheduler-arg kubeconfig=/tmp/admin.kubeconfig would stop the scheduler using its own identity"},
		{"scheduler serving", Options{SchedulerArgs: []string{"secure-port=10259"}}, "serving nothing"},
		{"kcm shared identity", Options{ControllerManagerArgs: []string{"use-service-account-credentials=false"}}, "--controller-manager-arg"},
		{"kcm signer", Options{ControllerManagerArgs: []string{"cluster-signing-key-file=/tmp/k"}}, "cluster CA"},
		{"kcm bind", Options{ControllerManagerArgs: []string{"bind-address=0.0.0.0"}}, "127.0.0.1 only"},
		{"no value", Options{SchedulerArgs: []string{"kube-api-qps"}}, "want key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Validate()
			switch {
			case tt.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refused != "" && (err == nil || !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), tt.refused)):
				t.Fatalf("Validate() = %v, want a refusal containing %q", err, tt.refused)
			}
		})
	}
}

func TestNodeLeaseOptions(t *testing.T) {
	tests := []struct {
		lease, grace time.Duration
		wantGrace    time.Duration
		refused      string
	}{
		{0, 0, 50 * time.Second, ""},
		{40 * time.Second, 0, 50 * time.Second, ""},
		{240 * time.Second, 0, 300 * time.Second, ""},
		{240 * time.Second, 2 * time.Minute, 2 * time.Minute, ""},
		{240 * time.Second, time.Minute, 0, "at least half of --node-lease-duration"},
		{1500 * time.Millisecond, 0, 0, "whole number of seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.lease.String()+"/"+tt.grace.String(), func(t *testing.T) {
			o := Options{NodeLeaseDuration: tt.lease, NodeMonitorGracePeriod: tt.grace}
			err := o.Validate()
			if tt.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("Validate() = %v, want %q", err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o.setDefaults()
			if o.NodeMonitorGracePeriod != tt.wantGrace {
				t.Fatalf("grace period %s, want %s", o.NodeMonitorGracePeriod, tt.wantGrace)
			}
		})
	}
}
