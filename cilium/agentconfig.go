package cilium

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Agent option names (cilium-config ConfigMap keys = cilium-agent flags) that
// decide BPF map sizes, with their v1.18 defaults.
const (
	// pkg/option/config.go
	OptDynamicSizeRatio = "bpf-map-dynamic-size-ratio" // MapEntriesGlobalDynamicSizeRatioName
	OptDistributedLRU   = "bpf-distributed-lru"        // BPFDistributedLRU
	OptAuthMapMax       = "bpf-auth-map-max"           // AuthMapEntriesName
	OptCTTCPMax         = "bpf-ct-global-tcp-max"      // CTMapEntriesGlobalTCPName
	OptCTAnyMax         = "bpf-ct-global-any-max"      // CTMapEntriesGlobalAnyName
	OptNATMax           = "bpf-nat-global-max"         // NATMapEntriesGlobalName
	OptNeighMax         = "bpf-neigh-global-max"       // NeighMapEntriesGlobalName
	OptFragmentsMax     = "bpf-fragments-map-max"      // FragmentsMapEntriesName
	// pkg/maps/policymap/cell.go
	OptPolicyMapMax      = "bpf-policy-map-max"
	OptPolicyStatsMapMax = "bpf-policy-stats-map-max"
	// pkg/loadbalancer/config.go
	OptLBMapMax         = "bpf-lb-map-max"
	OptLBServiceMapMax  = "bpf-lb-service-map-max"
	OptLBBackendMapMax  = "bpf-lb-service-backend-map-max"
	OptLBRevNatMapMax   = "bpf-lb-rev-nat-map-max"
	OptLBAffinityMapMax = "bpf-lb-affinity-map-max"
	OptSockRevMapMax    = "bpf-sock-rev-map-max"
)

// Defaults and limits, all from cilium v1.18.4.
const (
	// daemon/cmd/daemon_main.go: flags.Float64(MapEntriesGlobalDynamicSizeRatioName, 0.0025, ...)
	DefaultDynamicSizeRatio = 0.0025

	// pkg/option/config.go
	AuthMapEntriesMin            = 1 << 8
	AuthMapEntriesMax            = 1 << 24
	AuthMapEntriesDefault        = 1 << 19
	CTMapEntriesGlobalTCPDefault = 2 << 18 // 512Ki
	CTMapEntriesGlobalAnyDefault = 2 << 17 // 256Ki
	NATMapEntriesGlobalDefault   = (CTMapEntriesGlobalTCPDefault + CTMapEntriesGlobalAnyDefault) * 2 / 3
	SockRevNATMapEntriesDefault  = CTMapEntriesGlobalAnyDefault
	LimitTableAutoGlobalTCPMin   = 1 << 17
	LimitTableAutoGlobalAnyMin   = 1 << 16
	LimitTableAutoNatGlobalMin   = 1 << 17
	LimitTableAutoSockRevNatMin  = 1 << 16
	LimitTableMin                = 1 << 10
	LimitTableMax                = 1 << 24
	PolicyMapMin                 = 1 << 8
	PolicyMapMax                 = 1 << 16
	FragmentsMapMin              = 1 << 8
	FragmentsMapMax              = 1 << 16

	// pkg/defaults/defaults.go FragmentsMapEntries
	FragmentsMapDefault = 8192
	// pkg/maps/policymap/cell.go DefaultPolicyConfig
	PolicyMapDefault      = 16384
	PolicyStatsMapDefault = 1 << 16
	// pkg/loadbalancer/config.go DefaultLBMapMaxEntries
	LBMapDefault = 65536

	// Static sizes shown by `cilium-dbg status --verbose`.
	EndpointsMapEntries        = 65535  // pkg/maps/lxcmap/lxcmap.go MaxEntries
	IPCacheMapEntries          = 512000 // pkg/maps/ipcache/ipcache.go MaxEntries
	IPMasqMapEntriesIPv4       = 16384  // pkg/maps/ipmasq/ipmasq.go MaxEntriesIPv4
	IPMasqMapEntriesIPv6       = 16384  // pkg/maps/ipmasq/ipmasq.go MaxEntriesIPv6
	MetricsMapEntries          = 1024   // pkg/maps/metricsmap/metricsmap.go MaxEntries
	RatelimitMetricsMapEntries = 64     // pkg/maps/ratelimitmap/ratelimitmap.go MaxMetricsEntries
)

