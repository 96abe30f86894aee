package cilium

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// MapsOptions are the inputs of `perflab cilium maps`; pressure and plan
// reuse them to know the map sizes.
type MapsOptions struct {
	MemTotal       string   // "16Gi", "5036000kB"; "" = this machine's MemTotal
	Ratio          string   // Helm bpf.mapDynamicSizeRatio; "" = chart default
	CPUs           int      // possible CPUs; 0 = this machine's
	DistributedLRU bool     // Helm bpf.distributedLRU.enabled
	Sets           []string // Helm --set a.b=c
	AgentFlags     []string // agent flags key=value, applied last
	ValuesFile     string   // Helm -f values.yaml
	JSON           bool
	// Compare is a saved `cilium status --verbose` output to check the
	// computed table against ("" = none).
	Compare     string
	FromCluster bool
	Cluster     ClusterSource // used with FromCluster
}

// ParseRatio checks a --ratio value: a number in [0,1]; 0 is Helm's
// "unset" and renders as 0.0025.
func ParseRatio(s string) (float64, error) {
	r, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, fmt.Errorf("--ratio %q: not a number; the agent takes a ratio above 0 and at most 1 (0 = the chart default)", s)
	}
	if r < 0 {
		return 0, fmt.Errorf("--ratio %s: specified dynamic map size ratio %f must be > 0.0", s, r)
	}
	if r > 1 {
		return 0, fmt.Errorf("--ratio %s: specified dynamic map size ratio %f must be ≤ 1.0", s, r)
	}
	return r, nil
}

// checkCPUs bounds a possible-CPU count: at least 1, at most the largest
// NR_CPUS a Linux kernel is built with.
func checkCPUs(n int) error {
	if n < 1 || n > MaxPossibleCPUs {
		return fmt.Errorf("%d: possible CPUs must be 1 to %d (Linux's largest NR_CPUS)", n, MaxPossibleCPUs)
	}
	return nil
}

// Inputs resolves the options to an agent config and a node (not used with
// FromCluster). notes are Helm quirks and defaults that applied.
func (o MapsOptions) Inputs() (AgentConfig, Node, []string, error) {
	values := Values{}
	if o.ValuesFile != "" {
		v, err := LoadValues(o.ValuesFile)
		if err != nil {
			return nil, Node{}, nil, err
		}
		values = v
	}
	for _, s := range o.Sets {
		if err := values.Set(s); err != nil {
			return nil, Node{}, nil, err
		}
	}
	if o.Ratio != "" {
		if _, err := ParseRatio(o.Ratio); err != nil {
			return nil, Node{}, nil, err
		}
		if err := values.Set("bpf.mapDynamicSizeRatio=" + o.Ratio); err != nil {
			return nil, Node{}, nil, err
		}
	}
	if o.DistributedLRU {
		if err := values.Set("bpf.distributedLRU.enabled=true"); err != nil {
			return nil, Node{}, nil, err
		}
	}
	cfg, notes := RenderAgentConfig(values)
	if err := cfg.ParseAgentFlags(o.AgentFlags); err != nil {
		return nil, Node{}, nil, err
	}
	node, more, err := o.node()
	return cfg, node, append(notes, more...), err
}

func (o MapsOptions) node() (Node, []string, error) {
	var notes []string
	n := Node{PossibleCPUs: o.CPUs}
	if o.MemTotal == "" {
		m, err := LocalMemTotal()
		if err != nil {
			return n, nil, fmt.Errorf("--mem-total not given and %w", err)
		}
		n.MemTotalBytes = m
		notes = append(notes, fmt.Sprintf("MemTotal %d kB taken from this machine (--mem-total to change)", m/1024))
	} else {
		m, err := ParseMemory(o.MemTotal)
		if err != nil {
			return n, nil, fmt.Errorf("--mem-total: %w", err)
		}
		if m == 0 {
			return n, nil, fmt.Errorf("--mem-total %q: must be more than 0", o.MemTotal)
		}
		n.MemTotalBytes = m
	}
	if n.PossibleCPUs == 0 {
		c, err := LocalPossibleCPUs()
		if err != nil {
			return n, nil, fmt.Errorf("--cpus not given and %w", err)
		}
		n.PossibleCPUs = c
		notes = append(notes, fmt.Sprintf("%d possible CPUs taken from this machine (--cpus to change)", c))
	} else if err := checkCPUs(n.PossibleCPUs); err != nil {
		return n, nil, fmt.Errorf("--cpus %w", err)
	}
	return n, notes, nil
}

