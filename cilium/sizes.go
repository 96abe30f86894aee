package cilium

import (
	"errors"
	"fmt"
)

// Node is the machine an agent runs on, as far as map sizing cares.
type Node struct {
	Name          string `json:"name,omitempty"`
	MemTotalBytes uint64 `json:"memTotalBytes"` // MemTotal of /proc/meminfo, in bytes
	PossibleCPUs  int    `json:"possibleCPUs"`  // /sys/devices/system/cpu/possible
}

// MapSizes are the sizes the agent settles on at start-up.
type MapSizes struct {
	Node Node `json:"node"`
	// DynamicSizeRatio is 0 when dynamic sizing is off.
	DynamicSizeRatio float64 `json:"dynamicSizeRatio"`
	DistributedLRU   bool    `json:"distributedLRU"`
	// MemoryForMaps is the byte budget of dynamic sizing (0 when off).
	MemoryForMaps int `json:"memoryForMapsBytes"`

	Auth, CTAny, CTTCP, Fragments                       int
	LBService, LBBackend, LBRevNat, LBAffinity, SockRev int
	NAT, Neigh, Policy, PolicyStats                     int

	// Dynamic names the rows the dynamic sizing computed (not set explicitly).
	Dynamic map[string]bool `json:"dynamic"`
	// Warnings are what the agent logs at warn level while sizing (clamps,
	// caps); they do not stop it.
	Warnings []string `json:"warnings,omitempty"`
}

// ErrInvalidConfig marks errors the agent itself would stop on.
var ErrInvalidConfig = errors.New("the agent would refuse this configuration")

func agentErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, a...))
}

// roundUp and roundDown are the kernel's roundup()/rounddown(), as in
// pkg/util/util.go.
func roundUp(x, m int) int   { return ((x + (m - 1)) / m) * m }
func roundDown(x, m int) int { return x - x%m }

// sizeCalculator returns the agent's per-map entry function for a ratio, as
// getDynamicSizeCalculator in pkg/option/config.go: outside (0,1] it returns
// the default; else entries = default*M/D with integer division, where M is
// int(MemTotal*ratio) and D the bytes all dynamic maps take at their
// defaults; then rounded up to a multiple of the possible CPUs (only with the
// distributed LRU, as the kernel's htab_map_alloc does), raised to the
// minimum or lowered to the maximum.
func sizeCalculator(ratio float64, memTotal uint64, cpus int) (calc func(def, min, max int) int, memForMaps int) {
	if 0.0 >= ratio || ratio > 1.0 {
		return func(def, _, _ int) int { return def }, 0
	}
	memForMaps = int(float64(memTotal) * ratio)
	totalDefault := CTMapEntriesGlobalTCPDefault*SizeofCTElement +
		CTMapEntriesGlobalAnyDefault*SizeofCTElement +
		NATMapEntriesGlobalDefault*SizeofNATElement +
		NATMapEntriesGlobalDefault*SizeofNeighElement + // neighbour = NAT entries
		SockRevNATMapEntriesDefault*SizeofSockRevElement
	return func(def, min, max int) int {
		e := (def * memForMaps) / totalDefault
		e = roundUp(e, cpus)
		if e < min {
			e = roundUp(min, cpus)
		} else if e > max {
			e = roundDown(max, cpus)
		}
		return e
	}, memForMaps
}

// DefaultMapBytes is D: the bytes the dynamically sized maps take at their
// default entry counts (149,422,080 = 285 * 524288).
func DefaultMapBytes() int {
	return (CTMapEntriesGlobalTCPDefault+CTMapEntriesGlobalAnyDefault+NATMapEntriesGlobalDefault)*SizeofCTElement +
		NATMapEntriesGlobalDefault*SizeofNeighElement + SockRevNATMapEntriesDefault*SizeofSockRevElement
}

