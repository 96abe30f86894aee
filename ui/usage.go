package ui

import (
	"context"
	"encoding/json"
	"time"

	"k8s.io/client-go/rest"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// nodeMetricsPath is metrics.k8s.io's node list, what `kubectl top nodes`
// reads.
const nodeMetricsPath = "/apis/metrics.k8s.io/v1beta1/nodes"

// pollUsage reads node usage from metrics.k8s.io every interval into m until
// ctx ends; while the API does not answer, the model has no usage.
func pollUsage(ctx context.Context, rc rest.Interface, m *Model, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		m.SetUsage(readUsage(ctx, rc))
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func readUsage(ctx context.Context, rc rest.Interface) map[string]Usage {
	raw, err := rc.Get().AbsPath(nodeMetricsPath).Do(ctx).Raw()
	if err != nil {
		return nil
	}
	var list metricsv1beta1.NodeMetricsList
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil
	}
	out := make(map[string]Usage, len(list.Items))
	for _, n := range list.Items {
		out[n.Name] = Usage{CPUMilli: n.Usage.Cpu().MilliValue(), MemoryBytes: n.Usage.Memory().Value()}
	}
	return out
}
