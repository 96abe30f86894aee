package burner

import (
	"fmt"
	"slices"
	"strings"
)

// Hook stages, in kube-burner's names.
const (
	HookBeforeJobExecution = "beforeJobExecution"
	HookAfterJobExecution  = "afterJobExecution"
	HookOnEachIteration    = "onEachIteration"
	HookBeforeChurn        = "beforeChurn"
	HookAfterChurn         = "afterChurn"
	HookBeforeCleanup      = "beforeCleanup"
	HookAfterCleanup       = "afterCleanup"
	HookBeforeGC           = "beforeGC"
	HookAfterGC            = "afterGC"
)

var hookStages = []string{HookBeforeJobExecution, HookAfterJobExecution, HookOnEachIteration,
	HookBeforeChurn, HookAfterChurn, HookBeforeCleanup, HookAfterCleanup, HookBeforeGC, HookAfterGC}

// Incremental load patterns.
const (
	PatternLinear      = "linear"
	PatternExponential = "exponential"
)

// validateV2Job checks the kube-burner v2 job features: hooks, watchers,
// incrementalLoad and repeatEveryNIterations.
func validateV2Job(j *Job, p string, at func(string, string, ...any) error) error {
	for i, h := range j.Hooks {
		hp := fmt.Sprintf("%s.hooks[%d]", p, i)
		if len(h.Cmd) == 0 || h.Cmd[0] == "" {
			return at(hp+".cmd", "required: the command and its arguments")
		}
		if !slices.Contains(hookStages, h.When) {
			return at(hp+".when", "unknown stage %q (want one of %s)", h.When, strings.Join(hookStages, ", "))
		}
	}
	for i, w := range j.Watchers {
		wp := fmt.Sprintf("%s.watchers[%d]", p, i)
		if w.Kind == "" {
			return at(wp+".kind", "required")
		}
		if w.Replicas < 0 {
			return at(wp+".replicas", "must not be negative")
		}
	}
	if il := j.IncrementalLoad; il != nil {
		ip := p + ".incrementalLoad"
		if j.JobType != CreateJob {
			return at(ip, "only create jobs grow incrementally (job %s is %s)", j.Name, j.JobType)
		}
		if j.ChurnEnabled() {
			return at(ip, "cannot be combined with churn")
		}
		if il.StartIterations < 0 || il.TotalIterations < 0 || il.StepDelay < 0 {
			return at(ip, "startIterations, totalIterations and stepDelay must not be negative")
		}
		switch il.Pattern.Type {
		case "", PatternLinear:
			if l := il.Pattern.Linear; l != nil && (l.StepSize < 0 || l.MinSteps < 0) {
				return at(ip+".pattern.linear", "stepSize and minSteps must not be negative")
			}
		case PatternExponential:
			if e := il.Pattern.Exponential; e != nil && (e.Base < 0 || e.MaxIncrease < 0 || e.WarmupSteps < 0) {
				return at(ip+".pattern.exponential", "base, maxIncrease and warmupSteps must not be negative")
			}
		default:
			return at(ip+".pattern.type", "unknown pattern %q (want linear or exponential)", il.Pattern.Type)
		}
	}
	for k, o := range j.Objects {
		op := fmt.Sprintf("%s.objects[%d]", p, k)
		if o.Group.ID > 0 {
			return at(op+".group", "grouped execution is not supported by perflab")
		}
		if o.KubeVirtOp != "" {
			return at(op+".kubeVirtOp", "KubeVirt operations are not supported by perflab")
		}
	}
	repeat := 1
	for k, o := range j.Objects {
		op := fmt.Sprintf("%s.objects[%d].repeatEveryNIterations", p, k)
		n := o.RepeatEveryNIterations
		switch {
		case n < 0:
			return at(op, "must not be negative")
		case n <= 1:
		case j.JobType != CreateJob:
			return at(op, "only create jobs repeat objects")
		case repeat > 1 && n != repeat:
			return at(op, "%d differs from %d set on another object of the job; all must be equal", n, repeat)
		case j.ChurnEnabled() && j.EffectiveChurn().Mode == ChurnObjects:
			return at(op, "cannot be used with churn mode objects; use namespaces")
		default:
			repeat = n
		}
	}
	return nil
}
