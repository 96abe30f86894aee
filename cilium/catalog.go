package cilium

import "strings"

// MapInfo describes a BPF map family: how `cilium metrics list` names it,
// which status row it is, the knob that sizes it and what a full map does.
type MapInfo struct {
	Kind     string // short id
	Row      string // row of the status table
	HelmKey  string // Helm value that sizes it, "" if none
	AgentKey string // agent flag (extraConfig key), "" if static
	Dynamic  bool   // sized by bpf-map-dynamic-size-ratio
	WhenFull string
}

// Consequences of a full map, from the v1.18 source: drop reasons in
// pkg/monitor/api/drop.go, the LB reconciler message in
// pkg/loadbalancer/reconciler/bpf_reconciler.go, map scale notes in
// Documentation/network/ebpf/maps.rst.
const (
	fullCT = `new flows cannot get a CT entry: packets are dropped with reason 155 "CT: Map insertion failed"; ` +
		`the map is LRU, so before that the kernel evicts the least recently used entries and long-idle connections lose their state (replies may then be dropped or re-balanced to another backend)`
	fullNAT = `SNAT cannot create a mapping: packets are dropped with reason 167 "No mapping for NAT masquerade" (NodePort/masqueraded egress connections fail)`
	fullLB  = `the LB reconciler cannot program services: "Unable to update element for LB bpf map: You can resize it with the flag \"--bpf-lb-map-max\". ` +
		`The resizing might break existing connections to services" (E2BIG); new services/backends are not reachable through their VIP`
	fullNeigh   = `neighbour entries for NodePort/XDP replies cannot be added; those replies fall back to the slower FIB path or are dropped`
	fullSockRev = `socket-LB reverse translations cannot be stored: UDP replies to service VIPs (getpeername) show the backend address instead of the VIP`
	fullPolicy  = `the endpoint's policy cannot be fully programmed: regeneration fails and the endpoint keeps its old policy`
	fullIPCache = `IP-to-identity entries cannot be added: traffic from new pods/nodes is classified as world and policy may drop it (static size 512000, no knob)`
	fullLXC     = `no more local endpoints can be created on the node (static size 65535, no knob)`
	fullAuth    = `mutual-auth results cannot be cached: authenticated traffic is dropped until entries expire`
)

var catalog = []MapInfo{
	{"ct-tcp", RowCTTCP, "bpf.ctTcpMax", OptCTTCPMax, true, fullCT},
	{"ct-any", RowCTAny, "bpf.ctAnyMax", OptCTAnyMax, true, fullCT},
	{"nat", RowNAT, "bpf.natMax", OptNATMax, true, fullNAT},
	{"neigh", RowNeigh, "bpf.neighMax", OptNeighMax, true, fullNeigh},
	{"sock-rev", RowSockRev, "", OptSockRevMapMax, true, fullSockRev},
	{"lb-service", RowSvc4, "bpf.lbMapMax", OptLBServiceMapMax, false, fullLB},
	{"lb-backend", RowBackend4, "bpf.lbMapMax", OptLBBackendMapMax, false, fullLB},
	{"lb-revnat", RowRevNat4, "bpf.lbMapMax", OptLBRevNatMapMax, false, fullLB},
	{"lb-affinity", RowAffinity, "bpf.lbMapMax", OptLBAffinityMapMax, false, fullLB},
	{"policy", RowPolicy, "bpf.policyMapMax", OptPolicyMapMax, false, fullPolicy},
	{"ipcache", RowIPCache, "", "", false, fullIPCache},
	{"endpoints", RowEndpoints, "", "", false, fullLXC},
	{"auth", RowAuth, "bpf.authMapMax", OptAuthMapMax, false, fullAuth},
}

// LookupMap classifies a map_name label (the map's name without the
// "cilium_" prefix, e.g. ct4_global, snat_v4_external, lb4_services_v2).
func LookupMap(name string) (MapInfo, bool) {
	n := strings.TrimPrefix(name, "cilium_")
	kind := ""
	switch {
	case strings.HasPrefix(n, "ct_any"):
		kind = "ct-any"
	case strings.HasPrefix(n, "ct4_global"), strings.HasPrefix(n, "ct6_global"):
		kind = "ct-tcp"
	case strings.HasPrefix(n, "snat_v"):
		kind = "nat"
	case strings.HasPrefix(n, "nodeport_neigh"):
		kind = "neigh"
	case strings.HasSuffix(n, "_reverse_sk"):
		kind = "sock-rev"
	case strings.Contains(n, "_services"):
		kind = "lb-service"
	case strings.Contains(n, "_backends"):
		kind = "lb-backend"
	case strings.HasSuffix(n, "_reverse_nat"):
		kind = "lb-revnat"
	case strings.Contains(n, "affinity"):
		kind = "lb-affinity"
	case strings.HasPrefix(n, "policy"):
		kind = "policy"
	case strings.HasPrefix(n, "ipcache"):
		kind = "ipcache"
	case n == "lxc":
		kind = "endpoints"
	case strings.HasPrefix(n, "auth"):
		kind = "auth"
	}
	for _, m := range catalog {
		if m.Kind == kind {
			return m, true
		}
	}
	return MapInfo{}, false
}
