package fault

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// phase is a moment of a `perflab init` run to interrupt: a config, and
// conditions met one after the other when the run is in that phase.
type phase struct {
	name   string
	config string // %[1]s is the run's namespace
	files  map[string]string
	inside []condition
}

type condition func(ctx context.Context, c kubernetes.Interface, ns string) (bool, error)

var phases = []phase{
	{
		name: "create",
		config: `
jobs:
  - name: sig-create
    jobIterations: 400
    qps: 20
    burst: 20
    namespace: %[1]s
    namespacedIterations: false
    preLoadImages: false
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`,
		files: map[string]string{"cm.yaml": configMapTemplate},
		inside: []condition{func(ctx context.Context, c kubernetes.Interface, ns string) (bool, error) {
			names, err := configMapNames(ctx, c, ns, "")
			return len(names) >= 10 && len(names) < 300, err
		}},
	},
	{
		// Pods no node can take: the job waits for them until interrupted.
		name: "wait",
		config: `
jobs:
  - name: sig-wait
    jobIterations: 3
    qps: 10
    burst: 10
    namespace: %[1]s
    namespacedIterations: false
    preLoadImages: false
    objects:
      - objectTemplate: pod.yaml
        replicas: 1
`,
		files: map[string]string{"pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: pinned-{{ .Iteration }}
spec:
  nodeSelector: {perflab.io/fault: never}
  containers:
  - {name: c, image: registry.k8s.io/pause:3.10}
`},
		inside: []condition{func(ctx context.Context, c kubernetes.Interface, ns string) (bool, error) {
			l, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
			if err != nil || len(l.Items) < 3 {
				return false, err
			}
			time.Sleep(time.Second) // the last create returned; the job is waiting
			return true, nil
		}},
	},
	{
		// 200 ConfigMaps made at once, then deleted at 5/s.
		name: "delete",
		config: `
jobs:
  - name: sig-delete-create
    jobIterations: 200
    qps: 500
    burst: 500
    namespace: %[1]s
    namespacedIterations: false
    preLoadImages: false
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
  - name: sig-delete
    jobType: delete
    qps: 5
    burst: 1
    objects:
      - kind: ConfigMap
        apiVersion: v1
        labelSelector: {kube-burner-job: sig-delete-create}
`,
		files: map[string]string{"cm.yaml": configMapTemplate},
		inside: []condition{
			func(ctx context.Context, c kubernetes.Interface, ns string) (bool, error) {
				names, err := configMapNames(ctx, c, ns, "kube-burner-job=sig-delete-create")
				return len(names) == 200, err
			},
			func(ctx context.Context, c kubernetes.Interface, ns string) (bool, error) {
				names, err := configMapNames(ctx, c, ns, "kube-burner-job=sig-delete-create")
				return len(names) > 0 && len(names) < 195, err
			},
		},
	},
}

// SIGINT and SIGTERM in the create, wait and delete phases of a run: exit
// code 130, and nothing of the run left in the cluster (cleanup is on, as
// by default).
func TestSignalsCleanUp(t *testing.T) {
	skipShort(t)
	cl := startCluster(t, t.TempDir(), "--nodes", "1")
	c := cl.client(t)
	for _, ph := range phases {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			sigName := strings.ToLower(strings.TrimPrefix(sig.String(), "SIG"))
			t.Run(ph.name+"/"+sig.String(), func(t *testing.T) {
				uuid := fmt.Sprintf("fault-sig-%s-%s", ph.name, strings.ReplaceAll(sigName, " ", ""))
				files := map[string]string{"config.yaml": fmt.Sprintf(ph.config, uuid)}
				for k, v := range ph.files {
					files[k] = v
				}
				dir := writeFiles(t, files)
				run := start(t, "init", "-c", filepath.Join(dir, "config.yaml"), "--kubeconfig", cl.kubeconfig(),
					"--uuid", uuid, "--metrics-directory", filepath.Join(dir, "out"), "--timeout", "5m")
				for _, cond := range ph.inside {
					waitFor(t, 2*time.Minute, "the run in its "+ph.name+" phase", func(ctx context.Context) (bool, error) {
						return cond(ctx, c, uuid)
					})
				}
				run.signal(t, sig)
				if code := run.wait(t, 2*time.Minute); code != 130 {
					t.Errorf("exit %d after %v in the %s phase, want 130:\n%s", code, sig, ph.name, run.out)
				}
				namespacesLeft(t, c, "kube-burner.io/uuid="+uuid)
			})
		}
	}
}
