package integration

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/perflab/perflab/measure"
)

// kube-burner's serviceLatency, jobLatency and pvcLatency run on the
// embedded cluster, with their files; a delete job writes podLatency files
// over the pods it finds, as kube-burner does.
func TestObjectLatencies(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cfg := writeConfig(t, map[string]string{"deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{{ .Iteration }}
spec:
  replicas: 2
  selector: {matchLabels: {app: web-{{ .Iteration }}}}
  template:
    metadata: {labels: {app: web-{{ .Iteration }}}}
    spec:
      containers: [{name: c, image: registry.k8s.io/pause:3.10}]
`, "svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web-{{ .Iteration }}
spec:
  selector: {app: web-{{ .Iteration }}}
  ports: [{port: 80}]
`, "job.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: batch-{{ .Iteration }}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.k8s.io/pause:3.10}]
`, "pvc.yaml": `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-{{ .Iteration }}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`, "config.yaml": `
global:
  gc: false
  measurements:
    - name: podLatency
    - name: serviceLatency
      svcTimeout: 5s
    - name: jobLatency
      thresholds: [{conditionType: Complete, metric: P99, threshold: 5m}]
    - name: pvcLatency
jobs:
  - name: objs
    jobIterations: 3
    qps: 50
    burst: 50
    namespace: objlat
    preLoadImages: false
    waitWhenFinished: true
    objects:
      - {objectTemplate: deploy.yaml, replicas: 1}
      - {objectTemplate: svc.yaml, replicas: 1}
      - {objectTemplate: job.yaml, replicas: 1}
      - {objectTemplate: pvc.yaml, replicas: 1}
  - name: drop
    jobType: delete
    objects:
      - {kind: Deployment, apiVersion: apps/v1, labelSelector: {kube-burner-job: objs}}
`})
	out := run(t, ctx, cfg)
	if out.err != nil {
		t.Fatalf("run: %v", out.err)
	}
	var svcs []measure.ServiceLatency
	readJSON(t, filepath.Join(out.dir, "svcLatencyMeasurement-objs.json"), &svcs)
	if len(svcs) != 3 || svcs[0].ReadyLatency <= 0 || svcs[0].MetricName != "svcLatencyMeasurement" || svcs[0].ServiceType != "ClusterIP" {
		t.Errorf("serviceLatency docs: %+v", svcs)
	}
	var jobs []measure.JobLatency
	readJSON(t, filepath.Join(out.dir, "jobLatencyMeasurement-objs.json"), &jobs)
	if len(jobs) != 3 || jobs[0].CompletionLatency < jobs[0].StartTimeLatency || jobs[0].Name == "" {
		t.Errorf("jobLatency docs: %+v", jobs)
	}
	var qs []measure.LatencyQuantiles
	readJSON(t, filepath.Join(out.dir, "jobLatencyQuantilesMeasurement-objs.json"), &qs)
	if len(qs) != 2 || qs[1].QuantileName != "Complete" {
		t.Errorf("jobLatency quantiles: %+v", qs)
	}
	var pvcs []measure.PVCLatency
	readJSON(t, filepath.Join(out.dir, "pvcLatencyMeasurement-objs.json"), &pvcs)
	if len(pvcs) != 3 || pvcs[0].StorageClass == "" || pvcs[0].Size != "1Gi" {
		t.Errorf("pvcLatency docs (the default StorageClass binds claims): %+v", pvcs)
	}
	var pods []measure.PodLatency
	readJSON(t, filepath.Join(out.dir, "podLatencyMeasurement-drop.json"), &pods)
	if len(pods) < 6 {
		t.Errorf("delete job podLatency: %d docs, want the 6 web pods", len(pods))
	}
	destroy(t, out.uuid)
}
