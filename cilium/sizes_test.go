package cilium

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perflab/perflab/internal/golden"
)

// seedMemTotal is the seed node's MemTotal. The seed only says the node has
// about 4.8 GiB; any MemTotal from 5,035,873 kB to 5,036,039 kB gives the
// seed's 180943/90475 at ratio 0.01 with 7 CPUs (TestSeedMemTotalRange
// derives the range), so "5,036,000 kB" is a representative inside it.
const seedMemTotal = "5036000kB"

func runMaps(t *testing.T, o MapsOptions) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := RunMaps(context.Background(), o, &out, &errOut)
	return out.String(), errOut.String(), err
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name+".golden"), []byte(got))
}

func TestMapsGolden(t *testing.T) {
	tests := []struct {
		name string
		o    MapsOptions
	}{
		{"seed-ratio-0.0025", MapsOptions{MemTotal: seedMemTotal, CPUs: 7}},
		{"seed-ratio-0.01-lru", MapsOptions{MemTotal: seedMemTotal, CPUs: 7, Ratio: "0.01", DistributedLRU: true}},
		{"16Gi-4cpu", MapsOptions{MemTotal: "16Gi", CPUs: 4}},
		{"16Gi-4cpu-json", MapsOptions{MemTotal: "16Gi", CPUs: 4, JSON: true}},
		{"override-ct", MapsOptions{MemTotal: "16Gi", CPUs: 4, Sets: []string{"bpf.ctTcpMax=1000000", "bpf.lbMapMax=131072"}}},
		{"ratio-off", MapsOptions{MemTotal: "16Gi", CPUs: 4, AgentFlags: []string{"bpf-map-dynamic-size-ratio=0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := runMaps(t, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.name, out)
		})
	}
}

// TestSeedStatus compares the computed table with the seed's own
// `cilium status --verbose` excerpts, row by row.
func TestSeedStatus(t *testing.T) {
	for _, tt := range []struct {
		file string
		o    MapsOptions
	}{
		// The seed's first run: chart defaults (ratio 0.0025, no distributed LRU).
		{"seed-status-0.0025.txt", MapsOptions{MemTotal: seedMemTotal, CPUs: 7}},
		// After --set bpf.distributedLRU.enabled=true --set bpf.mapDynamicSizeRatio=0.01.
		{"seed-status-0.01.txt", MapsOptions{MemTotal: seedMemTotal, CPUs: 7, Sets: []string{"bpf.distributedLRU.enabled=true", "bpf.mapDynamicSizeRatio=0.01"}}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			seed, err := ParseStatusMaps(f, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			cfg, node, _, err := tt.o.Inputs()
			if err != nil {
				t.Fatal(err)
			}
			s, err := ComputeSizes(cfg, node)
			if err != nil {
				t.Fatal(err)
			}
			if seed.Ratio != s.DynamicSizeRatio {
				t.Errorf("ratio: seed %v, computed %v", seed.Ratio, s.DynamicSizeRatio)
			}
			if len(seed.Rows) < 11 {
				t.Fatalf("parsed only %d rows from the seed", len(seed.Rows))
			}
			for _, r := range seed.Rows {
				if got := s.Size(r.Name); got != r.Size {
					t.Errorf("%s: seed %d, computed %d", r.Name, r.Size, got)
				}
			}
			if tt.file == "seed-status-0.0025.txt" {
				rows := s.Rows()
				if len(rows) != len(seed.Rows) {
					t.Fatalf("rows: seed %d, computed %d", len(seed.Rows), len(rows))
				}
				for i := range rows {
					if rows[i].Name != seed.Rows[i].Name {
						t.Errorf("row %d: seed %q, computed %q", i, seed.Rows[i].Name, rows[i].Name)
					}
				}
			}
		})
	}
}

// TestSeedMemTotalRange finds every MemTotal (in kB, as /proc/meminfo has
// it) that reproduces the seed's ratio-0.01 numbers. entries =
// 524288*M/149422080 = M/285 for CT TCP and NAT and M/570 for CT any and
// sock rev NAT (M = int(MemTotal*0.01)), then rounded up to 7: TCP needs
// M/285 in [180937,180943], any needs M/570 in [90469,90475].
func TestSeedMemTotalRange(t *testing.T) {
	lo, hi := uint64(0), uint64(0)
	for kb := uint64(5030000); kb <= 5040000; kb++ {
		cfg := AgentConfig{OptDynamicSizeRatio: "0.01", OptDistributedLRU: "true"}
		s, err := ComputeSizes(cfg, Node{MemTotalBytes: kb * 1024, PossibleCPUs: 7})
		if err != nil {
			t.Fatal(err)
		}
		if s.CTTCP == 180943 && s.CTAny == 90475 && s.NAT == 180943 && s.Neigh == 180943 && s.SockRev == 90475 {
			if lo == 0 {
				lo = kb
			}
			hi = kb
		}
	}
	if lo != 5035873 || hi != 5036039 {
		t.Errorf("seed MemTotal range = [%d, %d] kB, want [5035873, 5036039]", lo, hi)
	}
}

// TestSizesByHand checks points worked out by hand from the formula.
func TestSizesByHand(t *testing.T) {
	if got := DefaultMapBytes(); got != 285*524288 {
		t.Fatalf("default map bytes = %d, want 149422080 (= 285 x 524288)", got)
	}
	tests := []struct {
		name                       string
		mem                        uint64
		cpus                       int
		cfg                        AgentConfig
		tcp, any, nat, neigh, sock int
		stats                      int
	}{
		// 16Gi x 0.0025 = 42949672 (int of 42949672.96); /285 = 150700, /570 = 75350.
		{"16Gi", 16 << 30, 4, AgentConfig{}, 150700, 75350, 150700, 150700, 75350, 65536},
		// 30Gi x 0.0025 = 80530636; /285 = 282563, /570 = 141281. (The table in
		// Documentation/network/ebpf/maps.rst says 284560 for 30 GiB: it
		// predates the current element sizes, so it is not a test oracle.)
		{"30Gi", 30 << 30, 8, AgentConfig{}, 282563, 141281, 282563, 282563, 141281, 65536},
		// Below the minimums with 7 CPUs and distributed LRU: roundup(131072,7) = 131075,
		// roundup(65536,7) = 65541; policy stats rounddown(65536,7) = 65534.
		{"min-lru-7", 4 << 30, 7, AgentConfig{OptDistributedLRU: "true"}, 131075, 65541, 131075, 131075, 65541, 65534},
		// Ratio 1 on 1Ti: far above 1<<24, so every dynamic map is capped;
		// with LRU on 7 CPUs rounddown(16777216, 7) = 16777215.
		{"max-lru-7", 1 << 40, 7, AgentConfig{OptDynamicSizeRatio: "1", OptDistributedLRU: "true"}, 16777215, 16777215, 16777215, 16777215, 16777215, 65534},
		// The seed's other node (cilium_bpf_map_capacity ct_any4_global = 73729, free -h 15Gi):
		// MemTotal 16416223 kB -> M = int(16810212352*0.0025) = 42025530; /570 = 73729, /285 = 147458.
		{"seed-capacity-73729", 16416223 * 1024, 1, AgentConfig{}, 147458, 73729, 147458, 147458, 73729, 65536},
		// Explicit CT sizes win; NAT would exceed (TCP+any) and is capped to 2/3 of it.
		{"nat-cap", 16 << 30, 1, AgentConfig{OptCTTCPMax: "2000", OptCTAnyMax: "2000"}, 2000, 2000, 2666, 2666, 75350, 65536},
		// Dynamic sizing off: flag defaults; NAT default is 2/3 of 768Ki = 524288.
		{"off", 16 << 30, 1, AgentConfig{OptDynamicSizeRatio: "0"}, 524288, 262144, 524288, 524288, 262144, 65536},
		// Off and CT shrunk by hand: NAT still at its default is auto-sized in checkMapSizeLimits.
		{"off-small-ct", 16 << 30, 1, AgentConfig{OptDynamicSizeRatio: "0", OptCTTCPMax: "3000", OptCTAnyMax: "3000"}, 3000, 3000, 4000, 524288, 262144, 65536},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ComputeSizes(tt.cfg, Node{MemTotalBytes: tt.mem, PossibleCPUs: tt.cpus})
			if err != nil {
				t.Fatal(err)
			}
			got := []int{s.CTTCP, s.CTAny, s.NAT, s.Neigh, s.SockRev, s.PolicyStats}
			want := []int{tt.tcp, tt.any, tt.nat, tt.neigh, tt.sock, tt.stats}
			for i, n := range []string{"tcp", "any", "nat", "neigh", "sockrev", "policy stats"} {
				if got[i] != want[i] {
					t.Errorf("%s = %d, want %d", n, got[i], want[i])
				}
			}
		})
	}
}

