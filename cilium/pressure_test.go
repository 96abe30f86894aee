package cilium

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPressureSeed(t *testing.T) {
	rep, err := AnalyzePressure(parseFile(t, "seed-metrics-list-1.txt"), PressureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range rep.Maps {
		order = append(order, m.Map)
	}
	if got := strings.Join(order, ","); got != "ct_any4_global,ct4_global,lxc,ipcache_v2" {
		t.Errorf("ranking %s", got)
	}
	for _, m := range rep.Maps {
		if m.Advice != "" {
			t.Errorf("%s at %.4f must not need advice: %s", m.Map, m.Pressure, m.Advice)
		}
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "lb_affinity_match: 89 failed deletes") {
		t.Errorf("notes %q", rep.Notes)
	}
	// Capacity from cilium_bpf_map_capacity when present.
	rep, err = AnalyzePressure(parseFile(t, "seed-metrics-conntrack.txt"), PressureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Maps[0]; m.Capacity != 73729 || m.CapacitySource != MetricMapCapacity || m.Entries != 133 {
		t.Errorf("%+v", m)
	}
}

const fullMaps = `# TYPE cilium_bpf_map_pressure gauge
cilium_bpf_map_pressure{map_name="ct4_global"} 0.95
cilium_bpf_map_pressure{map_name="snat_v4_external"} 0.9
cilium_bpf_map_pressure{map_name="lb4_services_v2"} 0.99
cilium_bpf_map_pressure{map_name="ipcache_v2"} 0.2
# TYPE cilium_drop_count_total counter
cilium_drop_count_total{direction="EGRESS",reason="CT: Map insertion failed"} 42
cilium_drop_count_total{direction="EGRESS",reason="No mapping for NAT masquerade"} 7
cilium_drop_count_total{direction="EGRESS",reason="Policy denied"} 1000
`

func TestPressureAdvice(t *testing.T) {
	samples, err := ParseMetrics(strings.NewReader(fullMaps), "full")
	if err != nil {
		t.Fatal(err)
	}
	o := MapsOptions{MemTotal: "16Gi", CPUs: 4}
	cfg, node, _, err := o.Inputs()
	if err != nil {
		t.Fatal(err)
	}
	sizes, err := ComputeSizes(cfg, node)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzePressure(samples, PressureOptions{Sizes: sizes, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]MapPressure{}
	for _, m := range rep.Maps {
		by[m.Map] = m
	}
	ct := by["ct4_global"]
	// 0.95 x 150700 = 143165 entries; / 0.85 = 168430 needed.
	if ct.Capacity != 150700 || ct.Entries != 143165 {
		t.Errorf("ct %+v", ct)
	}
	// Smallest ratio: M/285 >= 168430 -> M >= 48002550 -> r >= 48002550/17179869184 = 0.0027941...
	if !strings.Contains(ct.Advice, "needs >= 168430 entries: set bpf.mapDynamicSizeRatio=0.0028 ") || !strings.Contains(ct.Advice, "bpf.ctTcpMax=168430") {
		t.Errorf("ct advice %q", ct.Advice)
	}
	if !strings.Contains(ct.Info.WhenFull, `reason 155 "CT: Map insertion failed"`) {
		t.Errorf("ct when full %q", ct.Info.WhenFull)
	}
	if !strings.Contains(by["snat_v4_external"].Info.WhenFull, `167 "No mapping for NAT masquerade"`) {
		t.Errorf("nat %q", by["snat_v4_external"].Info.WhenFull)
	}
	lb := by["lb4_services_v2"]
	if !strings.Contains(lb.Advice, "bpf.lbMapMax=76331") || !strings.Contains(lb.Info.WhenFull, "--bpf-lb-map-max") {
		t.Errorf("lb %+v", lb)
	}
	if rep.Drops["155 CT: Map insertion failed"] != 42 || rep.Drops["167 No mapping for NAT masquerade"] != 7 || len(rep.Drops) != 2 {
		t.Errorf("drops %v", rep.Drops)
	}
	var out bytes.Buffer
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "MAP ") || !strings.Contains(out.String(), "lb4_services_v2     99.00%") {
		t.Errorf("text:\n%s", out.String())
	}
}

func TestPressureErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"cilium_bpf_map_ops_total   map_name=x outcome=fail   1\n", "no cilium_bpf_map_pressure samples"},
		{"cilium_bpf_map_pressure   map_name=ct4_global   high\n", `line 1: cilium_bpf_map_pressure{map_name="ct4_global"}: value "high" is not a fill ratio`},
	} {
		s, err := ParseMetrics(strings.NewReader(tt.in), "x")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := AnalyzePressure(s, PressureOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
}

// TestPressureFromAgentEndpoint serves exposition over a real socket on
// 127.0.0.1, as an agent's :9962/metrics would.
func TestPressureFromAgentEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(fullMaps))
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err := RunPressure(context.Background(), PressureRunOptions{Prometheus: srv.URL + "/metrics"}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ct4_global") || !strings.Contains(out.String(), "bpf.ctTcpMax=") {
		t.Errorf("output:\n%s", out.String())
	}
}
