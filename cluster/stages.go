package cluster

import (
	"fmt"
	"time"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodelease "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/config"
)

// podReadyStage is the name of kwok's stage that makes a pod Running+Ready.
const podReadyStage = "pod-ready"

// stages returns kwok's default lifecycle (node initialise, heartbeat with
// lease; pod ready, complete, delete) grouped by resource, with the pod-ready
// stage delayed by delay plus up to jitter.
func stages(delay, jitter time.Duration) (map[internalversion.StageResourceRef][]*internalversion.Stage, error) {
	raw := []string{
		nodefast.DefaultNodeInit,
		nodelease.DefaultNodeHeartbeatWithLease,
		podfast.DefaultPodReady,
		podfast.DefaultPodComplete,
		podfast.DefaultPodDelete,
	}
	out := map[internalversion.StageResourceRef][]*internalversion.Stage{}
	for _, r := range raw {
		s, err := config.UnmarshalWithType[*internalversion.Stage](r)
		if err != nil {
			return nil, fmt.Errorf("kwok stage: %w", err)
		}
		if s.Name == podReadyStage && (delay > 0 || jitter > 0) {
			d := delay.Milliseconds()
			// kwok's jitter is the upper bound of a uniform delay.
			j := (delay + jitter).Milliseconds()
			s.Spec.Delay = &internalversion.StageDelay{DurationMilliseconds: &d, JitterDurationMilliseconds: &j}
		}
		out[s.Spec.ResourceRef] = append(out[s.Spec.ResourceRef], s)
	}
	return out, nil
}
