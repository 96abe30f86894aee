package cl2

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/perflab/perflab/wait"
)

// defaultFinishedJobsTimeout is CL2's WaitForFinishedJobs gather timeout.
const defaultFinishedJobsTimeout = 10 * time.Minute

var jobsGVR = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}

// waitForFinishedJobs is CL2's WaitForFinishedJobs on the shared waiter:
// start takes the selector, gather waits (timeout, default 10m) until every
// selected Job has its Complete or Failed condition True, and fails naming
// the Jobs that did not finish.
type waitForFinishedJobs struct {
	sel     podSelector
	started bool
}

func newWaitForFinishedJobs() measurement { return &waitForFinishedJobs{} }

func (m *waitForFinishedJobs) dispose() {}

func (m *waitForFinishedJobs) execute(ctx context.Context, e *env, c call) (*outcome, error) {
	switch c.action {
	case "start":
		m.sel, m.started = selectorOf(c.params), true
		return nil, nil
	case "gather":
		if !m.started {
			return nil, fmt.Errorf("%s %q: gather before start", c.method, c.identifier)
		}
		wctx, cancel := context.WithTimeout(ctx, c.params.Duration("timeout", defaultFinishedJobsTimeout))
		defer cancel()
		st, err := wait.Until(wctx, e.dynamic, wait.Target{GVR: jobsGVR, Namespace: m.sel.Namespace, Selector: m.sel.Labels,
			FieldSelector: m.sel.Fields, Ready: jobFinished}, e.waitProgress)
		if err != nil {
			return nil, fmt.Errorf("%d Jobs timed out: %s: %w", st.Total-st.Ready, strings.Join(st.NotReady, ", "), err)
		}
		slog.Info(fmt.Sprintf("%s: %d/%d Jobs finished", c.method, st.Ready, st.Total))
		return nil, nil
	}
	return nil, fmt.Errorf("unknown action %q", c.action)
}

// jobFinished reports a Job whose Complete or Failed condition is True.
func jobFinished(u *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if (m["type"] == "Complete" || m["type"] == "Failed") && m["status"] == "True" {
			return true
		}
	}
	return false
}
