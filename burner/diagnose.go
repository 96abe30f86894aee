package burner

import (
	"context"
	"log/slog"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/wait"
)

// diagnoseTimeout bounds the diagnosis made after the run's deadline.
const diagnoseTimeout = 15 * time.Second

// diagnose explains the run's pods that are not Ready (wait.ExplainPods),
// with the run's advice for the node pod limit. Lines go to jr.diagnosis
// and the log.
func (jr *jobRun) diagnose(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	sel := labels.Set{kube.LabelRunID: jr.r.runID}.String()
	lines, err := wait.ExplainPods(ctx, jr.r.client.Typed, "", sel, jr.r.env.MaxPodsHint())
	if err != nil {
		slog.Warn("diagnosis", "err", err)
		return
	}
	jr.diagnosis = lines
	for _, l := range lines {
		slog.Warn("not ready: " + l)
	}
}
