package kube

import "strconv"

// kube-burner v2 label keys (pkg/config/types.go in kube-burner).
const (
	LabelUUID         = "kube-burner.io/uuid"
	LabelRunID        = "kube-burner.io/runid"
	LabelJob          = "kube-burner.io/job"
	LabelIndex        = "kube-burner.io/index"
	LabelJobIteration = "kube-burner.io/job-iteration"
	LabelReplica      = "kube-burner.io/replica"
	LabelChurnDelete  = "kube-burner.io/churn-delete"
	// LabelGroup is the object's group id (kube-burner v2; 0 without grouping).
	LabelGroup = "kube-burner.io/group"
)

// kube-burner v1.x label keys. v1.17 configs and dashboards select on these
// (a delete job with labelSelector {kube-burner-job: NAME} relies on them), so
// perflab sets both generations.
const (
	LegacyLabelUUID  = "kube-burner-uuid"
	LegacyLabelRunID = "kube-burner-runid"
	LegacyLabelJob   = "kube-burner-job"
	LegacyLabelIndex = "kube-burner-index"
	// LabelPreload marks the image pre-load namespace.
	LabelPreload = "kube-burner-preload"
)

// RunLabels are the labels of everything a job creates: namespaces get
// exactly these, objects get these plus ObjectLabels.
func RunLabels(uuid, runID, job string) map[string]string {
	return map[string]string{
		LabelUUID: uuid, LabelRunID: runID, LabelJob: job,
		LegacyLabelUUID: uuid, LegacyLabelRunID: runID, LegacyLabelJob: job,
	}
}

// ObjectLabels are the labels of one created object: RunLabels plus the
// object's index in the job, its iteration and its (1-based) replica.
func ObjectLabels(uuid, runID, job string, index, iteration, replica int) map[string]string {
	l := RunLabels(uuid, runID, job)
	idx := strconv.Itoa(index)
	l[LabelIndex], l[LegacyLabelIndex] = idx, idx
	l[LabelJobIteration] = strconv.Itoa(iteration)
	l[LabelReplica] = strconv.Itoa(replica)
	return l
}
