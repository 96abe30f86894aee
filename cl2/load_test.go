package cl2

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func check(t *testing.T, path string, simulated bool) []string {
	t.Helper()
	var out []string
	for _, p := range Lint(LoadOptions{ConfigPath: path, Environ: []string{}, Seed: 1}, simulated) {
		out = append(out, p.String())
	}
	return out
}

// TestSeedMistakesNamed checks that each mistake of the seed guide's CL2
// configs is named with file and line.
func TestSeedMistakesNamed(t *testing.T) {
	tests := []struct {
		config string
		want   []string // substrings, each must appear in one problem
	}{
		{"testdata/seeds/pod-startup/pod-startup-config.yaml", []string{
			"pod-startup-config.yaml:10: warning: tuningSets[0].qpsLoad.burst: unknown field, ignored as CL2 ignores it: qpsLoad has only qps",
			"pod-startup-config.yaml:40: warning: steps[2].measurements[0].params.action: WaitForRunningPods takes no action",
			"pod-startup-config.yaml:54: warning: steps[3].measurements[1].params.action: WaitForRunningPods takes no action",
			"pod-startup-config.yaml:53: warning: steps[3].measurements[1].params: WaitForRunningPods needs param desiredPodCount: this call will fail when its step runs, as in CL2",
		}},
		{"testdata/seeds/large-deployment/large-deployment-config.yaml", []string{
			"large-deployment-config.yaml:10: warning: tuningSets[0].qpsLoad.burst: unknown field",
			"large-deployment-config.yaml:12: warning: measurements: unknown field, ignored as CL2 ignores it: measurements are not a top-level field",
			"large-deployment-config.yaml:19: steps[0].measurements[0].method: unknown measurement method \"APIResponsiveness\": ClusterLoader2 renamed it APIResponsivenessPrometheus",
			"large-deployment-config.yaml:58: steps[3].measurements[0].method: unknown measurement method \"APIResponsiveness\"",
			"large-deployment-config.yaml:26: warning: steps[0].measurements[1].params.labelSelector: SchedulingThroughput labelSelector \"app = large-app\" matches no pod",
		}},
		{"testdata/seeds/api-load/api-load-config.yaml", []string{
			"api-load-config.yaml:10: warning: tuningSets[0].qpsLoad.burst: unknown field",
			"api-load-config.yaml:14: warning: tuningSets[1].randomizedLoad.minQps: unknown field",
			"api-load-config.yaml:15: warning: tuningSets[1].randomizedLoad.maxQps: unknown field",
			"api-load-config.yaml:16: warning: tuningSets[1].randomizedLoad.burstDuration: unknown field",
			"api-load-config.yaml:22: steps[0].measurements[0].method: unknown measurement method \"APIResponsiveness\"",
			"api-load-config.yaml:51: steps[2].phases[0].objectBundle[0].listUnknownObjectOptions.labelSelector: want a mapping",
			"api-load-config.yaml:67: steps[4].measurements[0].method: unknown measurement method \"APIResponsiveness\"",
			"api-load-config.yaml:25: warning: steps[0].measurements[0].params.enableViolations: APIResponsivenessPrometheus reads enableViolations at action: gather; at action: start it has no effect",
			"api-load-config.yaml:27: warning: steps[0].measurements[0].params.summaryPrintCount: unknown param \"summaryPrintCount\"",
			"api-load-config.yaml:70: warning: steps[4].measurements[0].params.percentiles: unknown param \"percentiles\"",
			"configmap.yaml:10: template value missing: {{.CurrentTimestamp}} rendered as <no value>",
			"configmap-update.yaml:8: template value missing: {{.CurrentTimestamp}} rendered as <no value>",
			"list-job.yaml:10: spec.template.spec.containers.0.image: Job list-job-0 runs image bitnami/kubectl:latest with a command, but containers never run on simulated nodes",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.config, func(t *testing.T) {
			got := check(t, tt.config, true)
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					if strings.Contains(g, w) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("missing problem %q\ngot:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// TestExamplesClean checks that the corrected examples have no problems.
func TestExamplesClean(t *testing.T) {
	for _, c := range []string{"pod-startup", "large-deployment", "api-load"} {
		if got := check(t, "../examples/cl2/"+c+"/config.yaml", true); len(got) > 0 {
			t.Errorf("%s: unexpected problems:\n%s", c, strings.Join(got, "\n"))
		}
	}
}

// TestUpstreamConventions: what ClusterLoader2's own test configs rely on
// loads: module paths written from the config's directory ("/modules/..."),
// modules that render empty, one basename for two templates, wrapper
// measurements with instances, .ImageRegistry, and CL2 measurements perflab
// does not run (a warning each, not an error).
func TestUpstreamConventions(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{.Name}}\n")
	write("role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {{.Name}}\nrules: []\n")
	write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{.Name}}\n  labels:\n    group: up\n    svc: {{.Name}}-{{.Index}}\nspec:\n  containers:\n  - name: c\n    image: {{.ImageRegistry}}/pause:3.10\n")
	write("modules/empty.yaml", "{{if false}}\nsteps: []\n{{end}}\n")
	// A param a call leaves out renders as <no value> (CL2 goes on).
	write("modules/delete.yaml", `steps:
- name: delete
  phases:
  - namespaceRange: {min: 1, max: 1}
    replicasPerNamespace: 0
    tuningSet: Sequence
    objectBundle:
    - basename: pod
      objectTemplatePath: /pod.yaml
      templateFillMap: {Env: {{.env}}}
`)
	write("modules/measure.yaml", `steps:
- name: measure
  measurements:
  - Identifier: Net
    Method: InClusterNetworkLatency
    Params: {action: start}
  - Method: WaitForControlledPodsRunning
    Params: {action: start, apiVersion: v1, kind: Pod, labelSelector: group = up, operationTimeout: 1m}
    Instances:
    - Identifier: WaitA
    - Identifier: WaitB
      Params: {operationTimeout: 2m}
`)
	write("config.yaml", `name: upstream
namespace: {number: 1}
tuningSets:
- name: Sequence
  parallelismLimitedLoad: {parallelismLimit: 1}
steps:
- module: {path: /modules/empty.yaml}
- module: {path: /modules/measure.yaml}
- name: create
  phases:
  - namespaceRange: {min: 1, max: 1}
    replicasPerNamespace: 1
    tuningSet: Sequence
    objectBundle:
    - {basename: account, objectTemplatePath: sa.yaml}
    - {basename: account, objectTemplatePath: role.yaml}
    - {basename: pod, objectTemplatePath: pod.yaml}
- module: {path: /modules/delete.yaml}
`)
	got := check(t, filepath.Join(dir, "config.yaml"), false)
	var errs []string
	warned, missing := false, false
	for _, g := range got {
		if strings.Contains(g, "warning:") {
			warned = warned || strings.Contains(g, "InClusterNetworkLatency is not run by perflab")
			missing = missing || strings.Contains(g, "template value missing")
			continue
		}
		errs = append(errs, g)
	}
	if len(errs) > 0 {
		t.Errorf("problems, want none:\n%s", strings.Join(errs, "\n"))
	}
	if !missing {
		t.Errorf("no warning for the module's missing .env:\n%s", strings.Join(got, "\n"))
	}
	if !warned {
		t.Errorf("no warning for the skipped InClusterNetworkLatency:\n%s", strings.Join(got, "\n"))
	}
	m := &Measurement{Method: "WaitForControlledPodsRunning", Params: map[string]any{"action": "start", "operationTimeout": "1m"},
		Instances: []*MeasurementInstanceConfig{{Identifier: "A"}, {Identifier: "B", Params: map[string]any{"operationTimeout": "2m"}}}}
	ex := m.expand()
	if len(ex) != 2 || ex[0].Identifier != "A" || ex[1].Params["operationTimeout"] != "2m" || ex[0].Params["operationTimeout"] != "1m" || ex[1].Params["action"] != "start" {
		t.Errorf("expand = %+v %+v", ex[0], ex[1])
	}
}
