package cilium

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed chartkeys_v1.18.txt
var chartKeysData string

// ChartVersion is the chart the embedded key list was generated from.
const ChartVersion = "v1.18.4"

// chartKeys is the parsed key list: path -> kind (map, open, list, null, scalar).
var chartKeys = func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(chartKeysData, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, kind, _ := strings.Cut(line, " ")
		m[k] = kind
	}
	return m
}()

// ChartHasKey reports whether the v1.18 chart accepts path: it is a key of
// values.yaml (or read by its templates), or sits below an empty map, a
// null, a list, a template-only key or a free-form
// Kubernetes field (annotations, labels, resources, ...).
func ChartHasKey(path string) bool {
	if _, ok := chartKeys[path]; ok {
		return true
	}
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i > 0; i-- {
		prefix := strings.Join(parts[:i], ".")
		kind, ok := chartKeys[prefix]
		if !ok {
			continue
		}
		return kind == "open" || kind == "null" || kind == "list" || kind == "template" || freeForm(parts[i-1])
	}
	return false
}

// freeForm names chart maps that hold Kubernetes objects whose fields the
// chart passes through unchecked.
func freeForm(seg string) bool {
	s := strings.ToLower(seg)
	for _, suffix := range []string{"annotations", "labels", "nodeselector", "securitycontext", "resources", "affinity", "extraconfig", "selector", "tolerations", "strategy", "updatestrategy"} {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

// A Finding is one problem in a values file.
type Finding struct {
	Key      string `json:"key"`
	Severity string `json:"severity"` // "fail" (helm refuses), "unknown" (silently ignored), "conflict"
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

// removedKeys make `helm install` fail: templates/validate.yaml of v1.18.4.
var removedKeys = map[string]string{
	"enableCiliumEndpointSlice":         "enableCiliumEndpointSlice was deprecated in v1.16 and has been removed in v1.18",
	"ciliumEndpointSlice.sliceMode":     "ciliumEndpointSlice.sliceMode has been removed in v1.18",
	"encryption.keyFile":                "encryption.{keyFile,mountPath,secretName,interface} were deprecated in v1.14 and has been removed in v1.16",
	"encryption.mountPath":              "encryption.{keyFile,mountPath,secretName,interface} were deprecated in v1.14 and has been removed in v1.16",
	"encryption.secretName":             "encryption.{keyFile,mountPath,secretName,interface} were deprecated in v1.14 and has been removed in v1.16",
	"encryption.interface":              "encryption.{keyFile,mountPath,secretName,interface} were deprecated in v1.14 and has been removed in v1.16",
	"proxy.prometheus.enabled":          "proxy.prometheus.enabled and proxy.prometheus.port were deprecated in v1.14 and has been removed in v1.16",
	"proxy.prometheus.port":             "proxy.prometheus.enabled and proxy.prometheus.port were deprecated in v1.14 and has been removed in v1.16",
	"endpointStatus":                    "endpointStatus has been removed in v1.16",
	"remoteNodeIdentity":                "remoteNodeIdentity was deprecated in v1.15 and has been removed in v1.16",
	"containerRuntime.integration":      "containerRuntime.integration was deprecated in v1.14 and has been removed in v1.16",
	"etcd.managed":                      "etcd.managed was deprecated in v1.10 has been removed in v1.16",
	"tunnel":                            "tunnel was deprecated in v1.14 and has been removed in v1.15",
	"clustermesh.apiserver.tls.ca.cert": "clustermesh.apiserver.tls.ca.cert and clustermesh.apiserver.tls.ca.key were deprecated in v1.14 and has been removed in v1.15",
	"clustermesh.apiserver.tls.ca.key":  "clustermesh.apiserver.tls.ca.cert and clustermesh.apiserver.tls.ca.key were deprecated in v1.14 and has been removed in v1.15",
	"enableK8sEventHandover":            "enableK8sEventHandover was deprecated in v1.14 and has been removed in v1.15",
	"enableCnpStatusUpdates":            "enableCnpStatusUpdates was deprecated in v1.14 and has been removed in v1.15",
}

// knownMistakes map keys people write (several from the seed guide) to what
// Cilium v1.18 really has. Agent flags come from daemon/cmd/daemon_main.go,
// operator flags from operator/pkg/ciliumendpointslice/cell.go.
var knownMistakes = map[string]string{
	"bpf.mapPressure":                          "no such setting: map pressure is only a metric (cilium_bpf_map_pressure); nothing evicts at a threshold. CT entries are removed by the CT GC (conntrackGCInterval, conntrackGCMaxInterval); bigger maps come from bpf.mapDynamicSizeRatio or bpf.ctTcpMax/ctAnyMax/natMax",
	"bpf.ctMapEntriesGlobalTCP":                "bpf.ctTcpMax",
	"bpf.ctMapEntriesGlobalAny":                "bpf.ctAnyMax",
	"bpf.natMapMax":                            "bpf.natMax",
	"bpf.neighMapMax":                          "bpf.neighMax",
	"bpf.sockMapMax":                           "no Helm key; agent flag bpf-sock-rev-map-max via extraConfig.bpf-sock-rev-map-max (0 = dynamic sizing)",
	"bpf.policyMapEntries":                     "bpf.policyMapMax",
	"bpf.tcpFinTimeout":                        "agent flag bpf-ct-timeout-regular-tcp-fin (default 10s) via extraConfig",
	"bpf.tcpCloseTimeout":                      "no such timeout; closing TCP entries use bpf-ct-timeout-regular-tcp-fin (default 10s) via extraConfig",
	"bpf.tcpTimeWaitTimeout":                   "no such timeout; closing TCP entries use bpf-ct-timeout-regular-tcp-fin (default 10s) via extraConfig",
	"bpf.tcpConnectionTimeout":                 "agent flag bpf-ct-timeout-regular-tcp (default 8000s; bpf-ct-timeout-service-tcp for service entries) via extraConfig",
	"bpf.tcpSynTimeout":                        "agent flag bpf-ct-timeout-regular-tcp-syn (default 60s) via extraConfig",
	"bpf.ctGcInterval":                         "conntrackGCInterval (top level)",
	"bpf.ctGcMaxInterval":                      "conntrackGCMaxInterval (top level)",
	"ciliumEndpointSlice.endpointsPerSlice":    "no Helm key; operator flag ces-max-ciliumendpoints-per-ces (default 100) via operator.extraArgs",
	"ciliumEndpointSlice.maxEndpointsPerSlice": "no Helm key; operator flag ces-max-ciliumendpoints-per-ces (default 100) via operator.extraArgs",
	"ciliumEndpointSlice.updateBatchSize":      "no such setting; the operator coalesces CEP changes per CES (500ms sync delay) and rate-limits writes with ciliumEndpointSlice.rateLimits",
	"ciliumEndpointSlice.updateInterval":       "no such setting; see ciliumEndpointSlice.rateLimits (default 10 writes/s, burst 20)",
	"ciliumEndpointSlice.enableLabelSelector":  "no such setting; slicing is first-come-first-served per namespace",
	"ciliumEndpoint.keepDeprecated":            "no such setting; CiliumEndpoints always exist, CES is built from them",
}

// CheckValues flags keys the v1.18 chart does not have (Helm accepts them
// silently: the chart's values.schema.json allows additional properties),
// keys whose use makes helm fail, and BIG TCP conflicts.
func CheckValues(v Values) []Finding {
	var out []Finding
	for _, path := range leafPaths(v) {
		if msg, ok := removedKeys[path]; ok {
			out = append(out, Finding{Key: path, Severity: "fail", Message: "helm install fails: " + msg + " (templates/validate.yaml)"})
			continue
		}
		if ChartHasKey(path) {
			continue
		}
		f := Finding{Key: path, Severity: "unknown", Message: "not a key of the " + ChartVersion + " chart; Helm ignores it silently"}
		if hint, ok := mistakeFor(path); ok {
			f.Hint = hint
		} else if near := NearestKey(path); near != "" {
			f.Hint = "nearest chart key: " + near
		}
		out = append(out, f)
	}
	out = append(out, bigTCPConflicts(v)...)
	return out
}

func mistakeFor(path string) (string, bool) {
	parts := strings.Split(path, ".")
	for i := len(parts); i > 0; i-- {
		if h, ok := knownMistakes[strings.Join(parts[:i], ".")]; ok {
			return h, true
		}
	}
	return "", false
}

// leafPaths lists the dotted paths of v's scalars, lists and empty maps, sorted.
func leafPaths(v Values) []string {
	var out []string
	var walk func(prefix string, x any)
	walk = func(prefix string, x any) {
		m, ok := x.(map[string]any)
		if !ok || (len(m) == 0 && prefix != "") {
			out = append(out, prefix)
			return
		}
		for k, c := range m {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			walk(p, c)
		}
	}
	walk("", map[string]any(v))
	sort.Strings(out)
	return out
}

// NearestKey suggests the chart key closest to path: below the longest
// prefix of path that the chart has, the child whose name is closest (edit
// distance, case-insensitive) to path's next segment, extended by path's
// remaining segments when the chart has that key too; "" when nothing is
// reasonably close.
func NearestKey(path string) string {
	parts := strings.Split(path, ".")
	i := len(parts) - 1
	for ; i > 0; i-- {
		if _, ok := chartKeys[strings.Join(parts[:i], ".")]; ok {
			break
		}
	}
	prefix := strings.Join(parts[:i], ".")
	want := strings.ToLower(parts[i])
	best, bestD := "", 1<<30
	for k := range chartKeys {
		parent, seg := "", k
		if j := strings.LastIndex(k, "."); j >= 0 {
			parent, seg = k[:j], k[j+1:]
		}
		if parent != prefix {
			continue
		}
		d := editDistance(want, strings.ToLower(seg))
		if d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	if best == "" || bestD > max(2, len(want)/2) {
		return ""
	}
	if rest := parts[i+1:]; len(rest) > 0 {
		if full := best + "." + strings.Join(rest, "."); ChartHasKey(full) {
			return full
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// bigTCPConflicts mirrors pkg/datapath/linux/bigtcp/bigtcp.go validateConfig:
// the agent refuses BIG TCP with tunneling, encryption or legacy host routing.
func bigTCPConflicts(v Values) []Finding {
	on := func(p string) bool { x, _ := v.Lookup(p); return helmTruthy(x) && helmScalar(x) != "false" }
	if !on("enableIPv4BIGTCP") && !on("enableIPv6BIGTCP") {
		return nil
	}
	var out []Finding
	// cilium-configmap.yaml: routing-mode defaults to "tunnel" (unless gke.enabled).
	mode, _ := v.Lookup("routingMode")
	if m := helmScalar(mode); m != "native" && !on("gke.enabled") {
		if m == "" {
			m = "tunnel (chart default)"
		}
		out = append(out, Finding{Key: "routingMode", Severity: "conflict",
			Message: fmt.Sprintf("routingMode=%s: the agent stops with \"BIG TCP is not supported in tunneling mode\"", m),
			Hint:    "routingMode=native with ipv4NativeRoutingCIDR (and autoDirectNodeRoutes=true on a flat L2)"})
	}
	if on("encryption.enabled") {
		out = append(out, Finding{Key: "encryption.enabled", Severity: "conflict",
			Message: "the agent stops with \"BIG TCP is not supported with encryption enabled\"",
			Hint:    "turn encryption off or BIG TCP off"})
	}
	if x, ok := v.Lookup("bpf.hostLegacyRouting"); ok && helmScalar(x) == "true" {
		out = append(out, Finding{Key: "bpf.hostLegacyRouting", Severity: "conflict",
			Message: "the agent stops with \"BIG TCP is not supported with legacy host routing\"",
			Hint:    "bpf.hostLegacyRouting=false, kubeProxyReplacement=true, bpf.masquerade=true"})
	} else if kpr, _ := v.Lookup("kubeProxyReplacement"); helmScalar(kpr) != "true" {
		out = append(out, Finding{Key: "kubeProxyReplacement", Severity: "conflict",
			Message: "BIG TCP goes with eBPF host routing; without kubeProxyReplacement=true the agent falls back to legacy host routing (\"BPF host routing requires kube-proxy-replacement=true.\"), and with legacy routing set explicitly it refuses BIG TCP (\"BIG TCP is not supported with legacy host routing\")",
			Hint:    "kubeProxyReplacement=true and bpf.masquerade=true"})
	} else if m, _ := v.Lookup("bpf.masquerade"); helmScalar(m) != "true" && ipv4Masq(v) {
		out = append(out, Finding{Key: "bpf.masquerade", Severity: "conflict",
			Message: "BIG TCP goes with eBPF host routing; with iptables masquerading the agent falls back to legacy host routing (\"BPF host routing requires enable-bpf-masquerade.\")",
			Hint:    "bpf.masquerade=true"})
	}
	return out
}

// ipv4Masq: enableIPv4Masquerade defaults to true in the v1.18 chart.
func ipv4Masq(v Values) bool {
	x, ok := v.Lookup("enableIPv4Masquerade")
	return !ok || helmScalar(x) != "false"
}
