package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// A process runs one cluster, so the restart test runs each start in a
// child process: this test binary again, with childEnv naming the step.
const (
	childEnv     = "PERFLAB_CLUSTER_TEST_CHILD"
	childDirEnv  = "PERFLAB_CLUSTER_TEST_DIR"
	restartValue = "kept-across-restarts"
)

func runChild(step string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{DataDir: os.Getenv(childDirEnv), Nodes: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child start:", err)
		return 2
	}
	defer c.Stop()
	client := kubernetes.NewForConfigOrDie(c.RESTConfig())
	cms := client.CoreV1().ConfigMaps("default")
	switch step {
	case "create":
		_, err = cms.Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "restart-probe"},
			Data:       map[string]string{"v": restartValue},
		}, metav1.CreateOptions{})
	case "check":
		var cm *corev1.ConfigMap
		if cm, err = cms.Get(ctx, "restart-probe", metav1.GetOptions{}); err == nil && cm.Data["v"] != restartValue {
			err = fmt.Errorf("configmap data %v", cm.Data)
		}
		if err == nil {
			var nodes *corev1.NodeList
			if nodes, err = client.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err == nil && len(nodes.Items) != 1 {
				err = fmt.Errorf("%d nodes after restart, want 1", len(nodes.Items))
			}
		}
	default:
		err = fmt.Errorf("unknown step %q", step)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child", step+":", err)
		return 1
	}
	return 0
}

func runChildProcess(t *testing.T, step, dir string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+step, childDirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestRestartKeepsObjects(t *testing.T) {
	dir := t.TempDir()
	if out, err := runChildProcess(t, "create", dir); err != nil {
		t.Fatalf("first start: %v\n%s", err, out)
	}
	if out, err := runChildProcess(t, "check", dir); err != nil {
		t.Fatalf("restart on the same data dir: %v\n%s", err, out)
	}
	info, err := os.Stat(KubeconfigPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("admin.kubeconfig mode %v, want 0600", info.Mode().Perm())
	}
}

func TestForeignDataDirRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/pki", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/pki/ca.crt", []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runChildProcess(t, "create", dir)
	if err == nil || !strings.Contains(out, "another cluster") {
		t.Fatalf("want a refusal naming another cluster, got err=%v\n%s", err, out)
	}
}
