package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/perflab/perflab/measure"
)

// conditionLatency are the pod conditions the page charts, with each
// podLatency document's field.
var conditionLatency = []struct {
	name string
	of   func(measure.PodLatency) int
}{
	{measure.CondScheduled, func(p measure.PodLatency) int { return p.SchedulingLatency }},
	{measure.CondInitialized, func(p measure.PodLatency) int { return p.InitializedLatency }},
	{measure.CondContainersReady, func(p measure.PodLatency) int { return p.ContainersReadyLatency }},
	{measure.CondReady, func(p measure.PodLatency) int { return p.PodReadyLatency }},
}

const slowestPods = 10

func jobsTable(r *Run) Table {
	t := Table{Header: []string{"job", "type", "iterations", "objects", "qps/burst", "duration", "objects/s", "verification", "errors"}}
	for _, j := range r.Jobs {
		c := j.JobConfig
		objects := "-" // perflab's jobSummary leaves the object list out
		if len(c.Objects) > 0 {
			n := 0
			for _, o := range c.Objects {
				n += c.JobIterations * max(o.Replicas, 1)
			}
			objects = fmt.Sprint(n)
		}
		verify := "not asked"
		if c.VerifyObjects {
			verify = "verified"
		}
		status := "pass"
		if !j.Passed {
			verify, status = "FAILED", "fail"
		}
		t.Rows = append(t.Rows, []string{c.Name, c.JobType, fmt.Sprint(c.JobIterations), objects,
			fmt.Sprintf("%g/%d", c.QPS, c.Burst), fmtSeconds(j.Seconds()), rate(j.AchievedQps), verify, orDash(j.ExecutionErrors)})
		t.Status = append(t.Status, status)
	}
	return t
}

func kubeBurnerSections(r *Run, id string) []Section {
	var out []Section
	if len(r.Jobs) > 0 {
		out = append(out, Section{Title: "Jobs", Tables: []Table{jobsTable(r)}})
	}
	for _, job := range sortedKeys(r.Pods, r.Quantiles) {
		out = append(out, podLatencySection(r, job, fmt.Sprintf("%s-lat-%d", id, len(out))))
	}
	if len(r.Pods) == 0 && len(r.Jobs) > 0 {
		out = append(out, Section{Title: "Pod latency", Note: "no podLatency measurement in this run: add `- name: podLatency` under global.measurements to see pod latencies"})
	}
	out = append(out, metricSections(r, id)...)
	if r.Figures != nil {
		out = append(out, figuresSection(r.Figures, id+"-api"))
	}
	return out
}

func podLatencySection(r *Run, job, id string) Section {
	pods := r.Pods[job]
	s := Section{Title: "Pod latency: " + job}
	qt := Table{Header: []string{"condition", "pods", "P50", "P95", "P99", "max", "avg"}}
	if len(pods) == 0 { // quantiles only (pods were not written)
		for _, q := range r.Quantiles[job] {
			qt.Rows = append(qt.Rows, []string{q.QuantileName, "-", ms(float64(q.P50)), ms(float64(q.P95)), ms(float64(q.P99)), ms(float64(q.Max)), ms(float64(q.Avg))})
		}
		s.Tables = append(s.Tables, qt)
		return s
	}
	var names []string
	var samples [][]float64
	for _, c := range conditionLatency {
		v := podValues(pods, c.of)
		st := measure.Summarize(v)
		qt.Rows = append(qt.Rows, []string{c.name, fmt.Sprint(st.Count), ms(st.P50), ms(st.P95), ms(st.P99), ms(st.Max), ms(st.Avg)})
		names, samples = append(names, c.name), append(samples, v)
	}
	s.Tables = append(s.Tables, qt, slowestTable(pods))
	s.Charts = append(s.Charts,
		noteHidden(cdfChart(id+"-cdf", "Latency distribution by condition (from pod creation)", "latency (ms)", names, samples)),
		noteHidden(podTimeline(id+"-timeline", pods)))
	if wholeSeconds(samples) {
		s.Note = "Kubernetes records condition times to the second, so latencies are multiples of 1000 ms."
	}
	return s
}

func podValues(pods []measure.PodLatency, of func(measure.PodLatency) int) []float64 {
	v := make([]float64, len(pods))
	for i, p := range pods {
		v[i] = float64(of(p))
	}
	return v
}

func slowestTable(pods []measure.PodLatency) Table {
	// Sort indices, not a copy of every document.
	idx := make([]int32, len(pods))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return pods[b].PodReadyLatency - pods[a].PodReadyLatency })
	t := Table{Title: "Slowest pods to Ready", Header: []string{"pod", "namespace", "node", "scheduled", "initialized", "containers ready", "ready"}}
	for _, i := range idx[:min(slowestPods, len(idx))] {
		p := &pods[i]
		t.Rows = append(t.Rows, []string{p.Name, p.Namespace, p.NodeName, ms(float64(p.SchedulingLatency)), ms(float64(p.InitializedLatency)),
			ms(float64(p.ContainersReadyLatency)), ms(float64(p.PodReadyLatency))})
	}
	return t
}

func podTimeline(id string, pods []measure.PodLatency) Chart {
	ev := make([]event, 0, 3*len(pods))
	for _, p := range pods {
		at := float64(p.Timestamp.UnixMilli()) / 1000
		ev = append(ev, event{0, at}, event{1, at + float64(p.SchedulingLatency)/1000}, event{2, at + float64(p.PodReadyLatency)/1000})
	}
	return timeline(id, "Pods created, scheduled and ready over time", []string{"created", "scheduled", "ready"}, ev)
}

func sortedKeys[A, B any](a map[string]A, b map[string]B) []string {
	var ks []string
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

func ms(v float64) string {
	if v >= 10000 {
		return fmt.Sprintf("%.1fs", v/1000)
	}
	return fmt.Sprintf("%.0fms", v)
}

// rate is objects/s, "-" when the summary has none (kube-burner leaves
// achievedQps out of jobs shorter than a second).
func rate(qps float64) string {
	if qps == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", qps)
}

func fmtSeconds(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(10 * time.Millisecond).String()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// wholeSeconds reports whether every latency is a multiple of a second
// (and some is not zero): condition times recorded to the second.
func wholeSeconds(samples [][]float64) bool {
	nonzero := false
	for _, s := range samples {
		for _, v := range s {
			if int64(v)%1000 != 0 {
				return false
			}
			nonzero = nonzero || v != 0
		}
	}
	return nonzero
}
