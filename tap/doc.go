// Package tap records the calls clients make to a Kubernetes API server.
//
// A Tap is a reverse proxy on 127.0.0.1: clients reach it over TLS with a
// kubeconfig it writes (its own CA, a client certificate it requires), and it
// forwards every request with the target kubeconfig's credentials, as
// `kubectl proxy` does. Responses stream through unchanged, flushed on every
// write, so watches and upgraded connections (exec, port-forward over
// websockets) work. Each request becomes one Record, written as a JSON line by
// a Recorder and counted by Stats, which renders the top calls as tables.
//
// The API server's own audit log (Metadata level) converts into the same
// Record format (ReadFile reads either), so one summary can cover the
// traffic of clients that do not go through the tap: the scheduler, the
// controller-manager and the nodes.
package tap
