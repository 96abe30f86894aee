package cluster

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodelease "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/config"
)

// Names of kwok's pod stages perflab changes.
const (
	podReadyStage    = "pod-ready"
	podCompleteStage = "pod-complete"
)

// JobDurationAnnotation on a Job's pod (kwok's own key) sets how long the
// pod runs before it succeeds, as a Go duration ("30s"); without it a Job's
// pod runs Options.JobDuration.
const JobDurationAnnotation = "pod-complete.stage.kwok.x-k8s.io/delay"

// stageOptions shape the simulated kubelet's pod lifecycle.
type stageOptions struct {
	// readyDelay plus up to readyJitter pass before a pod is Ready.
	readyDelay, readyJitter time.Duration
	// jobDuration is how long a Job's pod runs unless annotated.
	jobDuration time.Duration
	// podEvents makes nodes emit the kubelet's pod events (Pulling, Pulled,
	// Created, Started), one pod status update each.
	podEvents bool
}

// stages returns kwok's default lifecycle (node initialise, heartbeat with
// lease; pod ready, complete, delete) grouped by resource, with the pod-ready
// stage delayed, Job pods running for a while, and, with podEvents, the
// kubelet's container events on the way to Ready.
func stages(o stageOptions) (map[internalversion.StageResourceRef][]*internalversion.Stage, error) {
	raw := []string{
		nodefast.DefaultNodeInit,
		nodelease.DefaultNodeHeartbeatWithLease,
		podfast.DefaultPodReady,
		podfast.DefaultPodComplete,
		podfast.DefaultPodDelete,
		podReadyAgain,
	}
	if o.podEvents {
		raw = append(raw, podPulling, podPulled, podCreated)
	}
	out := map[internalversion.StageResourceRef][]*internalversion.Stage{}
	for _, r := range raw {
		s, err := config.UnmarshalWithType[*internalversion.Stage](r)
		if err != nil {
			return nil, fmt.Errorf("kwok stage: %w", err)
		}
		switch s.Name {
		case podReadyStage:
			if err := keepPodIPs(s); err != nil {
				return nil, err
			}
			if o.readyDelay > 0 || o.readyJitter > 0 {
				d := o.readyDelay.Milliseconds()
				// kwok's jitter is the upper bound of a uniform delay.
				j := (o.readyDelay + o.readyJitter).Milliseconds()
				s.Spec.Delay = &internalversion.StageDelay{DurationMilliseconds: &d, JitterDurationMilliseconds: &j}
			}
			if o.podEvents {
				// Ready only after the container was created.
				s.Spec.Selector.MatchExpressions = append(s.Spec.Selector.MatchExpressions, internalversion.MatchExpression{JQ: &internalversion.SelectorJQ{
					Key: ".status.containerStatuses.[].containerID", Operator: internalversion.SelectorOpExists}})
				s.Spec.Steps = append(s.Spec.Steps, internalversion.StageStep{Event: &internalversion.StageEvent{Type: "Normal", Reason: "Started", Message: "Started container"}})
			}
		case podCompleteStage:
			d := o.jobDuration.Milliseconds()
			s.Spec.Delay = &internalversion.StageDelay{DurationMilliseconds: &d,
				DurationFrom: &internalversion.ExpressionFrom{JQ: &internalversion.ExpressionJQ{Expression: `.metadata.annotations["` + JobDurationAnnotation + `"]`}}}
		}
		out[s.Spec.ResourceRef] = append(out[s.Spec.ResourceRef], s)
	}
	return out, nil
}

// keepPodIPs makes kwok's pod-ready template leave a pod's IPs alone when
// it has them. kwok can play pod-ready twice for one pod (a stale watch
// event queued behind its own patch); the second play took a new IP from
// the node's pool, the merge patch then held two IPs of one family, and the
// API server refused it ("may specify no more than one IP for each IP
// family"), leaking the IP.
func keepPodIPs(s *internalversion.Stage) error {
	const from, to = "{{ $podIPs := PodIPsWith", "phase: Running"
	for _, st := range s.Spec.Steps {
		if st.Patch == nil || st.Patch.Subresource != "status" {
			continue
		}
		t := st.Patch.Template
		i, j := strings.Index(t, from), strings.Index(t, to)
		if i < 0 || j < i {
			break
		}
		st.Patch.Template = t[:i] + "{{ if not .status.podIP }}\n" + t[i:j] + "{{ end }}\n" + t[j:]
		return nil
	}
	return fmt.Errorf("kwok stage %s: its status template no longer assigns pod IPs as perflab expects", podReadyStage)
}

// The stages that emit the kubelet's events before kwok's pod-ready, and
// the one that makes a pod Ready again after its node was NotReady.
var (
	//go:embed stages/pod-ready-again.yaml
	podReadyAgain string
	//go:embed stages/pod-pulling.yaml
	podPulling string
	//go:embed stages/pod-pulled.yaml
	podPulled string
	//go:embed stages/pod-created.yaml
	podCreated string
)