// clusterSizes computes the sizes for every node of the cluster.
func (o MapsOptions) clusterSizes(ctx context.Context) ([]*MapSizes, []string, error) {
	if o.Cluster == nil {
		return nil, nil, fmt.Errorf("--from-cluster: no cluster")
	}
	if o.ValuesFile != "" || len(o.Sets) > 0 || o.Ratio != "" || o.DistributedLRU {
		return nil, nil, fmt.Errorf("--from-cluster reads cilium-config; use --agent-flag to override its keys, not Helm values")
	}
	cfg, err := o.Cluster.AgentConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := cfg.ParseAgentFlags(o.AgentFlags); err != nil {
		return nil, nil, err
	}
	nodes, err := o.Cluster.Nodes(ctx)
	if err != nil {
		return nil, nil, err
	}
	notes := []string{"possible CPUs approximated by each node's CPU capacity (--cpus to override)"}
	var out []*MapSizes
	for _, n := range nodes {
		if o.CPUs != 0 {
			if err := checkCPUs(o.CPUs); err != nil {
				return nil, nil, fmt.Errorf("--cpus %w", err)
			}
			n.PossibleCPUs = o.CPUs
		}
		s, err := ComputeSizes(cfg, n)
		if err != nil {
			return nil, nil, fmt.Errorf("node %s: %w", n.Name, err)
		}
		out = append(out, s)
	}
	return out, notes, nil
}

// RunMaps prints the BPF Maps table(s).
func RunMaps(ctx context.Context, o MapsOptions, out, errOut io.Writer) (err error) {
	var all []*MapSizes
	var notes []string
	if o.FromCluster {
		s, n, err := o.clusterSizes(ctx)
		if err != nil {
			return err
		}
		all, notes = s, n
	} else {
		cfg, node, n, err := o.Inputs()
		if err != nil {
			return err
		}
		s, err := ComputeSizes(cfg, node)
		if err != nil {
			return err
		}
		all, notes = []*MapSizes{s}, n
	}
	for _, n := range notes {
		fmt.Fprintln(errOut, "note:", n)
	}
	if o.JSON {
		if !o.FromCluster {
			return all[0].WriteJSON(out)
		}
		var buf bytes.Buffer
		buf.WriteString("[")
		for i, s := range all {
			if i > 0 {
				buf.WriteString(",")
			}
			if err := s.WriteJSON(&buf); err != nil {
				return err
			}
		}
		buf.WriteString("]\n")
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, buf.Bytes(), "", "  "); err != nil {
			return err
		}
		_, err := out.Write(pretty.Bytes())
		return err
	}
	if o.Compare != "" && !o.FromCluster {
		defer func() {
			if err == nil {
				err = compareStatus(o.Compare, all[0], out)
			}
		}()
	}
	for i, s := range all {
		if o.FromCluster {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "Node %s (MemTotal %d kB, %d CPUs):\n", s.Node.Name, s.Node.MemTotalBytes/1024, s.Node.PossibleCPUs)
		}
		if err := s.WriteTable(out); err != nil {
			return err
		}
		for _, w := range s.Warnings {
			fmt.Fprintln(errOut, "agent warning:", w)
		}
	}
	return nil
}

// PressureRunOptions are the inputs of `perflab cilium pressure`.
type PressureRunOptions struct {
	File       string // `cilium metrics list` output or exposition; "-" = stdin
	Prometheus string // Prometheus base URL or an agent's /metrics URL
	Target     float64
	WithSizes  bool // use Maps to know sizes (set when --mem-total is given)
	Maps       MapsOptions
	JSON       bool
}

