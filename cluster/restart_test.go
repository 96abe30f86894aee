package cluster

import (
	"context"
	"fmt"
	"net/netip"
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

func runChild(step string) (code int) {
	switch step {
	case benchStep:
		return runBenchChild(os.Getenv(childDirEnv))
	case schedulerConfigStep:
		return runSchedulerConfigChild(os.Getenv(childDirEnv))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := Options{DataDir: os.Getenv(childDirEnv), Nodes: 1}
	if step == "grow" {
		o.Nodes, o.MaxPods = 2, 300
	}
	c, err := Start(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child start:", err)
		return 2
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "child stop:", err)
			code = 1
		}
	}()
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
	case "grow":
		err = checkGrown(ctx, client)
	default:
		err = fmt.Errorf("unknown step %q", step)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child", step+":", err)
		return 1
	}
	return 0
}

// checkGrown: after a restart with --max-pods 300 and a second node, both
// nodes have the new capacity and their pod CIDRs do not overlap.
func checkGrown(ctx context.Context, client kubernetes.Interface) error {
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	if len(nodes.Items) != 2 {
		return fmt.Errorf("%d nodes, want 2", len(nodes.Items))
	}
	var cidrs []netip.Prefix
	for _, n := range nodes.Items {
		if pods := n.Status.Capacity.Pods().Value(); pods != 300 {
			return fmt.Errorf("node %s: capacity %d pods, want 300", n.Name, pods)
		}
		if pods := n.Status.Allocatable.Pods().Value(); pods != 300 {
			return fmt.Errorf("node %s: allocatable %d pods, want 300", n.Name, pods)
		}
		p, err := netip.ParsePrefix(n.Spec.PodCIDR)
		if err != nil {
			return fmt.Errorf("node %s: %w", n.Name, err)
		}
		cidrs = append(cidrs, p)
	}
	if cidrs[0].Overlaps(cidrs[1]) {
		return fmt.Errorf("pod CIDRs %s and %s overlap", cidrs[0], cidrs[1])
	}
	return nil
}

func runChildProcess(t *testing.T, step, dir string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+step, childDirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// A restart keeps every object, and neither start prints anything on the
// terminal: component logs (klog, the etcd client's zap logger, gRPC) go to
// cluster.log only.
func TestRestartKeepsObjects(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	out, err := runChildProcess(t, "create", dir)
	if err != nil {
		t.Fatalf("first start: %v\n%s", err, out)
	}
	if out != "" {
		t.Errorf("first start and stop printed on the terminal:\n%s", out)
	}
	out, err = runChildProcess(t, "check", dir)
	if err != nil {
		t.Fatalf("restart on the same data dir: %v\n%s", err, out)
	}
	if out != "" {
		t.Errorf("restart and stop printed on the terminal:\n%s", out)
	}
	if out, err := runChildProcess(t, "grow", dir); err != nil {
		t.Fatalf("restart with --max-pods 300 and a second node: %v\n%s", err, out)
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
