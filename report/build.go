package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// BuildPage lays out one or more runs on a page.
func BuildPage(runs []*Run) Page {
	p := Page{Title: "perflab report"}
	for i, r := range runs {
		p.Runs = append(p.Runs, runView(r, fmt.Sprintf("r%d", i)))
	}
	if len(runs) == 1 {
		p.Title = fmt.Sprintf("perflab report: %s (%s)", filepath.Base(runs[0].Dir), runs[0].Kind)
	}
	return p
}

func runView(r *Run, id string) RunView {
	v := RunView{Name: filepath.Base(r.Dir), Dir: r.Dir, Kind: r.Kind, Partial: r.Partial(), Header: header(r)}
	if r.Info != nil {
		v.ConfigText = r.Info.ConfigText
	}
	if r.Info != nil && len(r.Info.Diagnosis) > 0 {
		t := Table{Header: []string{"what the run waited for"}}
		for _, d := range r.Info.Diagnosis {
			t.Rows = append(t.Rows, []string{d})
			t.Status = append(t.Status, "warn")
		}
		v.Sections = append(v.Sections, Section{Title: "Diagnosis", Tables: []Table{t}})
	}
	switch r.Kind {
	case KubeBurner, Metrics:
		v.Sections = append(v.Sections, kubeBurnerSections(r, id)...)
	case ClusterLoader2:
		v.Sections = append(v.Sections, cl2Sections(r, id)...)
	case Netperf:
		v.Sections = append(v.Sections, netperfSections(r, id)...)
	case ClusterBench:
		v.Sections = append(v.Sections, benchSections(*r.Bench, id)...)
	}
	return v
}

func header(r *Run) []Field {
	var f []Field
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			f = append(f, Field{label, value})
		}
	}
	add("results", r.Dir)
	add("produced by", string(r.Kind))
	if i := r.Info; i != nil {
		add("command", i.Command)
		add("config", i.Config)
		add("uuid", i.UUID)
		add("perflab", i.PerflabVersion)
		add("Kubernetes", i.KubernetesVersion)
		add("target", i.Target)
		if i.Nodes > 0 {
			add("nodes", fmt.Sprintf("%d (maxPods %d)", i.Nodes, i.MaxPods))
		}
		m := i.Machine
		add("machine", fmt.Sprintf("%d CPUs, %.1f GiB memory, %s %s, kernel %s", m.CPUs, float64(m.MemoryBytes)/(1<<30), m.OS, m.Arch, orDash(m.Kernel)))
		code := fmt.Sprint(i.ExitCode)
		if i.Why != "" {
			code += ": " + i.Why
		}
		add("exit code", code)
	} else if len(r.Jobs) > 0 { // kube-burner's own run: what its summary says
		j := r.Jobs[0]
		add("uuid", j.UUID)
		add("version", j.Version)
		add("Kubernetes", j.K8sVersion)
		if j.TotalNodes > 0 {
			add("nodes", fmt.Sprint(j.TotalNodes))
		}
	}
	if s, e := r.Start(), r.End(); !s.IsZero() {
		add("start", s.UTC().Format(time.RFC3339))
		if !e.IsZero() {
			add("end", fmt.Sprintf("%s (%s)", e.UTC().Format(time.RFC3339), e.Sub(s).Round(time.Second)))
		}
	}
	return f
}
