// Package kube is perflab's shared Kubernetes API machinery, used by both load
// engines (burner and cl2): one client bundle per target (dynamic client,
// typed client, cached REST mapper), one token-bucket Limiter per job that
// every API call of the job waits on, create/patch/delete/get/list with
// retries and jittered exponential backoff, and kube-burner's label keys.
package kube
