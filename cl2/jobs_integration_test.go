package cl2

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perflab/perflab/cluster"
)

// Jobs whose pods run 3s (kwok's duration annotation): WaitForFinishedJobs
// waits for them and JobLifecycleLatency reports start_to_complete of
// about 3s, as on a real cluster.
func TestJobWaitAndLifecycleLatency(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	for name, body := range map[string]string{"job.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: {{.Name}}
  labels: {group: jobs}
spec:
  completions: 2
  parallelism: 2
  template:
    metadata:
      annotations: {"` + cluster.JobDurationAnnotation + `": 3s}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.k8s.io/pause:3.10}]
`, "config.yaml": `name: jobs
namespace: {number: 1, prefix: cl2-jobs}
tuningSets:
- name: Fast
  qpsLoad: {qps: 50}
steps:
- name: start
  measurements:
  - {Identifier: WaitJobs, Method: WaitForFinishedJobs, Params: {action: start, labelSelector: group = jobs}}
  - {Identifier: JobLifecycle, Method: JobLifecycleLatency, Params: {action: start, labelSelector: group = jobs}}
- name: create
  phases:
  - namespaceRange: {min: 1, max: 1}
    replicasPerNamespace: 3
    tuningSet: Fast
    objectBundle:
    - {basename: batch, objectTemplatePath: job.yaml}
- name: wait
  measurements:
  - {Identifier: WaitJobs, Method: WaitForFinishedJobs, Params: {action: gather, timeout: 1m}}
  - {Identifier: JobLifecycle, Method: JobLifecycleLatency, Params: {action: gather}}
`} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report := t.TempDir()
	var out strings.Builder
	start := time.Now()
	rep, err := Run(ctx, Options{Load: LoadOptions{ConfigPath: filepath.Join(dir, "config.yaml"), Environ: []string{}},
		ReportDir: report, Env: newTestEnv(t), Out: &out, Progress: io.Discard})
	if err != nil || rep.Failed() {
		t.Fatalf("run = %v\n%s", err, out.String())
	}
	if took := time.Since(start); took < 3*time.Second {
		t.Errorf("run took %v; the jobs' pods run 3s", took)
	}
	pd := readPerfData(t, report, "JobLifecycleLatency_JobLifecycle")
	got := map[string]float64{}
	for _, it := range pd.DataItems {
		got[it.Labels["Metric"]] = it.Data["Perc50"]
	}
	// Second-granular Job times: 3s of running shows as 2s to 4s.
	if p50 := got["start_to_complete"]; p50 < 2000 || p50 > 10000 {
		t.Errorf("start_to_complete p50 %vms, want about 3000 (items %v)", p50, got)
	}
	if _, ok := got["create_to_start"]; !ok {
		t.Errorf("create_to_start missing: %v", got)
	}
	assertNamespacesGone(t, ctx, "cl2-jobs-")
}

// Jobs whose pods run an hour, as pause pods do on a real cluster:
// WaitForControlledPodsRunning (CL2's load config's WaitForRunningJobs) is
// satisfied once parallelism pods of each Job are Running and Ready.
func TestWaitForRunningJobs(t *testing.T) {
	needCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	for name, body := range map[string]string{"job.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: {{.Name}}
  labels: {group: load}
spec:
  completions: 4
  parallelism: 2
  template:
    metadata:
      annotations: {"` + cluster.JobDurationAnnotation + `": 1h}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.k8s.io/pause:3.10}]
`, "config.yaml": `name: running-jobs
namespace: {number: 1, prefix: cl2-runjobs}
tuningSets:
- name: Fast
  qpsLoad: {qps: 50}
steps:
- name: start
  measurements:
  - {Identifier: WaitForRunningJobs, Method: WaitForControlledPodsRunning, Params: {action: start, apiVersion: batch/v1, kind: Job, labelSelector: group = load, operationTimeout: 1m}}
- name: create
  phases:
  - namespaceRange: {min: 1, max: 1}
    replicasPerNamespace: 2
    tuningSet: Fast
    objectBundle:
    - {basename: job, objectTemplatePath: job.yaml}
- name: wait
  measurements:
  - {Identifier: WaitForRunningJobs, Method: WaitForControlledPodsRunning, Params: {action: gather}}
`} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	rep, err := Run(ctx, Options{Load: LoadOptions{ConfigPath: filepath.Join(dir, "config.yaml"), Environ: []string{}},
		Env: newTestEnv(t), Out: &out, Progress: io.Discard})
	if err != nil || rep.Failed() {
		t.Fatalf("run = %v\n%s", err, out.String())
	}
	assertNamespacesGone(t, ctx, "cl2-runjobs-")
}