// ComputeSizes runs the agent's sizing for cfg on node, including the checks
// that make the agent exit (returned as errors wrapping ErrInvalidConfig,
// with the agent's own message).
func ComputeSizes(cfg AgentConfig, node Node) (*MapSizes, error) {
	if err := checkCPUs(node.PossibleCPUs); err != nil {
		return nil, err
	}
	s := &MapSizes{Node: node, Dynamic: map[string]bool{}}
	var err error
	ints := []struct {
		key string
		def int
		dst *int
	}{
		{OptAuthMapMax, AuthMapEntriesDefault, &s.Auth},
		{OptCTTCPMax, CTMapEntriesGlobalTCPDefault, &s.CTTCP},
		{OptCTAnyMax, CTMapEntriesGlobalAnyDefault, &s.CTAny},
		{OptNATMax, NATMapEntriesGlobalDefault, &s.NAT},
		{OptNeighMax, NATMapEntriesGlobalDefault, &s.Neigh},
		{OptFragmentsMax, FragmentsMapDefault, &s.Fragments},
		{OptPolicyMapMax, PolicyMapDefault, &s.Policy},
		{OptPolicyStatsMapMax, PolicyStatsMapDefault, &s.PolicyStats},
		{OptLBServiceMapMax, 0, &s.LBService},
		{OptLBBackendMapMax, 0, &s.LBBackend},
		{OptLBRevNatMapMax, 0, &s.LBRevNat},
		{OptLBAffinityMapMax, 0, &s.LBAffinity},
		{OptSockRevMapMax, 0, &s.SockRev},
	}
	for _, o := range ints {
		if *o.dst, err = cfg.Int(o.key, o.def); err != nil {
			return nil, err
		}
	}
	lbMax, err := cfg.Int(OptLBMapMax, LBMapDefault)
	if err != nil {
		return nil, err
	}
	if s.DistributedLRU, err = cfg.Bool(OptDistributedLRU, false); err != nil {
		return nil, err
	}
	ratio, err := cfg.Float(OptDynamicSizeRatio, DefaultDynamicSizeRatio)
	if err != nil {
		return nil, err
	}

	// pkg/option/config.go calculateBPFMapSizes (fatal on error).
	switch {
	case 0.0 < ratio && ratio <= 1.0:
		s.DynamicSizeRatio = ratio
		s.dynamic(cfg)
	case s.DistributedLRU:
		return nil, agentErr("distributed LRU is only valid with a specified dynamic map size ratio")
	case ratio < 0.0:
		return nil, agentErr("specified dynamic map size ratio %f must be > 0.0", ratio)
	case ratio > 1.0:
		return nil, agentErr("specified dynamic map size ratio %f must be ≤ 1.0", ratio)
	}
	// pkg/option/config.go Validate -> checkMapSizeLimits.
	if err := s.checkLimits(); err != nil {
		return nil, err
	}
	// pkg/loadbalancer/config.go NewConfig.
	if err := s.lbConfig(lbMax); err != nil {
		return nil, err
	}
	// pkg/maps/policymap/cell.go createFactory and statsmap.go newStatsMap.
	s.policy()
	return s, nil
}

func (s *MapSizes) cpusForLRU() int {
	if s.DistributedLRU {
		return s.Node.PossibleCPUs
	}
	return 1
}

// dynamic is calculateDynamicBPFMapSizes: options set explicitly win.
func (s *MapSizes) dynamic(cfg AgentConfig) {
	get, mem := sizeCalculator(s.DynamicSizeRatio, s.Node.MemTotalBytes, s.cpusForLRU())
	s.MemoryForMaps = mem
	if !cfg.IsSet(OptCTTCPMax) {
		s.CTTCP = get(CTMapEntriesGlobalTCPDefault, LimitTableAutoGlobalTCPMin, LimitTableMax)
		s.Dynamic[RowCTTCP] = true
	}
	if !cfg.IsSet(OptCTAnyMax) {
		s.CTAny = get(CTMapEntriesGlobalAnyDefault, LimitTableAutoGlobalAnyMin, LimitTableMax)
		s.Dynamic[RowCTAny] = true
	}
	if !cfg.IsSet(OptNATMax) {
		s.NAT = get(NATMapEntriesGlobalDefault, LimitTableAutoNatGlobalMin, LimitTableMax)
		s.Dynamic[RowNAT] = true
		if s.NAT > s.CTTCP+s.CTAny {
			s.NAT = (s.CTTCP + s.CTAny) * 2 / 3
			s.Warnings = append(s.Warnings, fmt.Sprintf(
				"option %s would exceed maximum determined by CT table sizes, capping to %v", OptNATMax, s.NAT))
		}
	}
	if !cfg.IsSet(OptNeighMax) {
		s.Neigh = s.NAT
		s.Dynamic[RowNeigh] = true
	}
}

