package target

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeKubeconfig writes a kubeconfig with contexts "a" (current) and "b"
// pointing at two servers; nothing here connects to them.
func writeKubeconfig(t *testing.T, dir string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["a"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:6443"}
	cfg.Clusters["b"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:7443"}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "not-a-real-token"}
	cfg.Contexts["a"] = &clientcmdapi.Context{Cluster: "a", AuthInfo: "u"}
	cfg.Contexts["b"] = &clientcmdapi.Context{Cluster: "b", AuthInfo: "u"}
	cfg.CurrentContext = "a"
	path := filepath.Join(dir, "config")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestResolveRealCluster(t *testing.T) {
	dir := t.TempDir()
	path := writeKubeconfig(t, dir)
	tests := []struct {
		name       string
		opts       Options
		env        string
		wantName   string
		wantServer string
		wantErr    string
	}{
		{name: "explicit path, current context", opts: Options{Kubeconfig: path}, wantName: "a", wantServer: "https://127.0.0.1:6443"},
		{name: "explicit context", opts: Options{Kubeconfig: path, Context: "b"}, wantName: "b", wantServer: "https://127.0.0.1:7443"},
		{name: "from $KUBECONFIG", env: path, wantName: "a", wantServer: "https://127.0.0.1:6443"},
		{name: "$KUBECONFIG list with a missing entry", env: filepath.Join(dir, "missing") + string(os.PathListSeparator) + path, wantName: "a", wantServer: "https://127.0.0.1:6443"},
		{name: "unknown context", opts: Options{Kubeconfig: path, Context: "zzz"}, wantErr: `context "zzz" not found`},
		{name: "missing explicit file", opts: Options{Kubeconfig: filepath.Join(dir, "nope")}, wantErr: "--kubeconfig"},
		{name: "real only, with a kubeconfig", opts: Options{Kubeconfig: path, RealOnly: true, Embedded: true}, wantName: "a", wantServer: "https://127.0.0.1:6443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", t.TempDir()) // no ~/.kube/config
			t.Setenv(clientcmd.RecommendedConfigPathEnvVar, tt.env)
			tg, err := Resolve(context.Background(), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tg.Embedded != nil || tg.Name != tt.wantName || tg.Config.Host != tt.wantServer {
				t.Errorf("Resolve() = %q %s embedded=%v, want %q %s", tg.Name, tg.Config.Host, tg.Embedded != nil, tt.wantName, tt.wantServer)
			}
			if tg.Client == nil || tg.Client.Config.Host != tt.wantServer {
				t.Errorf("Resolve() client bundle %+v, want one for %s", tg.Client, tt.wantServer)
			}
			if got, want := tg.HookEnv(), []string{"KUBECONFIG=" + tg.Kubeconfig}; len(got) != 1 || got[0] != want[0] {
				t.Errorf("HookEnv() = %q, want %q", got, want)
			}
			if err := tg.Close(); err != nil {
				t.Errorf("Close() of a real target: %v", err)
			}
		})
	}
}

func TestFindKubeconfigNone(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv(clientcmd.RecommendedConfigPathEnvVar, "")
	// clientcmd computed RecommendedHomeFile at init from the real HOME;
	// only check it when that file does not exist on this machine.
	if _, err := os.Stat(clientcmd.RecommendedHomeFile); err == nil {
		t.Skip("this machine has ~/.kube/config")
	}
	got, err := findKubeconfig("")
	if err != nil || got != "" {
		t.Fatalf("findKubeconfig() = %q, %v; want none (embedded)", got, err)
	}
}

// A command that needs a real cluster never starts an embedded one.
func TestResolveRealOnlyWithoutKubeconfig(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv(clientcmd.RecommendedConfigPathEnvVar, "")
	if _, err := os.Stat(clientcmd.RecommendedHomeFile); err == nil {
		t.Skip("this machine has ~/.kube/config")
	}
	env, err := Resolve(context.Background(), Options{RealOnly: true, Embedded: true})
	if !errors.Is(err, ErrNoKubeconfig) {
		t.Fatalf("Resolve(RealOnly) = %v, %v; want ErrNoKubeconfig", env, err)
	}
}
