package cilium

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/perflab/perflab/results"
)

// PlanRunOptions are the inputs of `perflab cilium plan`.
type PlanRunOptions struct {
	Maps     MapsOptions
	Workload Workload
	Target   float64
	// GCSeries is a comma-separated list of delete ratios to replay through
	// the CT GC interval rule ("" = skip).
	GCSeries string
	JSON     bool
}

// RunPlan prints the forecast.
func RunPlan(ctx context.Context, o PlanRunOptions, out, errOut io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cfg, node, notes, err := o.Maps.Inputs()
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(errOut, "note:", n)
	}
	if o.Target == 0 {
		o.Target = DefaultTargetPressure
	}
	o.Workload.GC, err = gcConfig(cfg)
	if err != nil {
		return err
	}
	p, err := Forecast(cfg, node, o.Workload, o.Target)
	if err != nil {
		return err
	}
	var series []time.Duration
	var ratios []float64
	if o.GCSeries != "" {
		for i, f := range strings.Split(o.GCSeries, ",") {
			r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || r < 0 || r > 1 {
				return fmt.Errorf("--gc-delete-ratios item %d %q: want a ratio in [0,1]", i+1, f)
			}
			ratios = append(ratios, r)
		}
		if series, err = CTGCSeries(ratios, o.Workload.GC); err != nil {
			return err
		}
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		doc := struct {
			*Plan
			GCSeries []float64 `json:"ctGCSeriesSeconds,omitempty"`
		}{Plan: p}
		for _, d := range series {
			doc.GCSeries = append(doc.GCSeries, d.Seconds())
		}
		return enc.Encode(doc)
	}
	t := results.Table{Header: []string{"MAP", "ENTRIES", "SIZE", "PRESSURE", "TARGET REACHED AT", "BASIS"}}
	for _, m := range p.Maps {
		at := "never"
		if !math.IsInf(m.FullAt, 1) {
			at = fmt.Sprintf("%.2fx load", m.FullAt)
		}
		t.Add(m.Row, m.Entries, m.Size, fmt.Sprintf("%.1f%%", 100*m.Pressure), at, m.Basis)
	}
	if err := t.Render(out); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nratio %s, CT GC settles at %s\n", FormatRatio(p.Ratio), p.GCInterval)
	if p.FirstFull != "" {
		for _, m := range p.Maps {
			if m.Row == p.FirstFull {
				fmt.Fprintf(out, "fills first: %s, reaching %.0f%% at %.2fx this load\n", m.Row, 100*o.Target, m.FullAt)
			}
		}
	}
	if p.MinRatio > 0 {
		fmt.Fprintf(out, "smallest bpf.mapDynamicSizeRatio keeping CT/NAT under %.0f%%: %s (dynamic maps take %d bytes = %s per IP family)\n",
			100*o.Target, FormatRatio(p.MinRatio), p.MinRatioBytes, FormatBytes(uint64(p.MinRatioBytes)))
	} else {
		fmt.Fprintf(out, "no ratio: %s\n", p.MinRatioNote)
	}
	if len(series) > 0 {
		fmt.Fprintf(out, "\nCT GC interval after each run (start %s):\n", CTGCStartingInterval)
		for i, d := range series {
			fmt.Fprintf(out, "  run %d: deleted %.1f%% -> next in %s\n", i+1, 100*ratios[i], d)
		}
	}
	return nil
}

// gcConfig reads conntrack-gc-interval / conntrack-gc-max-interval.
func gcConfig(cfg AgentConfig) (CTGCConfig, error) {
	var c CTGCConfig
	for _, k := range []struct {
		key string
		dst *time.Duration
	}{{"conntrack-gc-interval", &c.Fixed}, {"conntrack-gc-max-interval", &c.Max}} {
		if v, ok := cfg[k.key]; ok && strings.TrimSpace(v) != "" {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				return c, fmt.Errorf("option %s: %q is not a duration", k.key, v)
			}
			*k.dst = d
		}
	}
	return c, nil
}

// DoctorRunOptions are the inputs of `perflab cilium doctor`.
type DoctorRunOptions struct {
	ValuesFile string
	Sets       []string
	JSON       bool
}

// RunDoctor checks this machine (and values, if given), prints the report
// and returns ErrDoctorFailed when Failures is not empty.
func RunDoctor(ctx context.Context, o DoctorRunOptions, out io.Writer) error {
	var values Values
	if o.ValuesFile != "" || len(o.Sets) > 0 {
		values = Values{}
		if o.ValuesFile != "" {
			v, err := LoadValues(o.ValuesFile)
			if err != nil {
				return err
			}
			values = v
		}
		for _, s := range o.Sets {
			if err := values.Set(s); err != nil {
				return err
			}
		}
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return fmt.Errorf("uname: %w", err)
	}
	rep, err := Doctor(ctx, NetlinkProber{}, unix.ByteSliceToString(u.Release[:]), values)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(out)
	}
	if err != nil {
		return err
	}
	if f := rep.Failures(); len(f) > 0 {
		return fmt.Errorf("%w: %s", ErrDoctorFailed, strings.Join(f, ", "))
	}
	return nil
}

// RunCES prints the CiliumEndpointSlice estimate.
func RunCES(ctx context.Context, in CESInput, asJSON bool, out io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e, err := EstimateCES(in)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(e)
	}
	return e.WriteText(out, in)
}