// MaxPossibleCPUs is the largest CONFIG_NR_CPUS Linux builds with (x86_64
// MAXSMP; arm64 stops at 4096): no node has more possible CPUs.
const MaxPossibleCPUs = 8192

// Element sizes (key + value, IPv6 keys as the largest case) the agent passes
// to SetMapElementSizes in daemon/cmd/daemon_main.go. They are unsafe.Sizeof
// of the Go mirrors of the BPF structs:
//   - CT:  ctmap.CtKey6Global (16+16+2+2+1+1 = 38) + ctmap.CtEntry (56) = 94
//     (pkg/maps/ctmap/types.go, pkg/tuple/ipv6.go)
//   - NAT: nat.NatKey6 (38) + nat.NatEntry6 (4*8+16+2+6 = 56) = 94 (pkg/maps/nat)
//   - neighbour: neighborsmap.Key6 (16) + Value (6+2) = 24 (pkg/maps/neighborsmap)
//   - sock rev NAT: SockRevNat6Key (8+16+2+6 = 32) + SockRevNat6Value (16+2+2 = 20) = 52
//     (pkg/loadbalancer/maps/types.go)
const (
	SizeofCTElement      = 94
	SizeofNATElement     = 94
	SizeofNeighElement   = 24
	SizeofSockRevElement = 52
)

// AgentConfig is the subset of agent options (cilium-config keys) that decide
// map sizes. A key present in the map counts as explicitly set, like viper's
// IsSet in the agent.
type AgentConfig map[string]string

// IsSet reports whether key was given explicitly.
func (c AgentConfig) IsSet(key string) bool {
	_, ok := c[key]
	return ok
}

// Int returns key as an integer, or def when unset.
func (c AgentConfig) Int(key string, def int) (int, error) {
	v, ok := c[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err == nil {
		return n, nil
	}
	// viper's GetInt goes through cast.ToInt, which also accepts floats
	// like "1e6"; anything else is an error for us.
	f, ferr := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if errors.Is(err, strconv.ErrRange) || (ferr == nil && (f >= math.MaxInt64 || f < math.MinInt64)) {
		return 0, fmt.Errorf("option %s: %q is out of range: %s", key, v, intBounds(key))
	}
	if ferr != nil || f != math.Trunc(f) {
		return 0, fmt.Errorf("option %s: %q is not an integer", key, v)
	}
	return int(f), nil
}

// entryLimits are the bounds the agent's checkMapSizeLimits (and
// policymap's config) puts on map size options.
var entryLimits = map[string][2]int{
	OptAuthMapMax:   {AuthMapEntriesMin, AuthMapEntriesMax},
	OptCTTCPMax:     {LimitTableMin, LimitTableMax},
	OptCTAnyMax:     {LimitTableMin, LimitTableMax},
	OptNATMax:       {LimitTableMin, LimitTableMax},
	OptFragmentsMax: {FragmentsMapMin, FragmentsMapMax},
	OptPolicyMapMax: {PolicyMapMin, PolicyMapMax},
}

func intBounds(key string) string {
	if l, ok := entryLimits[key]; ok {
		return fmt.Sprintf("the agent accepts %d to %d", l[0], l[1])
	}
	return "the agent takes a 64-bit integer"
}

// Float returns key as a float, or def when unset.
func (c AgentConfig) Float(key string, def float64) (float64, error) {
	v, ok := c[key]
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("option %s: %q is not a finite number", key, v)
	}
	return f, nil
}

// Bool returns key as a boolean, or def when unset.
func (c AgentConfig) Bool(key string, def bool) (bool, error) {
	v, ok := c[key]
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return false, fmt.Errorf("option %s: %q is not a boolean", key, v)
	}
	return b, nil
}

// Keys returns the set keys, sorted.
func (c AgentConfig) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ParseAgentFlags parses "key=value" pairs (e.g. from --agent-flag) into c.
func (c AgentConfig) ParseAgentFlags(pairs []string) error {
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		k = strings.TrimPrefix(strings.TrimSpace(k), "--")
		if !ok || k == "" {
			return fmt.Errorf("agent flag %q: want key=value", p)
		}
		c[k] = v
	}
	return nil
}
