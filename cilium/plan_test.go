package cilium

import (
	"strings"
	"testing"
	"time"
)

func TestCTGCRule(t *testing.T) {
	tests := []struct {
		prev  time.Duration
		ratio float64
		c     CTGCConfig
		want  time.Duration
	}{
		{0, 0, CTGCConfig{}, 5 * time.Minute},                    // first run, nothing deleted
		{0, 0.01, CTGCConfig{}, 450 * time.Second},               // 5m x 1.5 (the seed's gc_interval_seconds 450)
		{5 * time.Minute, 0.3, CTGCConfig{}, 210 * time.Second},  // x (1-0.3)
		{5 * time.Minute, 0.95, CTGCConfig{}, 30 * time.Second},  // ratio capped at 0.9
		{15 * time.Second, 0.95, CTGCConfig{}, 10 * time.Second}, // floor 10s
		{10 * time.Hour, 0.01, CTGCConfig{}, 12 * time.Hour},     // ceiling 12h
		{5 * time.Minute, 0.1, CTGCConfig{}, 5 * time.Minute},    // 5%..25%: unchanged
		{5 * time.Minute, 0.01, CTGCConfig{Max: 6 * time.Minute}, 6 * time.Minute},
		{5 * time.Minute, 0.5, CTGCConfig{Fixed: 30 * time.Second}, 30 * time.Second},
	}
	for _, tt := range tests {
		got, err := NextCTGCInterval(tt.prev, tt.ratio, tt.c)
		if err != nil || got != tt.want {
			t.Errorf("NextCTGCInterval(%s, %v, %+v) = %s, %v; want %s", tt.prev, tt.ratio, tt.c, got, err, tt.want)
		}
	}
	series, err := CTGCSeries([]float64{0.01, 0.01, 0.3}, CTGCConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// 300 -> 450 -> 675 -> 472.5 rounds to 473s (Round rounds half away from zero).
	if want := []time.Duration{450 * time.Second, 675 * time.Second, 473 * time.Second}; series[0] != want[0] || series[1] != want[1] || series[2] != want[2] {
		t.Errorf("series %v, want %v", series, want)
	}
	if _, err := NextCTGCInterval(0, -1, CTGCConfig{}); err == nil {
		t.Error("negative ratio must fail")
	}
}

func TestForecast(t *testing.T) {
	node := Node{MemTotalBytes: 16 << 30, PossibleCPUs: 4}
	w := Workload{NewConnsPerSec: 2000, Services: 3000, Backends: 30000, Endpoints: 20000, Nodes: 100, PodsPerNode: 110, NewFlowsAnyPerSec: 500}
	p, err := Forecast(AgentConfig{}, node, w, 0.85)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]MapForecast{}
	for _, m := range p.Maps {
		by[m.Row] = m
	}
	// 4000 CT entries/s against 150700 slots: every GC run deletes > 90%,
	// so the interval shrinks to the 10s floor; TCP entries live
	// 10s (fin) + 10s (GC) -> 2000 x 2 x 20 = 80000.
	if p.GCInterval != 10*time.Second || by[RowCTTCP].Entries != 80000 {
		t.Errorf("gc %s, tcp %+v", p.GCInterval, by[RowCTTCP])
	}
	// any: 500 x 2 x (60s + 10s) = 70000 of 75350 -> first to pass 85%.
	if by[RowCTAny].Entries != 70000 || p.FirstFull != RowCTAny {
		t.Errorf("any %+v first %s", by[RowCTAny], p.FirstFull)
	}
	// services: 3000 x (1 + 10) = 33000.
	if by[RowSvc4].Entries != 33000 || by[RowBackend4].Entries != 30000 || by[RowIPCache].Entries != 20100 {
		t.Errorf("lb %+v %+v", by[RowSvc4], by[RowBackend4])
	}
	// The smallest ratio must keep CT any (70000) under 85%: size >= 82353,
	// M/570 >= 82353 -> r >= 0.0027322...; in 0.0001 steps 0.0028.
	if p.MinRatio != 0.0028 {
		t.Errorf("min ratio %v (%s)", p.MinRatio, p.MinRatioNote)
	}
	// Check the answer is really minimal: at 0.0027 CT any is over target.
	cfg := AgentConfig{OptDynamicSizeRatio: "0.0027"}
	p2, err := Forecast(cfg, node, w, 0.85)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Maps[1].Pressure <= 0.85 {
		t.Errorf("at 0.0027 CT any pressure %.3f should exceed 0.85", p2.Maps[1].Pressure)
	}
	if p.MinRatioBytes != DynamicMapBytes(mustSizes(t, AgentConfig{OptDynamicSizeRatio: "0.0028"}, node)) {
		t.Errorf("bytes %d", p.MinRatioBytes)
	}
	// 1% of 100 conn/s never close. GC: 200 entries/s x 300s = 60000 of
	// 150700 (39.8%) -> 300s x 0.602 = 181s; then 36200/150700 = 24.0%, in
	// the 5%..25% band, so it stays at 3m1s. Entries: 200 x (0.99 x (10s +
	// 181s) + 0.01 x (8000s + 181s)) = 200 x 270.9 = 54180.
	p3, err := Forecast(AgentConfig{}, node, Workload{NewConnsPerSec: 100, UnclosedFraction: 0.01}, 0.85)
	if err != nil {
		t.Fatal(err)
	}
	if p3.GCInterval != 181*time.Second || p3.Maps[0].Entries != 54180 {
		t.Errorf("unclosed: gc %s, tcp %d", p3.GCInterval, p3.Maps[0].Entries)
	}
	if _, err := Forecast(AgentConfig{}, node, Workload{NewConnsPerSec: -1}, 0.85); err == nil || !strings.Contains(err.Error(), "--new-conns-per-sec") {
		t.Errorf("negative rate: %v", err)
	}
}

func mustSizes(t *testing.T, cfg AgentConfig, n Node) *MapSizes {
	t.Helper()
	s, err := ComputeSizes(cfg, n)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEstimateCES(t *testing.T) {
	tests := []struct {
		in       CESInput
		slices   int
		cep, ces int
	}{
		// The seed's 200 pods in one namespace: 2 slices.
		{CESInput{Pods: 200, Namespaces: 1}, 2, 600, 2},
		// 250 pods over 3 namespaces: 84+83+83 -> 1 slice each.
		{CESInput{Pods: 250, Namespaces: 3}, 3, 750, 3},
		// FCFS per namespace: 1001 pods in one namespace -> 11 slices.
		{CESInput{Pods: 1001, Namespaces: 1}, 11, 3003, 11},
		// Pods arriving over 20s: 40 sync windows + 1 extra slice = 41 writes.
		{CESInput{Pods: 200, Namespaces: 1, Churn: 20 * time.Second}, 2, 600, 41},
		{CESInput{Pods: 10, Namespaces: 1, PerSlice: 3}, 4, 30, 4},
	}
	for _, tt := range tests {
		e, err := EstimateCES(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if e.Slices != tt.slices || e.CEPEventsPerAgent != tt.cep || e.CESEventsPerAgent != tt.ces {
			t.Errorf("%+v: slices %d cep %d ces %d; want %d %d %d", tt.in, e.Slices, e.CEPEventsPerAgent, e.CESEventsPerAgent, tt.slices, tt.cep, tt.ces)
		}
	}
	if _, err := EstimateCES(CESInput{Pods: 1, Namespaces: 0}); err == nil {
		t.Error("0 namespaces must fail")
	}
}