// RunPressure ranks maps by pressure and prints advice.
func RunPressure(ctx context.Context, o PressureRunOptions, out, errOut io.Writer) error {
	inputs := map[string][]Sample{}
	switch {
	case o.Maps.FromCluster:
		if o.Maps.Cluster == nil {
			return fmt.Errorf("--from-cluster: no cluster")
		}
		raw, err := o.Maps.Cluster.AgentMetrics(ctx)
		if err != nil {
			return err
		}
		for node, b := range raw {
			s, err := ParseMetrics(bytes.NewReader(b), "node "+node+" /metrics")
			if err != nil {
				return err
			}
			inputs[node] = s
		}
	case o.Prometheus != "":
		s, err := FetchPrometheus(ctx, o.Prometheus)
		if err != nil {
			return err
		}
		inputs[o.Prometheus] = s
	case o.File != "":
		var r io.Reader = os.Stdin
		name := "stdin"
		if o.File != "-" {
			f, err := os.Open(o.File)
			if err != nil {
				return fmt.Errorf("metrics file: %w", err)
			}
			defer f.Close()
			r, name = f, o.File
		}
		s, err := ParseMetrics(r, name)
		if err != nil {
			return err
		}
		inputs[name] = s
	default:
		return fmt.Errorf("give -f FILE (`cilium metrics list` output), --prometheus URL or --from-cluster")
	}
	po := PressureOptions{Target: o.Target}
	if o.WithSizes && !o.Maps.FromCluster {
		cfg, node, _, err := o.Maps.Inputs()
		if err != nil {
			return err
		}
		if po.Sizes, err = ComputeSizes(cfg, node); err != nil {
			return err
		}
		po.Config = cfg
	}
	names := make([]string, 0, len(inputs))
	for n := range inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	// From a cluster, each node's own sizes (cilium-config + its memory).
	perNode := map[string]PressureOptions{}
	if o.Maps.FromCluster {
		if sizes, _, err := o.Maps.clusterSizes(ctx); err != nil {
			fmt.Fprintln(errOut, "note: map sizes unknown, capacities from the metrics only:", err)
		} else if cfg, err := o.Maps.Cluster.AgentConfig(ctx); err == nil {
			for _, s := range sizes {
				perNode[s.Node.Name] = PressureOptions{Target: o.Target, Sizes: s, Config: cfg}
			}
		}
	}
	reports := map[string]*PressureReport{}
	for _, n := range names {
		opts := po
		if p, ok := perNode[n]; ok {
			opts = p
		}
		rep, err := AnalyzePressure(inputs[n], opts)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		reports[n] = rep
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(reports)
	}
	for i, n := range names {
		if len(names) > 1 {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "== %s\n", n)
		}
		if err := reports[n].WriteText(out); err != nil {
			return err
		}
	}
	return nil
}

// compareStatus checks the computed table against a saved status output.
func compareStatus(path string, s *MapSizes, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--compare: %w", err)
	}
	defer f.Close()
	st, err := ParseStatusMaps(f, path)
	if err != nil {
		return err
	}
	var diffs []string
	if st.Ratio != s.DynamicSizeRatio {
		diffs = append(diffs, fmt.Sprintf("dynamic sizing ratio: status %f, computed %f", st.Ratio, s.DynamicSizeRatio))
	}
	for _, r := range st.Rows {
		got := s.Size(r.Name)
		switch {
		case got == 0:
			diffs = append(diffs, fmt.Sprintf("%s: in the status output, not in the v1.18 table", r.Name))
		case got != r.Size:
			diffs = append(diffs, fmt.Sprintf("%s: status %d, computed %d", r.Name, r.Size, got))
		}
	}
	fmt.Fprintf(out, "\ncompared with %s: %d rows, %d differ\n", path, len(st.Rows), len(diffs))
	for _, d := range diffs {
		fmt.Fprintln(out, "  "+d)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s: %d of %d rows differ from the computed table", path, len(diffs), len(st.Rows))
	}
	return nil
}
