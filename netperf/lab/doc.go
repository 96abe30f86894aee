// Package lab builds a local "cluster" out of network namespaces and runs the
// netperf engine across it, so pod-network figures can be measured without a
// cluster (root needed).
//
// The topology mirrors a two-node cluster with routed pod networking: two
// node namespaces joined by a veth pair (the underlay), pod namespaces
// attached to their node by veth pairs, pod /32 routes on the nodes and pod
// CIDR routes between the nodes. Scenarios pick a client and a server end:
// same-node pod-to-pod, other-node pod-to-pod, and host-to-host between the
// node namespaces. Namespace names start with perflab-<pid>- so leftovers are
// identifiable; Close deletes every link and namespace the lab made, and Run
// calls it on success, error and cancellation alike.
package lab
