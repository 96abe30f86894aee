package cilium

import (
	"path/filepath"
	"strings"
	"testing"
)

func findingsFor(t *testing.T, file string) map[string]Finding {
	t.Helper()
	v, err := LoadValues(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Finding{}
	for _, f := range CheckValues(v) {
		out[f.Key] = f
	}
	return out
}

func TestChartKeys(t *testing.T) {
	for _, k := range []string{"bpf.ctTcpMax", "bpf.mapDynamicSizeRatio", "bpf.distributedLRU.enabled", "ciliumEndpointSlice.rateLimits",
		"conntrackGCInterval", "enableIPv4BIGTCP", "podAnnotations.anything", "extraConfig.bpf-ct-timeout-regular-tcp", "operator.extraArgs"} {
		if !ChartHasKey(k) {
			t.Errorf("chart must have %s", k)
		}
	}
	for _, k := range []string{"bpf.mapPressure.enabled", "ciliumEndpointSlice.updateBatchSize", "ciliumEndpointSlice.endpointsPerSlice", "bpf.tcpFinTimeout"} {
		if ChartHasKey(k) {
			t.Errorf("chart must not have %s", k)
		}
	}
	if got := NearestKey("hubble.relya.enabled"); got != "hubble.relay.enabled" {
		t.Errorf("nearest of hubble.relya.enabled = %q", got)
	}
	if got := NearestKey("bpf.lbMapMx"); got != "bpf.lbMapMax" {
		t.Errorf("nearest of bpf.lbMapMx = %q", got)
	}
}

func TestCheckSeedValues(t *testing.T) {
	tests := []struct {
		file, key, severity, hint string
	}{
		{"seed-values-bpf-map-tuning.yaml", "bpf.mapPressure.evictionThreshold", "unknown", "map pressure is only a metric"},
		{"seed-values-bpf-map-tuning.yaml", "bpf.ctMapEntriesGlobalTCP", "unknown", "bpf.ctTcpMax"},
		{"seed-values-bpf-map-tuning.yaml", "bpf.sockMapMax", "unknown", "bpf-sock-rev-map-max"},
		{"seed-values-ct-optimize.yaml", "bpf.tcpFinTimeout", "unknown", "bpf-ct-timeout-regular-tcp-fin"},
		{"seed-values-ct-optimize.yaml", "bpf.ctGcInterval", "unknown", "conntrackGCInterval"},
		{"seed-values-ces-tuning.yaml", "ciliumEndpointSlice.updateBatchSize", "unknown", "ciliumEndpointSlice.rateLimits"},
		{"seed-values-ces-tuning.yaml", "ciliumEndpointSlice.endpointsPerSlice", "unknown", "ces-max-ciliumendpoints-per-ces"},
	}
	for _, tt := range tests {
		f, ok := findingsFor(t, tt.file)[tt.key]
		if !ok || f.Severity != tt.severity || !strings.Contains(f.Hint, tt.hint) {
			t.Errorf("%s %s: %+v", tt.file, tt.key, f)
		}
	}
	// Keys the chart has are not flagged.
	fs := findingsFor(t, "seed-values-bpf-map-tuning.yaml")
	for _, k := range []string{"bpf.mapDynamicSizeRatio", "bpf.policyMapMax", "bpf.lbMapMax"} {
		if f, ok := fs[k]; ok {
			t.Errorf("%s flagged: %+v", k, f)
		}
	}
	if len(fs) != 9 {
		t.Errorf("%d findings, want 9: %v", len(fs), fs)
	}
}

func TestCheckRemovedAndBigTCP(t *testing.T) {
	v := Values{}
	for _, s := range []string{"ciliumEndpointSlice.sliceMode=identity", "enableIPv4BIGTCP=true", "encryption.enabled=true"} {
		if err := v.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	by := map[string]Finding{}
	for _, f := range CheckValues(v) {
		by[f.Key] = f
	}
	if f := by["ciliumEndpointSlice.sliceMode"]; f.Severity != "fail" || !strings.Contains(f.Message, "removed in v1.18") {
		t.Errorf("sliceMode %+v", f)
	}
	if f := by["routingMode"]; f.Severity != "conflict" || !strings.Contains(f.Message, "BIG TCP is not supported in tunneling mode") {
		t.Errorf("routingMode %+v", f)
	}
	if f := by["encryption.enabled"]; !strings.Contains(f.Message, "BIG TCP is not supported with encryption enabled") {
		t.Errorf("encryption %+v", f)
	}
	ok := Values{}
	for _, s := range []string{"enableIPv4BIGTCP=true", "routingMode=native", "kubeProxyReplacement=true", "bpf.masquerade=true"} {
		if err := ok.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	if fs := CheckValues(ok); len(fs) != 0 {
		t.Errorf("clean BIG TCP setup flagged: %+v", fs)
	}
}