func (s *MapSizes) checkLimits() error {
	if s.Auth < AuthMapEntriesMin {
		return agentErr("specified AuthMap max entries %d must be greater or equal to %d", s.Auth, AuthMapEntriesMin)
	}
	if s.Auth > AuthMapEntriesMax {
		return agentErr("specified AuthMap max entries %d must not exceed maximum %d", s.Auth, AuthMapEntriesMax)
	}
	if s.CTTCP < LimitTableMin || s.CTAny < LimitTableMin {
		return agentErr("specified CT tables values %d/%d must be greater or equal to %d", s.CTTCP, s.CTAny, LimitTableMin)
	}
	if s.CTTCP > LimitTableMax || s.CTAny > LimitTableMax {
		return agentErr("specified CT tables values %d/%d must not exceed maximum %d", s.CTTCP, s.CTAny, LimitTableMax)
	}
	if s.NAT < LimitTableMin {
		return agentErr("specified NAT table size %d must be greater or equal to %d", s.NAT, LimitTableMin)
	}
	if s.NAT > LimitTableMax {
		return agentErr("specified NAT tables size %d must not exceed maximum %d", s.NAT, LimitTableMax)
	}
	if s.NAT > s.CTTCP+s.CTAny {
		if s.NAT != NATMapEntriesGlobalDefault {
			return agentErr("specified NAT tables size %d must not exceed maximum CT table size %d", s.NAT, s.CTTCP+s.CTAny)
		}
		// CT shrunk by hand while NAT stayed at its default: auto-size.
		s.NAT = (s.CTTCP + s.CTAny) * 2 / 3
	}
	if s.Fragments < FragmentsMapMin {
		return agentErr("specified max entries %d for fragment-tracking map must be greater or equal to %d", s.Fragments, FragmentsMapMin)
	}
	if s.Fragments > FragmentsMapMax {
		return agentErr("specified max entries %d for fragment-tracking map must not exceed maximum %d", s.Fragments, FragmentsMapMax)
	}
	return nil
}

func (s *MapSizes) lbConfig(lbMax int) error {
	if lbMax <= 0 {
		return agentErr("specified LBMap max entries %d must be a value greater than 0", lbMax)
	}
	if s.LBService < 0 || s.LBBackend < 0 || s.LBRevNat < 0 || s.LBAffinity < 0 {
		return agentErr("specified LB Service Map max entries must not be a negative value"+
			"(Service Map: %d, Service Backend: %d, Reverse NAT: %d, Session Affinity: %d, ...)",
			s.LBService, s.LBBackend, s.LBRevNat, s.LBAffinity)
	}
	if s.SockRev == 0 {
		// GetDynamicSizeCalculator uses the ratio the agent kept (0 = off).
		get, _ := sizeCalculator(s.DynamicSizeRatio, s.Node.MemTotalBytes, s.cpusForLRU())
		s.SockRev = get(SockRevNATMapEntriesDefault, LimitTableAutoSockRevNatMin, LimitTableMax)
		s.Dynamic[RowSockRev] = s.DynamicSizeRatio > 0
	}
	if s.SockRev < LimitTableMin {
		return agentErr("specified Socket Reverse NAT table size %d must be greater or equal to %d", s.SockRev, LimitTableMin)
	}
	if s.SockRev > LimitTableMax {
		return agentErr("specified Socket Reverse NAT tables size %d must not exceed maximum %d", s.SockRev, LimitTableMax)
	}
	for _, p := range []*int{&s.LBService, &s.LBBackend, &s.LBRevNat, &s.LBAffinity} {
		if *p == 0 {
			*p = lbMax
		}
	}
	return nil
}

func (s *MapSizes) policy() {
	if s.Policy < PolicyMapMin {
		s.Warnings = append(s.Warnings, fmt.Sprintf("specified PolicyMap max entries %d too low, using minimum value %d instead", s.Policy, PolicyMapMin))
		s.Policy = PolicyMapMin
	}
	if s.Policy > PolicyMapMax {
		s.Warnings = append(s.Warnings, fmt.Sprintf("specified PolicyMap max entries %d too high, using maximum value %d instead", s.Policy, PolicyMapMax))
		s.Policy = PolicyMapMax
	}
	if s.PolicyStats < LimitTableMin {
		s.Warnings = append(s.Warnings, fmt.Sprintf("specified policy stats map max entries %d too low, using minimum value %d instead", s.PolicyStats, LimitTableMin))
		s.PolicyStats = LimitTableMin
	}
	if s.PolicyStats > LimitTableMax {
		s.Warnings = append(s.Warnings, fmt.Sprintf("specified policy stats map max entries %d too high, using maximum value %d instead", s.PolicyStats, LimitTableMax))
		s.PolicyStats = LimitTableMax
	}
	// Per-CPU LRU hash: always rounded down to the possible CPUs.
	s.PolicyStats = roundDown(s.PolicyStats, s.Node.PossibleCPUs)
}
