package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/perflab/perflab/clusterbench"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/progress"
)

// BenchOptions size a control-plane benchmark: Nodes hollow nodes, then
// Pods replicas in Deployments of at most DeploymentSize, each in a
// namespace of its own.
type BenchOptions struct {
	Nodes int
	Pods  int
	// DeploymentSize caps the replicas of one Deployment (0: one Deployment
	// of every pod). The scheduler's default topology spreading counts, for
	// each pod, the pods of its owner on every node, so one huge Deployment
	// costs O(pods²) in all; real workloads are many smaller ones.
	DeploymentSize int
	// Timeout bounds the wait for every pod to be Ready.
	Timeout time.Duration
	// Cluster is the base of the cluster's options (knobs); Bench sets its
	// Nodes and raises MaxPods to fit Pods.
	Cluster Options
	// ProfileDir, when set, receives a heap profile once the nodes are
	// Ready, a CPU profile of the load phase and a heap profile at its end.
	ProfileDir string
	// Progress receives a progress line every two seconds during the load.
	Progress io.Writer
}

// DefaultDeploymentSize is the replicas of one benchmark Deployment.
const DefaultDeploymentSize = 1000

// benchLabel marks the benchmark's namespaces and pods.
const benchLabel = "perflab.io/bench"

// benchDeployments splits pods into Deployment sizes of at most size.
func benchDeployments(pods, size int) []int {
	if size <= 0 || size >= pods {
		return []int{pods}
	}
	out := make([]int, 0, (pods+size-1)/size)
	for left := pods; left > 0; left -= size {
		out = append(out, min(size, left))
	}
	return out
}

// Bench starts a cluster, loads it, and measures. It owns the process's
// one cluster and stops it before returning.
func Bench(ctx context.Context, o BenchOptions) (_ clusterbench.Result, err error) {
	if o.Nodes <= 0 || o.Pods <= 0 {
		return clusterbench.Result{}, fmt.Errorf("bench: --nodes and --pods must be positive")
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Minute
	}
	perNode := (o.Pods + o.Nodes - 1) / o.Nodes
	co := o.Cluster
	co.Nodes = o.Nodes
	co.MaxPods = max(co.MaxPods, DefaultMaxPods, perNode+perNode/5+10)
	c, err := Start(ctx, co)
	if err != nil {
		return clusterbench.Result{}, err
	}
	defer func() {
		if serr := c.Stop(); serr != nil {
			err = errors.Join(err, serr)
		}
	}()
	res := clusterbench.Result{Nodes: o.Nodes, Pods: o.Pods, APIReady: c.times.APIReady, NodesReady: c.times.NodesReady}
	time.Sleep(2 * time.Second) // let start-up work settle before reading idle RSS
	res.IdleRSSBytes = rss("VmRSS")
	if o.ProfileDir != "" {
		if err := os.MkdirAll(o.ProfileDir, 0o755); err != nil {
			return res, fmt.Errorf("bench: --profile: %w", err)
		}
		p, err := writeHeapProfile(o.ProfileDir, HeapNodesReadyProfile)
		if err != nil {
			return res, err
		}
		res.Profiles = append(res.Profiles, p)
	}
	err = benchLoad(ctx, c, o, &res)
	return res, err
}