func TestSizesAgentErrors(t *testing.T) {
	node := Node{MemTotalBytes: 16 << 30, PossibleCPUs: 4}
	tests := []struct {
		cfg  AgentConfig
		want string
	}{
		{AgentConfig{OptDynamicSizeRatio: "-0.1"}, "specified dynamic map size ratio -0.100000 must be > 0.0"},
		{AgentConfig{OptDynamicSizeRatio: "1.5"}, "specified dynamic map size ratio 1.500000 must be ≤ 1.0"},
		{AgentConfig{OptDynamicSizeRatio: "0", OptDistributedLRU: "true"}, "distributed LRU is only valid with a specified dynamic map size ratio"},
		{AgentConfig{OptCTTCPMax: "100"}, "specified CT tables values 100/75350 must be greater or equal to 1024"},
		{AgentConfig{OptCTAnyMax: "16777217"}, "specified CT tables values 150700/16777217 must not exceed maximum 16777216"},
		{AgentConfig{OptNATMax: "1000"}, "specified NAT table size 1000 must be greater or equal to 1024"},
		{AgentConfig{OptCTTCPMax: "2000", OptCTAnyMax: "2000", OptNATMax: "300000"}, "specified NAT tables size 300000 must not exceed maximum CT table size 4000"},
		{AgentConfig{OptAuthMapMax: "10"}, "specified AuthMap max entries 10 must be greater or equal to 256"},
		{AgentConfig{OptFragmentsMax: "70000"}, "specified max entries 70000 for fragment-tracking map must not exceed maximum 65536"},
		{AgentConfig{OptLBMapMax: "0"}, "specified LBMap max entries 0 must be a value greater than 0"},
		{AgentConfig{OptSockRevMapMax: "10"}, "specified Socket Reverse NAT table size 10 must be greater or equal to 1024"},
		{AgentConfig{OptCTTCPMax: "lots"}, `option bpf-ct-global-tcp-max: "lots" is not an integer`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ComputeSizes(tt.cfg, node)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// Out-of-range ratios and sizes are agent refusals; bad syntax is not.
	_, err := ComputeSizes(AgentConfig{OptDynamicSizeRatio: "2"}, node)
	if !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("ratio 2: %v is not ErrInvalidConfig", err)
	}
}

func TestSizesWarnings(t *testing.T) {
	s, err := ComputeSizes(AgentConfig{OptPolicyMapMax: "100", OptPolicyStatsMapMax: "99999999"}, Node{MemTotalBytes: 1 << 30, PossibleCPUs: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Policy map clamped to 256; stats to 1<<24 then rounddown(16777216,3) = 16777215.
	if s.Policy != 256 || s.PolicyStats != 16777215 || len(s.Warnings) != 2 {
		t.Errorf("policy %d stats %d warnings %q", s.Policy, s.PolicyStats, s.Warnings)
	}
}

func TestHelmRatioQuirk(t *testing.T) {
	out, errOut, err := runMaps(t, MapsOptions{MemTotal: "16Gi", CPUs: 4, Ratio: "0"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "dynamic sizing: on (ratio: 0.002500)") || !strings.Contains(errOut, "renders as 0.0025") {
		t.Errorf("ratio 0 must render as 0.0025 with a note:\n%s\n%s", out, errOut)
	}
	for _, bad := range []struct{ ratio, want string }{
		{"-1", "must be > 0.0"}, {"1.01", "must be ≤ 1.0"}, {"abc", "not a number"},
	} {
		if _, _, err := runMaps(t, MapsOptions{MemTotal: "16Gi", CPUs: 4, Ratio: bad.ratio}); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("--ratio %s: err = %v, want %q", bad.ratio, err, bad.want)
		}
	}
	if _, _, err := runMaps(t, MapsOptions{MemTotal: "16 parsecs", CPUs: 4}); err == nil || !strings.Contains(err.Error(), `unknown unit "parsecs"`) {
		t.Errorf("bad unit: %v", err)
	}
}

func TestRenderAgentConfig(t *testing.T) {
	v := Values{}
	for _, s := range []string{"bpf.ctTcpMax=1000000", "bpf.natMax=0", "bpf.mapDynamicSizeRatio=0.01", "extraConfig.bpf-sock-rev-map-max=70000", "bpf.distributedLRU.enabled=true"} {
		if err := v.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ := RenderAgentConfig(v)
	want := AgentConfig{
		OptCTTCPMax: "1000000", OptDynamicSizeRatio: "0.01", OptSockRevMapMax: "70000", OptDistributedLRU: "true",
		OptPolicyMapMax: "16384", OptPolicyStatsMapMax: "65536", OptLBMapMax: "65536",
	}
	if len(cfg) != len(want) {
		t.Errorf("rendered %v, want %v", cfg, want)
	}
	for k, w := range want {
		if cfg[k] != w {
			t.Errorf("%s = %q, want %q", k, cfg[k], w)
		}
	}
	if err := v.Set("=1"); err == nil {
		t.Error("--set =1 must fail")
	}
}

func TestMapsCompare(t *testing.T) {
	o := MapsOptions{MemTotal: seedMemTotal, CPUs: 7, Compare: "testdata/seed-status-0.0025.txt"}
	out, _, err := runMaps(t, o)
	if err != nil || !strings.Contains(out, "compared with testdata/seed-status-0.0025.txt: 22 rows, 0 differ") {
		t.Fatalf("err %v\n%s", err, out)
	}
	// A 64 GiB node would not have printed the seed's table: 171798691/285 = 602802.
	o.MemTotal = "64Gi"
	out, _, err = runMaps(t, o)
	if err == nil || !strings.Contains(out, "TCP connection tracking: status 131072, computed 602802") {
		t.Fatalf("err %v\n%s", err, out)
	}
}

// TestMapsBadNumbers: inputs that used to pass with nonsense output
// (policy stats 0, an overflowed size, dynamic sizing silently off) are
// refused with the bounds the agent accepts.
func TestMapsBadNumbers(t *testing.T) {
	tests := []struct {
		name string
		o    MapsOptions
		want string
	}{
		{"cpus beyond NR_CPUS", MapsOptions{CPUs: 100000000}, "--cpus 100000000: possible CPUs must be 1 to 8192"},
		{"negative cpus", MapsOptions{CPUs: -1}, "--cpus -1: possible CPUs must be 1 to 8192"},
		{"ct size overflows", MapsOptions{CPUs: 4, Sets: []string{"bpf.ctTcpMax=1e30"}}, `option bpf-ct-global-tcp-max: "1e30" is out of range: the agent accepts 1024 to 16777216`},
		{"int64 overflow", MapsOptions{CPUs: 4, AgentFlags: []string{"bpf-lb-map-max=99999999999999999999"}}, `option bpf-lb-map-max: "99999999999999999999" is out of range: the agent takes a 64-bit integer`},
		{"fraction truncates as in Helm", MapsOptions{CPUs: 4, Sets: []string{"bpf.ctTcpMax=1000.5"}}, "specified CT tables values 1000/75350 must be greater or equal to 1024"},
		{"agent flag fraction", MapsOptions{CPUs: 4, AgentFlags: []string{"bpf-ct-global-tcp-max=1000.5"}}, `"1000.5" is not an integer`},
		{"ratio NaN", MapsOptions{CPUs: 4, Ratio: "NaN"}, `--ratio "NaN": not a number`},
		{"ratio Inf", MapsOptions{CPUs: 4, Ratio: "+Inf"}, `--ratio "+Inf": not a number`},
		{"ratio NaN by --set", MapsOptions{CPUs: 4, Sets: []string{"bpf.mapDynamicSizeRatio=NaN"}}, `"NaN" is not a finite number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.MemTotal = "16Gi"
			var out bytes.Buffer
			err := RunMaps(context.Background(), tc.o, &out, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q; output:\n%s", err, tc.want, out.String())
			}
		})
	}
}
