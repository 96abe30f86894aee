package burner

import (
	"time"

	"go.yaml.in/yaml/v3"
)

// Defaults as kube-burner's (pkg/config/config.go, v1.17).
const (
	DefaultTimeout        = 4 * time.Hour
	DefaultRequestTimeout = 60 * time.Second
	DefaultPreLoadPeriod  = time.Minute
	DefaultChurnCycles    = 100
	DefaultChurnPercent   = 10
	DefaultChurnDuration  = time.Hour
	DefaultChurnDelay     = 5 * time.Minute
)

func defaultSpec() Spec {
	return Spec{Global: Global{RequestTimeout: DefaultRequestTimeout, Timeout: DefaultTimeout, GCTimeout: time.Hour, DeletionStrategy: "default"}}
}

// UnmarshalYAML decodes a job over kube-burner's defaults.
func (j *Job) UnmarshalYAML(n *yaml.Node) error {
	type raw Job
	r := raw{
		JobType:                CreateJob,
		JobIterations:          1,
		Cleanup:                true,
		NamespacedIterations:   true,
		IterationsPerNamespace: 1,
		WaitWhenFinished:       true,
		VerifyObjects:          true,
		ErrorOnVerify:          true,
		WaitForDeletion:        true,
		PreLoadImages:          true,
		PreLoadPeriod:          DefaultPreLoadPeriod,
		ChurnCycles:            DefaultChurnCycles,
		ChurnPercent:           DefaultChurnPercent,
		ChurnDuration:          DefaultChurnDuration,
		ChurnDelay:             DefaultChurnDelay,
		MetricsClosing:         MetricsClosingAfterJobPause,
	}
	if err := n.Decode(&r); err != nil {
		return err
	}
	*j = Job(r)
	return nil
}

// UnmarshalYAML decodes an object over kube-burner's defaults: wait true,
// and replicas 1 as in kube-burner v2 (v1.17 skipped an object without
// replicas, which no config means to do).
func (o *Object) UnmarshalYAML(n *yaml.Node) error {
	type raw Object
	r := raw{Wait: true, Replicas: 1}
	if err := n.Decode(&r); err != nil {
		return err
	}
	*o = Object(r)
	return nil
}
