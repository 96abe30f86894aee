package cilium

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// Workload describes the load a node's maps must hold.
type Workload struct {
	Services        int     // Kubernetes services (ClusterIP)
	PortsPerService int     // default 1
	Backends        int     // service endpoints (pod IP:port) in the cluster
	Endpoints       int     // pods in the cluster (IP cache)
	Nodes           int     // nodes in the cluster (IP cache)
	PodsPerNode     int     // local endpoints (Endpoints map)
	NewConnsPerSec  float64 // new TCP connections per second through this node
	ConnDuration    time.Duration
	ServiceFraction float64 // share of connections to a service VIP (extra CT entry), default 1
	NATFraction     float64 // share of connections that are SNATed (2 NAT entries each)
	// UnclosedFraction is the share of connections that end without a
	// FIN/RST the node sees (peer vanished, pod killed): their entries stay
	// for the established timeout (bpf-ct-timeout-regular-tcp).
	UnclosedFraction  float64
	NewFlowsAnyPerSec float64 // new non-TCP flows per second (UDP, DNS, ICMP)
	PolicyEntries     int     // policy map entries per endpoint
	// Agent CT timeouts (daemon/cmd/daemon_main.go defaults: tcp 8000s,
	// fin 10s, syn 60s, any 60s). Only fin and any matter for short flows.
	CTTimeoutTCP, CTTimeoutFIN, CTTimeoutAny time.Duration
	GC                                       CTGCConfig
}

func (w *Workload) defaults() {
	if w.PortsPerService == 0 {
		w.PortsPerService = 1
	}
	if w.ServiceFraction == 0 {
		w.ServiceFraction = 1
	}
	if w.CTTimeoutTCP == 0 {
		w.CTTimeoutTCP = 8000 * time.Second
	}
	if w.CTTimeoutFIN == 0 {
		w.CTTimeoutFIN = 10 * time.Second
	}
	if w.CTTimeoutAny == 0 {
		w.CTTimeoutAny = 60 * time.Second
	}
}

