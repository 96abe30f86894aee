package cilium

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/perflab/perflab/results"
)

// Metric names (pkg/metrics/metrics.go).
const (
	MetricMapPressure = "cilium_bpf_map_pressure"
	MetricMapCapacity = "cilium_bpf_map_capacity"
	MetricMapOps      = "cilium_bpf_map_ops_total"
	MetricDrops       = "cilium_drop_count_total"
	// DefaultMapCapacity: maps with 65536 entries are grouped under
	// map_group="default" (pkg/metrics/metrics.go DefaultMapCapacity).
	DefaultMapCapacity = 65536
	// DefaultTargetPressure is the fill level plan and pressure aim below.
	DefaultTargetPressure = 0.85
)

// Drop reasons of a full map (pkg/monitor/api/drop.go).
var fullMapDrops = map[string]string{
	"155": "CT: Map insertion failed",
	"167": "No mapping for NAT masquerade",
}

// MapPressure is one map's state.
type MapPressure struct {
	Map      string  `json:"map"`
	Pressure float64 `json:"pressure"`
	// Capacity is the map's max entries: from cilium_bpf_map_capacity, from
	// the computed table, or 65536 (the "default" group); CapacitySource says which.
	Capacity       int     `json:"capacity"`
	CapacitySource string  `json:"capacitySource"`
	Entries        int     `json:"entries"` // pressure x capacity
	FailedOps      float64 `json:"failedOps"`
	Info           MapInfo `json:"-"`
	Row            string  `json:"row,omitempty"` // status table row, "" if unknown
	Known          bool    `json:"known"`
	Advice         string  `json:"advice,omitempty"`
}

// PressureReport is the result of AnalyzePressure.
type PressureReport struct {
	Maps   []MapPressure      `json:"maps"`
	Drops  map[string]float64 `json:"drops,omitempty"` // reason -> count, full-map reasons only
	Notes  []string           `json:"notes,omitempty"`
	Target float64            `json:"target"`
}

// PressureOptions tune AnalyzePressure.
type PressureOptions struct {
	Target float64 // default 0.85
	// Sizes, when known (from `maps` inputs), give capacities and let the
	// advice name a ratio.
	Sizes  *MapSizes
	Config AgentConfig
}

// AnalyzePressure ranks maps by pressure and explains the full ones.
func AnalyzePressure(samples []Sample, o PressureOptions) (*PressureReport, error) {
	if o.Target == 0 {
		o.Target = DefaultTargetPressure
	}
	if o.Target <= 0 || o.Target > 1 {
		return nil, fmt.Errorf("target pressure %g: must be in (0,1]", o.Target)
	}
	caps := map[string]int{}
	fails := map[string]float64{}
	rep := &PressureReport{Target: o.Target, Drops: map[string]float64{}}
	byMap := map[string]*MapPressure{}
	for _, s := range samples {
		switch s.Name {
		case MetricMapCapacity:
			if !math.IsNaN(s.Value) {
				caps[strings.TrimPrefix(s.Labels["map_group"], "cilium_")] = int(s.Value)
			}
		case MetricMapOps:
			if s.Labels["outcome"] == "fail" && !math.IsNaN(s.Value) {
				fails[s.Labels["map_name"]] += s.Value
				if s.Value > 0 && s.Labels["operation"] == "delete" {
					rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %g failed deletes; deleting an absent key fails harmlessly (common for lb_affinity_match)", s.Labels["map_name"], s.Value))
				}
			}
		case MetricDrops:
			r := s.Labels["reason"]
			for code, text := range fullMapDrops {
				if (r == text || r == code) && !math.IsNaN(s.Value) {
					rep.Drops[code+" "+text] += s.Value
				}
			}
		case MetricMapPressure:
			name := s.Labels["map_name"]
			if name == "" {
				return nil, fmt.Errorf("line %d: %s without map_name label", s.Line, s.Name)
			}
			if math.IsNaN(s.Value) || s.Value < 0 {
				return nil, fmt.Errorf("line %d: %s{map_name=%q}: value %q is not a fill ratio", s.Line, s.Name, name, s.Text)
			}
			byMap[name] = &MapPressure{Map: name, Pressure: s.Value}
		}
	}
	if len(byMap) == 0 {
		return nil, fmt.Errorf("no %s samples in the input (is the agent's Prometheus endpoint enabled? `cilium metrics list` shows maps above their reporting threshold only)", MetricMapPressure)
	}
	for name, mp := range byMap {
		mp.Info, mp.Known = LookupMap(name)
		mp.Row = mp.Info.Row
		mp.FailedOps = fails[name]
		switch {
		case caps[name] > 0:
			mp.Capacity, mp.CapacitySource = caps[name], MetricMapCapacity
		case mp.Known && mp.Info.Kind == "ipcache":
			mp.Capacity, mp.CapacitySource = IPCacheMapEntries, "static size"
		case mp.Known && mp.Info.Kind == "endpoints":
			mp.Capacity, mp.CapacitySource = EndpointsMapEntries, "static size"
		case o.Sizes != nil && mp.Known && o.Sizes.Size(mp.Info.Row) > 0:
			mp.Capacity, mp.CapacitySource = o.Sizes.Size(mp.Info.Row), "computed table"
		default:
			mp.Capacity, mp.CapacitySource = DefaultMapCapacity, "assumed 65536 (the metric's default group; give --mem-total for the real size)"
		}
		mp.Entries = int(math.Round(mp.Pressure * float64(mp.Capacity)))
		mp.Advice = advise(mp, o)
		rep.Maps = append(rep.Maps, *mp)
	}
	sort.Slice(rep.Maps, func(i, j int) bool {
		if rep.Maps[i].Pressure != rep.Maps[j].Pressure {
			return rep.Maps[i].Pressure > rep.Maps[j].Pressure
		}
		return rep.Maps[i].Map < rep.Maps[j].Map
	})
	return rep, nil
}