// benchLoad creates the Deployment and measures until every pod is Ready.
func benchLoad(ctx context.Context, c *Cluster, o BenchOptions, res *clusterbench.Result) error {
	client, err := kubernetes.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	sizes := benchDeployments(o.Pods, o.DeploymentSize)
	for i := range sizes {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNamespaceName(i), Labels: map[string]string{benchLabel: "true"}}}
		if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	apiTarget, err := metrics.RESTTarget(c.RESTConfig(), "/metrics")
	if err != nil {
		return err
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	var rep atomic.Pointer[progress.Reporter] // set when the load starts
	pods, err := watchPods(watchCtx, client, benchLabel+"=true", func(n int64) {
		if r := rep.Load(); r != nil {
			r.Add(n)
		}
	})
	if err != nil {
		return err
	}
	before, err := metrics.Scrape(ctx, apiTarget)
	if err != nil {
		return fmt.Errorf("bench: API server metrics before the load: %w", err)
	}
	stopCPU := func() error { return nil }
	if o.ProfileDir != "" {
		var p string
		if p, stopCPU, err = startCPUProfile(o.ProfileDir, CPULoadProfile); err != nil {
			return err
		}
		res.Profiles = append(res.Profiles, p)
	}
	start := time.Now()
	r := progress.New(progress.Options{Name: "bench pods Ready", Unit: "pods", Total: int64(o.Pods), Out: o.Progress, Detail: func() string {
		return fmt.Sprintf("created %d, scheduled %d, RSS %d MiB", pods.created.Load(), pods.scheduled.Load(), rss("VmRSS")>>20)
	}})
	rep.Store(r)
	stopProgress := r.Start(ctx)
	tl := startTimeline(ctx, start, pods)
	if err := createBenchDeployments(ctx, client, sizes); err != nil {
		stopProgress()
		_ = stopCPU()
		return err
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, o.Timeout, true, func(ctx context.Context) (bool, error) {
		return pods.ready.Load() >= int64(o.Pods), nil
	})
	res.PodsReady = time.Since(start)
	stopProgress()
	res.Timeline = tl.stop(pods)
	if cerr := stopCPU(); err == nil {
		err = cerr
	}
	if err != nil {
		// The wait ends on the timeout or on Ctrl-C (context canceled): say
		// how long it ran either way.
		return fmt.Errorf("bench: %d of %d pods Ready after %s (timeout %s): %w", pods.ready.Load(), o.Pods, res.PodsReady.Round(time.Second), o.Timeout, err)
	}
	res.PodsPerSecond = float64(o.Pods) / res.PodsReady.Seconds()
	res.SchedulingPerSec = pods.schedulingRate()
	res.LoadedRSSBytes = rss("VmRSS")
	res.PeakRSSBytes = rss("VmHWM")
	after, err := metrics.Scrape(ctx, apiTarget)
	if err != nil {
		return fmt.Errorf("bench: API server metrics after the load: %w", err)
	}
	delta := metrics.Delta(before, after)
	res.APICalls = clusterbench.APICallsOf(measure.APICallsFromDelta(delta))
	res.Scheduler = clusterbench.SchedulerOf(delta)
	if o.ProfileDir != "" {
		p, err := writeHeapProfile(o.ProfileDir, HeapLoadedProfile)
		if err != nil {
			return err
		}
		res.Profiles = append(res.Profiles, p)
	}
	return nil
}

func benchNamespaceName(i int) string { return fmt.Sprintf("bench-%d", i) }

// createBenchDeployments creates Deployment "bench" of sizes[i] replicas in
// namespace bench-i, one after another (each is one API call; the
// controllers create the pods).
func createBenchDeployments(ctx context.Context, client kubernetes.Interface, sizes []int) error {
	for i, n := range sizes {
		labels := map[string]string{"app": "bench", benchLabel: "true"}
		_, err := client.AppsV1().Deployments(benchNamespaceName(i)).Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "bench"},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To(int32(n)),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "pause", Image: "registry.k8s.io/pause:3.10"}}},
				},
			},
		}, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("bench: create Deployment %s/bench: %w", benchNamespaceName(i), err)
		}
	}
	return nil
}

// timeline samples the pod counts and RSS once a second.
type timeline struct {
	start   time.Time
	mu      sync.Mutex
	samples []clusterbench.Sample
	cancel  context.CancelFunc
	done    chan struct{}
}

func startTimeline(ctx context.Context, start time.Time, pods *podCounter) *timeline {
	ctx, cancel := context.WithCancel(ctx)
	tl := &timeline{start: start, cancel: cancel, done: make(chan struct{})}
	tl.add(pods) // zero pods, at the start
	go func() {
		defer close(tl.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				tl.add(pods)
			}
		}
	}()
	return tl
}

func (tl *timeline) add(pods *podCounter) {
	s := clusterbench.Sample{Elapsed: time.Since(tl.start), Created: int(pods.created.Load()), Scheduled: int(pods.scheduled.Load()),
		Ready: int(pods.ready.Load()), RSSBytes: rss("VmRSS")}
	tl.mu.Lock()
	tl.samples = append(tl.samples, s)
	tl.mu.Unlock()
}

// stop ends the sampling with a last sample and returns them all.
func (tl *timeline) stop(pods *podCounter) []clusterbench.Sample {
	tl.cancel()
	<-tl.done
	tl.add(pods)
	return tl.samples
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
