package runenv

import (
	"errors"
	"slices"
	"testing"

	"k8s.io/client-go/rest"
)

func TestNew(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	env, err := New(&rest.Config{Host: "https://127.0.0.1:6443"})
	if err != nil {
		t.Fatal(err)
	}
	if env.Client == nil || env.Client.Config.Host != "https://127.0.0.1:6443" {
		t.Errorf("client bundle %+v, want one for the config's host", env.Client)
	}
	if env.HookEnv() != nil || env.MaxPodsHint() != "" {
		t.Errorf("a config without kubeconfig or embedded cluster: HookEnv %q, MaxPodsHint %q", env.HookEnv(), env.MaxPodsHint())
	}
	env.Kubeconfig, env.Embedded = "/tmp/kc", &Embedded{MaxPodsHint: "raise it"}
	if got := env.HookEnv(); !slices.Equal(got, []string{"KUBECONFIG=/tmp/kc"}) {
		t.Errorf("HookEnv() = %q", got)
	}
	if got := env.MaxPodsHint(); got != "raise it" {
		t.Errorf("MaxPodsHint() = %q", got)
	}
}

// Close stops what was started last first, reports every failure, and is
// safe to repeat.
func TestCloseOrder(t *testing.T) {
	env := &Env{}
	var order []string
	boom := errors.New("boom")
	env.OnClose(func() error { order = append(order, "cluster"); return nil })
	env.OnClose(func() error { order = append(order, "prometheus"); return boom })
	if err := env.Close(); !errors.Is(err, boom) {
		t.Errorf("Close() = %v, want boom", err)
	}
	if !slices.Equal(order, []string{"prometheus", "cluster"}) {
		t.Errorf("closed %v, want prometheus then cluster", order)
	}
	if err := env.Close(); err != nil || len(order) != 2 {
		t.Errorf("second Close() = %v after %v, want nothing done", err, order)
	}
	var nilEnv *Env
	if err := nilEnv.Close(); err != nil {
		t.Errorf("nil Close() = %v", err)
	}
}
