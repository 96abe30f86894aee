// Package fault is perflab's fault suite: tests that run the perflab binary
// as the user does (`perflab cluster up` in one process, `perflab init` or
// `perflab cl2` in another) and break things under it: the process holding
// the API server killed with SIGKILL and restarted on the same data
// directory mid-run, API Priority and Fairness rejecting requests with 429
// under tiny in-flight limits, SIGINT and SIGTERM in each phase of a run.
// The suite is skipped with -short; docs/reliability.md records its results.
package fault