func (w *Workload) validate() error {
	for _, c := range []struct {
		name string
		v    float64
	}{
		{"services", float64(w.Services)}, {"ports-per-service", float64(w.PortsPerService)},
		{"backends", float64(w.Backends)}, {"endpoints", float64(w.Endpoints)}, {"nodes", float64(w.Nodes)},
		{"pods-per-node", float64(w.PodsPerNode)}, {"new-conns-per-sec", w.NewConnsPerSec},
		{"new-flows-any-per-sec", w.NewFlowsAnyPerSec}, {"policy-entries", float64(w.PolicyEntries)},
		{"conn-duration", w.ConnDuration.Seconds()},
	} {
		if c.v < 0 || math.IsNaN(c.v) || math.IsInf(c.v, 0) {
			return fmt.Errorf("--%s %v: must be a finite number >= 0", c.name, c.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"service-fraction", w.ServiceFraction}, {"nat-fraction", w.NATFraction}, {"unclosed-fraction", w.UnclosedFraction}} {
		if f.v < 0 || f.v > 1 || math.IsNaN(f.v) {
			return fmt.Errorf("--%s %v: must be in [0,1]", f.name, f.v)
		}
	}
	return nil
}

// MapForecast is one map's expected fill.
type MapForecast struct {
	Row      string  `json:"row"`
	Entries  int     `json:"entries"`
	Size     int     `json:"size"`
	Pressure float64 `json:"pressure"`
	// FullAt is the load multiple at which the map reaches the target
	// pressure (Inf when the load does not touch it).
	FullAt float64 `json:"-"`
	Basis  string  `json:"basis"`
}

// Plan is the forecast for one configuration.
type Plan struct {
	Sizes      *MapSizes     `json:"-"`
	Ratio      float64       `json:"ratio"`
	GCInterval time.Duration `json:"-"`
	// GCIntervalSeconds is GCInterval for JSON.
	GCIntervalSeconds float64       `json:"ctGCIntervalSeconds"`
	Maps              []MapForecast `json:"maps"`
	Target            float64       `json:"target"`
	// FirstFull is the map that reaches the target first.
	FirstFull string `json:"firstFull"`
	// MinRatio is the smallest bpf.mapDynamicSizeRatio (in steps of 0.0001)
	// that keeps every dynamically sized map under Target; 0 if none does.
	MinRatio      float64 `json:"minRatio"`
	MinRatioBytes int     `json:"minRatioBytesPerFamily"`
	MinRatioNote  string  `json:"minRatioNote,omitempty"`
}

// ctEntries forecasts CT entries for a capacity: flows stay in the map for
// their life (duration + close timeout for TCP, the any timeout for
// non-TCP) and, once expired, until the next GC pass (worst case a full
// interval).
func (w *Workload) ctEntries(tcpCap, anyCap int) (tcp, anyEntries int, gc time.Duration) {
	perConn := 1 + w.ServiceFraction
	tcpRate := w.NewConnsPerSec * perConn
	anyRate := w.NewFlowsAnyPerSec * (1 + w.ServiceFraction)
	// GC runs over both maps; the larger delete ratio decides.
	rate := tcpRate
	capacity := tcpCap
	if anyRate*float64(tcpCap) > tcpRate*float64(anyCap) {
		rate, capacity = anyRate, anyCap
	}
	gc = SteadyCTGC(rate, capacity, w.GC, 64)
	closed := (w.ConnDuration + w.CTTimeoutFIN + gc).Seconds()
	unclosed := (w.ConnDuration + w.CTTimeoutTCP + gc).Seconds()
	tcpLife := (1-w.UnclosedFraction)*closed + w.UnclosedFraction*unclosed
	anyLife := w.CTTimeoutAny + gc
	tcp = int(math.Ceil(tcpRate * tcpLife))
	anyEntries = int(math.Ceil(anyRate * anyLife.Seconds()))
	return tcp, anyEntries, gc
}

func forecast(row string, entries, size int, target float64, basis string) MapForecast {
	f := MapForecast{Row: row, Entries: entries, Size: size, Basis: basis, FullAt: math.Inf(1)}
	if size > 0 {
		f.Pressure = float64(entries) / float64(size)
	}
	if entries > 0 {
		f.FullAt = target * float64(size) / float64(entries)
	}
	return f
}

// Forecast computes the expected entries of every map the workload touches.
func Forecast(cfg AgentConfig, node Node, w Workload, target float64) (*Plan, error) {
	w.defaults()
	if err := w.validate(); err != nil {
		return nil, err
	}
	if target <= 0 || target > 1 {
		return nil, fmt.Errorf("target pressure %g: must be in (0,1]", target)
	}
	s, err := ComputeSizes(cfg, node)
	if err != nil {
		return nil, err
	}
	p := &Plan{Sizes: s, Ratio: s.DynamicSizeRatio, Target: target}
	p.Maps, p.GCInterval = w.forecasts(s, target)
	p.GCIntervalSeconds = p.GCInterval.Seconds()
	first := math.Inf(1)
	for _, m := range p.Maps {
		if m.FullAt < first {
			first, p.FirstFull = m.FullAt, m.Row
		}
	}
	p.MinRatio, p.MinRatioBytes, p.MinRatioNote = w.minRatio(cfg, node, target)
	return p, nil
}

func (w *Workload) forecasts(s *MapSizes, target float64) ([]MapForecast, time.Duration) {
	tcp, anyE, gc := w.ctEntries(s.CTTCP, s.CTAny)
	natRate := w.NewConnsPerSec * w.NATFraction * 2
	nat := int(math.Ceil(natRate * (w.ConnDuration + w.CTTimeoutFIN + gc).Seconds()))
	frontends := w.Services * w.PortsPerService
	perSvc := 0.0
	if w.Services > 0 {
		perSvc = float64(w.Backends) / float64(w.Services)
	}
	svc := int(math.Ceil(float64(frontends) * (1 + perSvc))) // master + one slot per backend
	maps := []MapForecast{
		forecast(RowCTTCP, tcp, s.CTTCP, target, fmt.Sprintf("%.0f conn/s x %.1f entries x (%s life + %s close (%.0f%% unclosed: %s) + %s GC)", w.NewConnsPerSec, 1+w.ServiceFraction, w.ConnDuration, w.CTTimeoutFIN, 100*w.UnclosedFraction, w.CTTimeoutTCP, gc)),
		forecast(RowCTAny, anyE, s.CTAny, target, fmt.Sprintf("%.0f flow/s x %.1f entries x (%s timeout + %s GC)", w.NewFlowsAnyPerSec, 1+w.ServiceFraction, w.CTTimeoutAny, gc)),
		forecast(RowNAT, nat, s.NAT, target, fmt.Sprintf("%.0f conn/s x %.2f SNATed x 2 entries", w.NewConnsPerSec, w.NATFraction)),
		forecast(RowSvc4, svc, s.LBService, target, fmt.Sprintf("%d frontends x (1 + %.1f backends)", frontends, perSvc)),
		forecast(RowBackend4, w.Backends, s.LBBackend, target, "one entry per backend"),
		forecast(RowRevNat4, frontends, s.LBRevNat, target, "one entry per frontend"),
		forecast(RowIPCache, w.Endpoints+w.Nodes, IPCacheMapEntries, target, "pods + nodes"),
		forecast(RowEndpoints, w.PodsPerNode, EndpointsMapEntries, target, "local pods"),
		forecast(RowPolicy, w.PolicyEntries, s.Policy, target, "per endpoint"),
	}
	return maps, gc
}

// minRatio scans ratios 0.0001..1 for the first that keeps the dynamically
// sized maps (CT TCP, CT any, NAT) under target. Map sizes feed back into
// the GC interval, so each candidate is simulated.
func (w *Workload) minRatio(cfg AgentConfig, node Node, target float64) (float64, int, string) {
	for _, k := range []string{OptCTTCPMax, OptCTAnyMax, OptNATMax} {
		if cfg.IsSet(k) {
			return 0, 0, k + " is set explicitly; the ratio does not size that map"
		}
	}
	c := AgentConfig{}
	for k, v := range cfg {
		c[k] = v
	}
	for step := 1; step <= 10000; step++ {
		r := float64(step) / 10000
		c[OptDynamicSizeRatio] = strconv.FormatFloat(r, 'f', -1, 64)
		s, err := ComputeSizes(c, node)
		if err != nil {
			continue
		}
		maps, _ := w.forecasts(s, target)
		ok := true
		for _, m := range maps[:3] {
			if m.Pressure > target {
				ok = false
				break
			}
		}
		if ok {
			return r, DynamicMapBytes(s), ""
		}
	}
	return 0, 0, "no ratio up to 1.0 is enough (maps are capped at 16Mi entries); split the load"
}

// DynamicMapBytes is the memory of the dynamically sized maps of one IP
// family (IPv4 and IPv6 each have their own set).
func DynamicMapBytes(s *MapSizes) int {
	return (s.CTTCP+s.CTAny)*SizeofCTElement + s.NAT*SizeofNATElement + s.Neigh*SizeofNeighElement + s.SockRev*SizeofSockRevElement
}

// MinRatioFor returns the smallest ratio (steps of 0.00001) at which row
// reaches need entries on node; false when the ratio does not size row or
// even 1.0 is not enough.
func MinRatioFor(cfg AgentConfig, node Node, row string, need int) (float64, bool) {
	c := AgentConfig{}
	for k, v := range cfg {
		c[k] = v
	}
	size := func(step int) (int, bool) {
		c[OptDynamicSizeRatio] = strconv.FormatFloat(float64(step)/100000, 'f', -1, 64)
		s, err := ComputeSizes(c, node)
		if err != nil || !s.Dynamic[row] {
			return 0, false
		}
		return s.Size(row), true
	}
	if n, ok := size(100000); !ok || n < need {
		return 0, false
	}
	step := sort.Search(100000, func(i int) bool { n, _ := size(i + 1); return n >= need }) + 1
	return float64(step) / 100000, true
}

// FormatRatio prints a ratio without trailing zeros.
func FormatRatio(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }

// MarshalJSON writes FullAt as fullAtLoadMultiple, null for "never".
func (m MapForecast) MarshalJSON() ([]byte, error) {
	type plain MapForecast
	doc := struct {
		plain
		FullAt *float64 `json:"fullAtLoadMultiple"`
	}{plain: plain(m)}
	if !math.IsInf(m.FullAt, 0) && !math.IsNaN(m.FullAt) {
		doc.FullAt = &m.FullAt
	}
	return json.Marshal(doc)
}
