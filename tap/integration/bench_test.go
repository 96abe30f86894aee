package integration

import (
	"context"
	"sort"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/perflab/perflab/measure"
)

// BenchmarkTapOverhead measures the median latency of one GET of a small
// ConfigMap straight to the API server and through the tap, alternating
// the two on loopback, and reports both medians, the difference and the
// ratio. Target: the tap adds less than 1 ms to the median.
func BenchmarkTapOverhead(b *testing.B) {
	needCluster(b)
	ctx := context.Background()
	r := startTap(b)
	direct, err := kubernetes.NewForConfig(testCluster.RESTConfig())
	if err != nil {
		b.Fatal(err)
	}
	tapped := clientFor(b, r.kubeconfig, "tap-bench")
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "tap-bench"}, Data: map[string]string{"k": "v"}}
	if _, err := direct.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := direct.CoreV1().ConfigMaps("default").Delete(context.Background(), cm.Name, metav1.DeleteOptions{}); err != nil {
			b.Error(err)
		}
	})
	get := func(c kubernetes.Interface) time.Duration {
		start := time.Now()
		if _, err := c.CoreV1().ConfigMaps("default").Get(ctx, cm.Name, metav1.GetOptions{}); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for range 50 { // warm both connections
		get(direct)
		get(tapped)
	}
	d := make([]time.Duration, 0, b.N)
	p := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d = append(d, get(direct))
		p = append(p, get(tapped))
	}
	b.StopTimer()
	md, mp := median(d), median(p)
	b.ReportMetric(float64(md.Microseconds()), "direct-median-µs")
	b.ReportMetric(float64(mp.Microseconds()), "tap-median-µs")
	b.ReportMetric(float64((mp - md).Microseconds()), "added-median-µs")
	b.ReportMetric(float64(mp)/float64(md), "ratio")
}

func median(d []time.Duration) time.Duration {
	s := make([]float64, len(d))
	for i, v := range d {
		s[i] = float64(v)
	}
	sort.Float64s(s)
	return time.Duration(measure.Quantile(s, 0.5))
}
