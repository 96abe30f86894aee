// Package burner is the kube-burner-compatible load engine behind
// `perflab init` and `perflab destroy`: it loads kube-burner v1.17 and v2
// configs (rendered as Go templates, strictly decoded, errors with file:line
// and field), renders object templates and runs create, delete, patch and read
// jobs, churn, image pre-loading, waits, verification and podLatency, through
// the shared kube, wait, measure, results and progress packages.
package burner
