package cluster

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// BenchOptions size a control-plane benchmark: Nodes hollow nodes, then
// one Deployment of Pods replicas.
type BenchOptions struct {
	Nodes int
	Pods  int
	// Timeout bounds the wait for every pod to be Ready.
	Timeout time.Duration
}

// BenchResult is what `perflab cluster bench` measures.
type BenchResult struct {
	Nodes            int           `json:"nodes"`
	Pods             int           `json:"pods"`
	APIReady         time.Duration `json:"apiReadyNs"`
	NodesReady       time.Duration `json:"nodesReadyNs"`
	IdleRSSBytes     int64         `json:"idleRssBytes"`
	PodsReady        time.Duration `json:"podsReadyNs"` // Deployment created → all replicas Ready
	PodsPerSecond    float64       `json:"podsPerSecond"`
	SchedulingPerSec float64       `json:"schedulingPodsPerSecond"` // first → last PodScheduled
	LoadedRSSBytes   int64         `json:"loadedRssBytes"`
	PeakRSSBytes     int64         `json:"peakRssBytes"`
}

// Bench starts a cluster, loads it, and measures. It owns the process's
// one cluster and stops it before returning.
func Bench(ctx context.Context, o BenchOptions) (BenchResult, error) {
	if o.Nodes <= 0 || o.Pods <= 0 {
		return BenchResult{}, fmt.Errorf("bench: --nodes and --pods must be positive")
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Minute
	}
	perNode := (o.Pods + o.Nodes - 1) / o.Nodes
	maxPods := max(DefaultMaxPods, perNode+perNode/5+10)
	c, err := Start(ctx, Options{Nodes: o.Nodes, MaxPods: maxPods})
	if err != nil {
		return BenchResult{}, err
	}
	defer c.Stop()
	res := BenchResult{Nodes: o.Nodes, Pods: o.Pods, APIReady: c.times.APIReady, NodesReady: c.times.NodesReady}
	time.Sleep(2 * time.Second) // let start-up work settle before reading idle RSS
	res.IdleRSSBytes = rss("VmRSS")

	client, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return res, err
	}
	if _, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "bench"}}, metav1.CreateOptions{}); err != nil {
		return res, err
	}
	labels := map[string]string{"app": "bench"}
	start := time.Now()
	_, err = client.AppsV1().Deployments("bench").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "bench"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(o.Pods)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "pause", Image: "registry.k8s.io/pause:3.10"}}},
			},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		return res, err
	}
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, o.Timeout, false, func(ctx context.Context) (bool, error) {
		d, err := client.AppsV1().Deployments("bench").Get(ctx, "bench", metav1.GetOptions{})
		return err == nil && int(d.Status.ReadyReplicas) == o.Pods, nil
	})
	if err != nil {
		return res, fmt.Errorf("bench: %d pods not Ready within %s: %w", o.Pods, o.Timeout, err)
	}
	res.PodsReady = time.Since(start)
	res.PodsPerSecond = float64(o.Pods) / res.PodsReady.Seconds()
	res.LoadedRSSBytes = rss("VmRSS")
	res.PeakRSSBytes = rss("VmHWM")
	pods, err := client.CoreV1().Pods("bench").List(ctx, metav1.ListOptions{})
	if err != nil {
		return res, err
	}
	res.SchedulingPerSec = schedulingRate(pods.Items)
	return res, nil
}

// schedulingRate is pods per second between the first and the last
// PodScheduled transition (second resolution, as the API stores it).
func schedulingRate(pods []corev1.Pod) float64 {
	var first, last time.Time
	n := 0
	for _, p := range pods {
		for _, cond := range p.Status.Conditions {
			if cond.Type != corev1.PodScheduled || cond.Status != corev1.ConditionTrue {
				continue
			}
			t := cond.LastTransitionTime.Time
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
			n++
		}
	}
	span := last.Sub(first).Seconds() + 1 // timestamps are truncated to seconds
	if n == 0 {
		return 0
	}
	return float64(n) / span
}

// rss reads a memory figure of this process from /proc/self/status in bytes.
func rss(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
