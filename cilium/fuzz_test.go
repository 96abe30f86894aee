package cilium

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fuzz targets check that bad input gives an error, never a panic.
// Their corpus is kept in testdata/fuzz/<FuzzName>.

func addSeedFiles(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, p := range files {
		if raw, err := os.ReadFile(p); err == nil {
			f.Add(string(raw))
		}
	}
}

func FuzzParseMemory(f *testing.F) {
	for _, s := range []string{"16Gi", "5036000kB", "5036000 kB", "1.5Gi", "", "9e99Ti", "18446744073709551615", "0.0000001Ti"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseMemory(s)
	})
}

func FuzzParseMetrics(f *testing.F) {
	addSeedFiles(f, "seed-metrics-*.txt")
	f.Add(fullMaps)
	f.Add("Metric Labels Value\ncilium_x  a=b c  1\n")
	f.Fuzz(func(t *testing.T, s string) {
		samples, err := ParseMetrics(strings.NewReader(s), "fuzz")
		if err != nil {
			return
		}
		_, _ = AnalyzePressure(samples, PressureOptions{})
	})
}

func FuzzParseStatusMaps(f *testing.F) {
	addSeedFiles(f, "seed-status-*.txt")
	f.Add("BPF Maps: dynamic sizing: on (ratio: 0.5)\n  Auth 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseStatusMaps(strings.NewReader(s), "fuzz")
	})
}

// FuzzMapsInputs drives --set, the chart rendering and the agent sizing.
func FuzzMapsInputs(f *testing.F) {
	f.Add("bpf.ctTcpMax=1000000", "0.01", uint64(5036000*1024), 7)
	f.Add("extraConfig.bpf-nat-global-max=3", "0", uint64(1<<40), 1)
	f.Add("bpf.distributedLRU.enabled=true,bpf.mapDynamicSizeRatio=1", "1", uint64(1)<<62, 3)
	f.Fuzz(func(t *testing.T, set, ratio string, mem uint64, cpus int) {
		v := Values{}
		if err := v.Set(set); err != nil {
			return
		}
		if r, err := ParseRatio(ratio); err == nil {
			_ = v.Set("bpf.mapDynamicSizeRatio=" + FormatRatio(r))
		}
		cfg, _ := RenderAgentConfig(v)
		_ = CheckValues(v)
		s, err := ComputeSizes(cfg, Node{MemTotalBytes: mem, PossibleCPUs: cpus})
		if err != nil {
			return
		}
		if len(s.Rows()) != 22 {
			t.Fatalf("%d rows", len(s.Rows()))
		}
	})
}