// advise says what to do for one map.
func advise(mp *MapPressure, o PressureOptions) string {
	if !mp.Known {
		return ""
	}
	need := int(math.Ceil(float64(mp.Entries) / o.Target))
	if mp.Pressure < o.Target && mp.FailedOps == 0 {
		return ""
	}
	if mp.Info.AgentKey == "" {
		return "static size; no knob: spread the load (fewer endpoints/IPs per node or cluster)"
	}
	explicit := fmt.Sprintf("set %s=%d", mp.Info.HelmKey, need)
	if mp.Info.HelmKey == "" {
		explicit = fmt.Sprintf("set extraConfig.%s=%d", mp.Info.AgentKey, need)
	}
	if mp.Info.Dynamic && o.Sizes != nil && o.Sizes.Node.MemTotalBytes > 0 {
		if r, ok := MinRatioFor(o.Config, o.Sizes.Node, mp.Info.Row, need); ok {
			return fmt.Sprintf("needs >= %d entries: set bpf.mapDynamicSizeRatio=%s (grows all CT/NAT maps), or %s", need, FormatRatio(r), explicit)
		}
	}
	return fmt.Sprintf("needs >= %d entries: %s", need, explicit)
}

// WriteText prints the report as a table plus explanations.
func (r *PressureReport) WriteText(w io.Writer) error {
	t := results.Table{Header: []string{"MAP", "PRESSURE", "ENTRIES", "CAPACITY", "FAILED OPS", "STATUS ROW"}}
	for _, m := range r.Maps {
		row := m.Info.Row
		if !m.Known {
			row = "?"
		}
		t.Add(m.Map, fmt.Sprintf("%.2f%%", 100*m.Pressure), m.Entries, m.Capacity, m.FailedOps, row)
	}
	if err := t.Render(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nTarget pressure %.0f%%.\n", 100*r.Target)
	hot := 0
	for _, m := range r.Maps {
		if m.Advice == "" {
			continue
		}
		hot++
		fmt.Fprintf(w, "\n%s at %.1f%% (capacity from %s)\n  when full: %s\n  do: %s\n", m.Map, 100*m.Pressure, m.CapacitySource, m.Info.WhenFull, m.Advice)
	}
	if hot == 0 {
		fmt.Fprintf(w, "No map is above the target; nothing to change.\n")
	}
	reasons := make([]string, 0, len(r.Drops))
	for reason := range r.Drops {
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	for _, reason := range reasons {
		if n := r.Drops[reason]; n > 0 {
			fmt.Fprintf(w, "\nDrops %q: %g (a full map)\n", reason, n)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}
