package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/perflab/perflab/burner"
)

const benchConfig = `
jobs:
  - name: create-configmaps
    jobIterations: %d
    qps: %d
    burst: %d
    namespace: %s
    namespacedIterations: false
    preLoadImages: false
    verifyObjects: %v
    objects:
      - objectTemplate: cm.yaml
        replicas: 1
`

// buildPerflab builds the perflab binary once per benchmark process.
func buildPerflab(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "perflab")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/perflab")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("build perflab: %v", err)
	}
	return bin
}

// BenchmarkCreate10kConfigMaps runs `perflab init` as its own process against
// the test cluster (so the client's CPU and memory are its own) creating
// 10,000 ConfigMaps at qps 2000, burst 2000, and reports the achieved rate,
// the client's CPU seconds and its peak RSS.
func BenchmarkCreate10kConfigMaps(b *testing.B) {
	const n = 10000
	bin := buildPerflab(b)
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		writeFile(b, filepath.Join(dir, "cm.yaml"), configMapTemplate)
		cfg := filepath.Join(dir, "config.yaml")
		writeFile(b, cfg, fmt.Sprintf(benchConfig, n, 2000, 2000, fmt.Sprintf("bench-%d", i), true))
		uuid := fmt.Sprintf("bench-10k-%d-%d", time.Now().Unix(), i)
		args := []string{bin, "init", "-c", cfg, "--kubeconfig", testCluster.Kubeconfig(), "--uuid", uuid,
			"--metrics-directory", filepath.Join(dir, "out"), "--log-level", "warn"}
		cpu, rssKB := runMeasured(b, dir, args)
		var sums []burner.JobSummary
		readJSON(b, filepath.Join(dir, "out", "jobSummary.json"), &sums)
		if len(sums) != 1 || !sums[0].Passed {
			b.Fatalf("job summary: %+v", sums)
		}
		b.ReportMetric(float64(n)/sums[0].ElapsedTime, "objects/s")
		b.ReportMetric(cpu.Seconds(), "client-cpu-s")
		b.ReportMetric(float64(rssKB)/1024, "peak-rss-MB")
		b.ReportMetric(float64(cpu.Microseconds())/n, "client-cpu-µs/object")
		destroy(b, uuid)
	}
}

// BenchmarkRateAccuracy creates qps×6 ConfigMaps at qps 10, 100 and 500
// (burst 1, so the bucket sets the pace from the first call) and reports
// achieved/target.
func BenchmarkRateAccuracy(b *testing.B) {
	for _, qps := range []int{10, 100, 500} {
		b.Run(fmt.Sprintf("qps=%d", qps), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				writeFile(b, filepath.Join(dir, "cm.yaml"), configMapTemplate)
				cfg := filepath.Join(dir, "config.yaml")
				n := qps * 6
				writeFile(b, cfg, fmt.Sprintf(benchConfig, n, qps, 1, fmt.Sprintf("rate-%d-%d", qps, i), false))
				spec, err := burner.Load(cfg, burner.LoadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				r, err := burner.NewRunner(testEnv, spec, burner.Options{MetricsDir: filepath.Join(dir, "out")})
				if err != nil {
					b.Fatal(err)
				}
				rep, err := r.Run(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				j := rep.Jobs[0]
				// n calls through a bucket of 1 take (n-1)/qps seconds after the first.
				achieved := float64(j.Objects-1) / j.Elapsed.Seconds()
				b.ReportMetric(achieved, "achieved-qps")
				b.ReportMetric(achieved/float64(qps), "achieved/target")
				destroy(b, r.UUID())
			}
		})
	}
}

// runMeasured runs args and returns the process's CPU time and peak RSS (KB).
// It goes through GNU time when installed: a child started by this (large)
// test process would otherwise report the parent's RSS high-water mark,
// which Linux carries across the child's exec.
func runMeasured(b *testing.B, dir string, args []string) (time.Duration, int64) {
	b.Helper()
	if gnu, err := exec.LookPath("/usr/bin/time"); err == nil {
		out := filepath.Join(dir, "rusage")
		cmd := exec.Command(gnu, append([]string{"-f", "%M %U %S", "-o", out}, args...)...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("perflab init: %v", err)
		}
		var rss int64
		var user, sys float64
		raw, _ := os.ReadFile(out)
		if _, err := fmt.Sscanf(string(raw), "%d %f %f", &rss, &user, &sys); err != nil {
			b.Fatalf("GNU time output %q: %v", raw, err)
		}
		return time.Duration((user + sys) * float64(time.Second)), rss
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("perflab init: %v", err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss
}
