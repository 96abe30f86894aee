package burner

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/perflab/perflab/kube"
)

// startWatchers opens the job's watchers: for each, replicas list-watches
// (cluster-wide, filtered by the label selector; objects are counted, not
// kept) held open until the job ends, as the extra watch load kube-burner's
// watchers put on the API server. They use their own client, outside the job's rate limit.
// stop closes them and returns how many events each saw.
func (jr *jobRun) startWatchers(ctx context.Context) (stop func() []WatcherResult, err error) {
	if len(jr.job.Watchers) == 0 {
		return func() []WatcherResult { return nil }, nil
	}
	cfg := rest.CopyConfig(jr.r.client.Config)
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("watchers: %w", err)
	}
	wctx, cancel := context.WithCancel(ctx)
	type started struct {
		w      Watcher
		events atomic.Int64
	}
	var all []*started
	for _, w := range jr.job.Watchers {
		m, err := jr.r.client.Map(apiVersionOr(w.APIVersion), w.Kind)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("watcher %s: %w", w.Kind, err)
		}
		s := &started{w: w}
		all = append(all, s)
		sel := labels.Set(w.LabelSelector).String()
		res := client.Resource(m.GVR)
		for range max(w.Replicas, 1) {
			// Each replica is its own list and watch; the objects are
			// counted, not kept.
			lw := kube.ListWatch(client, func(o *metav1.ListOptions) { o.LabelSelector = sel },
				func(ctx context.Context, o metav1.ListOptions) (k8sruntime.Object, error) { return res.List(ctx, o) }, res.Watch)
			sink := &kube.Sink{Observe: func(any) { s.events.Add(1) }, Deleted: func(string) { s.events.Add(1) }}
			go func() { _ = kube.Reflect(wctx, "watcher "+w.Kind, lw, &unstructured.Unstructured{}, sink) }()
		}
		slog.Info("watcher started", "job", jr.job.Name, "kind", w.Kind, "selector", sel, "replicas", max(w.Replicas, 1))
	}
	return func() []WatcherResult {
		cancel()
		out := make([]WatcherResult, 0, len(all))
		for _, s := range all {
			r := WatcherResult{Kind: s.w.Kind, Replicas: max(s.w.Replicas, 1), Events: s.events.Load()}
			slog.Info("watcher stopped", "job", jr.job.Name, "kind", r.Kind, "replicas", r.Replicas, "events", r.Events)
			out = append(out, r)
		}
		return out
	}, nil
}
