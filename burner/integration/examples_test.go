package integration

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/perflab/perflab/burner"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/kube"
)

// TestS1CreateThenDelete is the seed's scenario 1: a deployment created with
// image pre-load, then removed by the seed's delete config.
func TestS1CreateThenDelete(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := run(t, ctx, example("s1-config.yaml"))
	if out.err != nil {
		t.Fatalf("s1 create: %v", out.err)
	}
	deps, err := client.AppsV1().Deployments("").List(ctx, metav1.ListOptions{LabelSelector: "kube-burner-job=delete-me"})
	if err != nil || len(deps.Items) != 1 {
		t.Fatalf("want 1 deployment, got %d (%v)", len(deps.Items), err)
	}
	for _, d := range deps.Items {
		if d.Status.ReadyReplicas != 1 || d.Labels[kube.LabelUUID] != out.uuid {
			t.Errorf("deployment %s/%s: ready %d, labels %v", d.Namespace, d.Name, d.Status.ReadyReplicas, d.Labels)
		}
	}
	pods, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: "kube-burner-job=delete-me"})
	if err != nil || len(pods.Items) != 1 {
		t.Fatalf("kubectl get pods -l kube-burner-job=delete-me: want the deployment's pod (labels of the template's metadata go to its pods, as in kube-burner), got %d (%v)", len(pods.Items), err)
	}
	if ns := namespaces(t, "kube-burner-job=delete-me"); len(ns) != 1 || ns[0].Name != "kube-burner-test-0" {
		t.Fatalf("namespaces: %v", ns)
	}
	if ns := namespaces(t, kube.LabelPreload+"=true"); len(ns) != 0 {
		t.Errorf("pre-load namespace left behind")
	}
	var sums []burner.JobSummary
	readJSON(t, filepath.Join(out.dir, "jobSummary.json"), &sums)
	if len(sums) != 1 || !sums[0].Passed || sums[0].MetricName != "jobSummary" || sums[0].UUID != out.uuid || sums[0].JobConfig.Name != "create-deployments" {
		t.Errorf("jobSummary: %+v", sums)
	}
	var raw []map[string]any
	readJSON(t, filepath.Join(out.dir, "jobSummary.json"), &raw)
	if v, _ := raw[0]["k8sVersion"].(string); !strings.HasPrefix(v, "v1.") || raw[0]["totalNodes"] != 1.0 {
		t.Errorf("jobSummary lacks kube-burner's cluster metadata: k8sVersion %v totalNodes %v", raw[0]["k8sVersion"], raw[0]["totalNodes"])
	}
	if e := raw[0]["elapsedTime"].(float64); e != float64(int(e)) {
		t.Errorf("elapsedTime %v: kube-burner's is whole seconds", e)
	}
	if deps.Items[0].Labels[kube.LabelGroup] != "0" {
		t.Errorf("deployment lacks kube-burner v2's %s label: %v", kube.LabelGroup, deps.Items[0].Labels)
	}

	del := run(t, ctx, example("s1-config-delete.yaml"))
	if del.err != nil {
		t.Fatalf("s1 delete: %v", del.err)
	}
	if ns := namespaces(t, "kube-burner-job=delete-me"); len(ns) != 0 {
		t.Errorf("%d namespaces left after the delete config", len(ns))
	}
	if del.rep.Jobs[0].Objects != 2 {
		t.Errorf("delete job removed %d objects, want a deployment and a namespace", del.rep.Jobs[0].Objects)
	}
}

// TestS2MaxPods is the seed's scenario 2: 150 pods on a node that allows
// 110 end with the Too-many-pods diagnosis; with maxPods 150 they all run.
func TestS2MaxPods(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	setMaxPods(t, 110)
	out := run(t, ctx, example("s2-config.yaml"), "jobs.0.maxWaitTimeout=15s")
	if exitcode.Of(out.err) != exitcode.Timeout {
		t.Fatalf("want a timeout (exit 2), got %v", out.err)
	}
	diag := out.rep.Jobs[0].Diagnosis
	if !contains(diag, "40 pods Pending", "Too many pods", "node allows 110 pods", "--embedded-max-pods") {
		t.Fatalf("diagnosis: %q", diag)
	}
	if ns := namespaces(t, kube.LabelRunID+"="+out.runID); len(ns) != 0 {
		t.Errorf("failed run left %d namespaces", len(ns))
	}

	setMaxPods(t, 150)
	defer setMaxPods(t, 110)
	ok := run(t, ctx, example("s2-config.yaml"))
	if ok.err != nil {
		t.Fatalf("with maxPods 150: %v", ok.err)
	}
	pods, _ := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: "kube-burner-job=stress-test", FieldSelector: "status.phase=Running"})
	if len(pods.Items) != 150 {
		t.Errorf("running pods: %d, want 150", len(pods.Items))
	}
	destroy(t, ok.uuid)
}

// TestS3 is the seed's scenario 3: 300 pods (with image pre-load, the
// default) once the node allows 400.
func TestS3(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	setMaxPods(t, 400)
	defer setMaxPods(t, 110)
	out := run(t, ctx, example("s3-config.yaml"))
	if out.err != nil {
		t.Fatalf("s3: %v", out.err)
	}
	if got := out.rep.Jobs[0].Objects; got != 300 {
		t.Errorf("created %d pods, want 300", got)
	}
	destroy(t, out.uuid)
}

// TestAPIIntensive is the seed's scenario 4, unchanged: deployments,
// configmaps, secrets and services, three kinds of patch, ordered deletes.
func TestAPIIntensive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	out := run(t, ctx, example("api-intensive/api-intensive-100.yml"))
	if out.err != nil {
		t.Fatalf("api-intensive: %v", out.err)
	}
	want := map[string]int64{"api-intensive": 400, "api-intensive-patch": 3000, "api-intensive-remove": 100,
		"remove-services": 100, "remove-configmaps-secrets": 200, "remove-namespace": 100}
	for _, j := range out.rep.Jobs {
		if w, ok := want[j.Name]; ok && j.Objects != w {
			t.Errorf("job %s: %d objects, want %d", j.Name, j.Objects, w)
		}
		if !j.Passed {
			t.Errorf("job %s failed: %v", j.Name, j.Err)
		}
	}
	if ns := namespaces(t, "kube-burner-job=api-intensive"); len(ns) != 0 {
		t.Errorf("%d namespaces left", len(ns))
	}
}
