// Package incluster runs the netperf engine between pods of a real
// Kubernetes cluster: it deploys server and client pods running the perflab
// image, places clients on the server's node and on another node (pod
// affinity and anti-affinity), optionally on the host network and through a
// ClusterIP Service, drives `perflab netperf run` in the clients via pod exec,
// and deletes the namespace it made. The embedded cluster's pods are
// simulated (kwok) and carry no traffic, so it is refused.
package incluster
