package cilium

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// Golden files for the pressure, plan and ces output formats (text and
// JSON); regenerate with -update.
func TestOutputGolden(t *testing.T) {
	ctx := context.Background()
	maps := MapsOptions{MemTotal: "16Gi", CPUs: 4}
	work := Workload{NewConnsPerSec: 2000, Services: 3000, Backends: 30000, Endpoints: 20000, Nodes: 100, PodsPerNode: 110, NewFlowsAnyPerSec: 500}
	ces := CESInput{Pods: 200, Namespaces: 1, Nodes: 3, Churn: 20 * time.Second}
	tests := []struct {
		name string
		run  func(out *bytes.Buffer) error
	}{
		{"pressure-seed-conntrack", func(out *bytes.Buffer) error {
			return RunPressure(ctx, PressureRunOptions{File: "testdata/seed-metrics-conntrack.txt", Target: 0.85}, out, &bytes.Buffer{})
		}},
		{"pressure-seed-list-1-json", func(out *bytes.Buffer) error {
			return RunPressure(ctx, PressureRunOptions{File: "testdata/seed-metrics-list-1.txt", Target: 0.85, JSON: true, WithSizes: true, Maps: maps}, out, &bytes.Buffer{})
		}},
		{"plan-example", func(out *bytes.Buffer) error {
			return RunPlan(ctx, PlanRunOptions{Maps: maps, Workload: work, GCSeries: "0.3,0.3,0.01,0"}, out, &bytes.Buffer{})
		}},
		{"plan-example-json", func(out *bytes.Buffer) error {
			return RunPlan(ctx, PlanRunOptions{Maps: maps, Workload: work, JSON: true}, out, &bytes.Buffer{})
		}},
		{"ces-seed", func(out *bytes.Buffer) error { return RunCES(ctx, ces, false, out) }},
		{"ces-seed-json", func(out *bytes.Buffer) error { return RunCES(ctx, ces, true, out) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := tt.run(&out); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.name, out.String())
		})
	}
}
