package main

import (
	"os"
	"strings"
	"testing"

	"github.com/perflab/perflab/exitcode"
)

func TestCiliumMapsCommand(t *testing.T) {
	out, err := runCLI(t, "cilium", "maps", "--mem-total", "5036000kB", "--cpus", "7", "--ratio", "0.01", "--distributed-lru")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../cilium/testdata/golden/seed-ratio-0.01-lru.golden")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	for _, bad := range [][]string{
		{"cilium", "maps", "--mem-total", "16Gb2", "--cpus", "1"},
		{"cilium", "maps", "--mem-total", "16Gi", "--cpus", "1", "--ratio", "1.5"},
		{"cilium", "pressure", "-f", "/nonexistent/metrics.txt"},
		{"cilium", "ces", "--pods", "10", "--namespaces", "0"},
	} {
		_, err := runCLI(t, bad...)
		if err == nil || exitcode.Of(err) != exitcode.Error {
			t.Errorf("%s: err %v, code %d", strings.Join(bad, " "), err, exitcode.Of(err))
		}
	}
}

// TestFlagValues: bad --timeout and --uuid values are flag errors naming
// the flag, before any cluster is touched.
func TestFlagValues(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"init", "-c", "x.yaml", "--timeout", "-5s"}, `invalid argument "-5s" for "--timeout" flag: must not be negative`},
		{[]string{"init", "-c", "x.yaml", "--timeout", "soon"}, `invalid argument "soon" for "--timeout" flag: not a duration`},
		{[]string{"init", "-c", "x.yaml", "--uuid", ""}, `invalid argument "" for "--uuid" flag: must not be empty`},
		{[]string{"init", "-c", "x.yaml", "--uuid", "a b"}, `invalid argument "a b" for "--uuid" flag: it labels the run's objects, so it must be a valid label value`},
		{[]string{"destroy", "--uuid", ""}, `"--uuid" flag: must not be empty`},
		{[]string{"destroy", "--uuid", "x", "--timeout", "-1m"}, `"--timeout" flag: must not be negative`},
		{[]string{"cluster", "bench", "--timeout", "-1s"}, `"--timeout" flag: must not be negative`},
		{[]string{"cluster", "up", "--memory-limit", "7x"}, `invalid argument "7x" for "--memory-limit" flag: not a quantity of bytes`},
		{[]string{"cluster", "bench", "--memory-limit", "-1Gi"}, `"--memory-limit" flag: must not be negative`},
		{[]string{"cluster", "up", "--etcd-unsafe-no-fsync=maybe"}, `invalid argument "maybe" for "--etcd-unsafe-no-fsync" flag`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestCL2CommandLine: the seed guide's ClusterLoader2 command line, with
// CL2's common flags, checks the guide's own pod-startup config: it is
// accepted (warnings only), as CL2 accepted it.
func TestCL2CommandLine(t *testing.T) {
	out, err := runCLI(t, "cl2", "--dry-run", "--testconfig=../../cl2/testdata/seeds/pod-startup/pod-startup-config.yaml",
		"--provider=kind", "--v=2", "--report-dir="+t.TempDir(), "--enable-prometheus-server", "--tear-down-prometheus-server=false",
		"--prometheus-scrape-etcd", "--delete-stale-namespaces", "--port=8001", "--heap-profile-interval=1m", "--nodes=3",
		"--logtostderr", "--kubelet-port=10250", "--masterip=10.0.0.1", "--skip-cluster-verification")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "pod-startup-config.yaml: ok; it would make 1 namespaces, 50 actions: 50 creates") {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(out, "pod-startup-config.yaml:10: warning: tuningSets[0].qpsLoad.burst: unknown field, ignored as CL2 ignores it") {
		t.Errorf("the ignored burst field is not named:\n%s", out)
	}
	if _, err := runCLI(t, "cl2", "--dry-run", "--testconfig=x.yaml", "--no-such-flag"); err == nil || !strings.Contains(err.Error(), "unknown flag: --no-such-flag") {
		t.Errorf("a flag neither tool has: %v", err)
	}
}
