package cluster

import (
	"fmt"
	"slices"
	"strings"
)

// A guard keeps a pass-through flag from silently undoing one of the
// embedded cluster's promises: it listens on 127.0.0.1 only, serves TLS,
// authenticates every request by client certificate (anonymous refused) and
// authorizes with RBAC.
type guard struct {
	flag    string
	promise string
	// ok reports whether value keeps the promise; nil means no value can be
	// checked (a file perflab does not read), so any override is refused.
	ok func(value string) bool
}

var apiServerGuards = []guard{
	{"bind-address", "listening on 127.0.0.1 only", func(v string) bool { return v == "127.0.0.1" }},
	{"secure-port", "serving TLS", func(v string) bool { return v != "0" }},
	{"tls-min-version", "serving TLS 1.2 or later", func(v string) bool { return v == "VersionTLS12" || v == "VersionTLS13" }},
	{"tls-cert-file", "serving with the cluster CA's certificate", nil},
	{"tls-private-key-file", "serving with the cluster CA's certificate", nil},
	{"client-ca-file", "authenticating clients by the cluster CA's certificates", nil},
	{"requestheader-client-ca-file", "authenticating clients by the cluster CA's certificates", nil},
	{"authentication-config", "refusing anonymous requests", nil},
	{"anonymous-auth", "refusing anonymous requests", func(v string) bool { return v == "false" }},
	{"authorization-mode", "authorizing with RBAC", func(v string) bool {
		modes := strings.Split(v, ",")
		return slices.Contains(modes, "RBAC") && !slices.Contains(modes, "AlwaysAllow")
	}},
	{"authorization-config", "authorizing with RBAC", nil},
}

// componentGuards keep the scheduler and controller-manager on their own
// identities (RBAC decides what they may do) and serving nothing: their
// metrics reach /metrics through the API server's registry.
var componentGuards = []guard{
	{"kubeconfig", "using its own identity", nil},
	{"authentication-kubeconfig", "using its own identity", nil},
	{"authorization-kubeconfig", "using its own identity", nil},
	{"master", "talking to the embedded API server", nil},
	// With --config, kube-scheduler ignores --kubeconfig (the file's
	// clientConnection wins); --scheduler-config keeps the identity.
	{"config", "using its own identity (use --scheduler-config, which keeps it)", nil},
	{"use-service-account-credentials", "running each controller as its own service account", func(v string) bool { return v == "true" }},
	{"secure-port", "serving nothing", func(v string) bool { return v == "0" }},
	{"bind-address", "listening on 127.0.0.1 only", func(v string) bool { return v == "127.0.0.1" }},
	{"cluster-signing-cert-file", "signing with the cluster CA", nil},
	{"cluster-signing-key-file", "signing with the cluster CA", nil},
	{"service-account-private-key-file", "signing tokens with the cluster's key", nil},
	{"root-ca-file", "publishing the cluster CA", nil},
}

// unsafeOverrides returns, for each pass-through flag that would break a
// promise, a sentence saying which.
func (o Options) unsafeOverrides() []string {
	var out []string
	out = append(out, checkGuards("--apiserver-arg", "the API server", apiServerGuards, o.APIServerArgs)...)
	out = append(out, checkGuards("--scheduler-arg", "the scheduler", componentGuards, o.SchedulerArgs)...)
	return append(out, checkGuards("--controller-manager-arg", "the controller-manager", componentGuards, o.ControllerManagerArgs)...)
}

func checkGuards(flag, component string, guards []guard, args []string) []string {
	var out []string
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		k = strings.TrimLeft(k, "-")
		for _, g := range guards {
			if g.flag == k && (g.ok == nil || !g.ok(v)) {
				out = append(out, fmt.Sprintf("%s %s would stop %s %s", flag, a, component, g.promise))
			}
		}
	}
	return out
}
