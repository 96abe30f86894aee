// Package runenv is the run environment every perflab command receives from
// cmd/perflab: the cluster's REST config and the shared kube client bundle,
// whether the cluster is embedded (and the hints that go with it), the
// run's Prometheus when it has one, and the environment of hook commands.
//
// cmd/perflab builds it (package target resolves the cluster); the domain
// packages (burner, cl2, metrics, netperf, cilium) only read it, so none of
// them links the embedded control plane.
package runenv
