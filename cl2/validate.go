package cl2

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// validate checks the decoded test the way CL2 does and more: references,
// exclusive fields, measurement methods, actions and params, and the order
// of start/gather calls. Every problem names file, line and field.
func (t *Test) validate() Problems {
	c, pos := t.Config, t.pos
	var ps Problems
	add := func(p Problem) { ps = append(ps, p) }
	if c.Name == "" {
		add(pos.Errorf("name", "name is required (it names the report files)"))
	} else if strings.Contains(c.Name, "_") {
		add(pos.Errorf("name", "name %q must not contain '_' (it separates parts of report file names)", c.Name))
	}
	if c.Namespace.Number < 0 {
		add(pos.Errorf("namespace.number", "must be positive, got %d", c.Namespace.Number))
	}
	for _, e := range validation.IsDNS1123Label(c.Namespace.Prefix + "-1") {
		add(pos.Errorf("namespace.prefix", "%q: %s", c.Namespace.Prefix, e))
	}
	if len(c.Dependencies) > 0 {
		add(pos.Errorf("dependencies", "CL2 dependencies are not supported by perflab"))
	}
	if c.ChaosMonkey.NodeFailure != nil {
		add(pos.Errorf("chaosMonkey.nodeFailure", "chaos monkey node failures are not supported by perflab"))
	}
	tuning := map[string]bool{}
	for i, ts := range c.TuningSets {
		path := fmt.Sprintf("tuningSets[%d]", i)
		if ts == nil {
			add(pos.Errorf(path, "empty tuning set"))
			continue
		}
		if tuning[ts.Name] {
			add(pos.Errorf(path+".name", "tuning set %q declared twice", ts.Name))
		}
		tuning[ts.Name] = true
		for _, p := range ts.check() {
			add(pos.Errorf(path+p.field, "%s", p.msg))
		}
	}
	if len(t.Steps) == 0 && len(c.Steps) == 0 {
		add(pos.Errorf("steps", "no steps: a test needs at least one step"))
	}
	for _, s := range t.Steps {
		ps = append(ps, t.validateStep(s, tuning)...)
	}
	ps = append(ps, t.validateCallOrder()...)
	return oncePerSkipped(ps)
}

// oncePerSkipped keeps the first warning about each skipped method (its
// start, gather and instances would repeat it).
func oncePerSkipped(ps Problems) Problems {
	seen := map[string]bool{}
	out := ps[:0]
	for _, p := range ps {
		if p.Warning && strings.HasSuffix(p.Msg, skippedSuffix) {
			if seen[p.Msg] {
				continue
			}
			seen[p.Msg] = true
		}
		out = append(out, p)
	}
	return out
}

// skippedSuffix ends the warning about a method perflab does not run.
const skippedSuffix = "; skipped"

type fieldMsg struct{ field, msg string }

// check validates a tuning set: exactly one load kind with positive values;
// a time limit may be 0 (CL2 then starts everything at once, as its load
// config does when a small run rounds saturationTime/4 down to 0s).
func (ts *TuningSet) check() []fieldMsg {
	var out []fieldMsg
	n := 0
	pos := func(field string, ok bool) {
		if !ok {
			out = append(out, fieldMsg{field, "must be positive"})
		}
	}
	nonNeg := func(field string, ok bool) {
		if !ok {
			out = append(out, fieldMsg{field, "must not be negative"})
		}
	}
	if l := ts.QPSLoad; l != nil {
		n++
		pos(".qpsLoad.qps", l.QPS > 0)
	}
	if l := ts.RandomizedLoad; l != nil {
		n++
		pos(".randomizedLoad.averageQps", l.AverageQPS > 0)
	}
	if l := ts.SteppedLoad; l != nil {
		n++
		pos(".steppedLoad.burstSize", l.BurstSize > 0)
		pos(".steppedLoad.stepDelay", l.StepDelay > 0)
	}
	if l := ts.TimeLimitedLoad; l != nil {
		n++
		nonNeg(".timeLimitedLoad.timeLimit", l.TimeLimit >= 0)
	}
	if l := ts.RandomizedTimeLimitedLoad; l != nil {
		n++
		nonNeg(".randomizedTimeLimitedLoad.timeLimit", l.TimeLimit >= 0)
	}
	if l := ts.ParallelismLimitedLoad; l != nil {
		n++
		pos(".parallelismLimitedLoad.parallelismLimit", l.ParallelismLimit > 0)
	}
	if l := ts.GlobalQPSLoad; l != nil {
		n++
		pos(".globalQPSLoad.qps", l.QPS > 0)
		pos(".globalQPSLoad.burst", l.Burst > 0)
	}
	if l := ts.PoissonLoad; l != nil {
		n++
		pos(".poissonLoad.expectedActionsPerSecond", l.ExpectedActionsPerSecond > 0)
	}
	if n != 1 {
		out = append(out, fieldMsg{"", fmt.Sprintf("must set exactly one of qpsLoad, randomizedLoad, steppedLoad, timeLimitedLoad, "+
			"randomizedTimeLimitedLoad, parallelismLimitedLoad, globalQPSLoad, poissonLoad (has %d)", n)})
	}
	return out
}

func (t *Test) validateStep(s *Step, tuning map[string]bool) Problems {
	pos, sp := s.at.pos, s.at.path
	var ps Problems
	switch {
	case len(s.Phases) > 0 && len(s.Measurements) > 0:
		ps = append(ps, pos.Errorf(sp+".measurements", "a step holds either phases or measurements, not both; split it into two steps"))
	case len(s.Phases) == 0 && len(s.Measurements) == 0:
		ps = append(ps, pos.Errorf(sp, "step %q has neither phases nor measurements", s.Name))
	}
	for i, ph := range s.Phases {
		path := fmt.Sprintf("%s.phases[%d]", sp, i)
		if ph == nil {
			ps = append(ps, pos.Errorf(path, "empty phase"))
			continue
		}
		ps = append(ps, t.validatePhase(ph, pos, path, tuning)...)
	}
	for i, m := range s.Measurements {
		path := fmt.Sprintf("%s.measurements[%d]", sp, i)
		if m == nil {
			ps = append(ps, pos.Errorf(path, "empty measurement"))
			continue
		}
		ps = append(ps, validateMeasurement(m, pos, path)...)
	}
	return ps
}

func (t *Test) validatePhase(ph *Phase, pos *positions, path string, tuning map[string]bool) Problems {
	var ps Problems
	add := func(field, format string, args ...any) { ps = append(ps, pos.Errorf(path+field, format, args...)) }
	if ph.NamespaceRange != nil && ph.NamespaceList != nil {
		add("", "set at most one of namespaceRange and namespaceList")
	}
	if r := ph.NamespaceRange; r != nil {
		if r.Max < r.Min {
			add(".namespaceRange.max", "max %d is below min %d", r.Max, r.Min)
		}
		if r.Basename == nil && (r.Min < 1 || r.Max > t.Config.Namespace.Number) {
			add(".namespaceRange", "automanaged namespaces are %s-1..%s-%d; range %d..%d is outside",
				t.Config.Namespace.Prefix, t.Config.Namespace.Prefix, t.Config.Namespace.Number, r.Min, r.Max)
		}
	}
	if ph.ReplicasPerNamespace < 0 {
		add(".replicasPerNamespace", "must not be negative")
	}
	if ph.TuningSet == "" {
		add(".tuningSet", "tuningSet is required")
	} else if !tuning[ph.TuningSet] {
		add(".tuningSet", "tuning set %q is not declared in tuningSets (declared: %s)", ph.TuningSet, sortedKeys(tuning))
	}
	if len(ph.ObjectBundle) == 0 {
		add(".objectBundle", "objectBundle is empty")
	}
	seen := map[string]bool{}
	for i, o := range ph.ObjectBundle {
		op := fmt.Sprintf("%s.objectBundle[%d]", path, i)
		if o == nil {
			ps = append(ps, pos.Errorf(op, "empty object"))
			continue
		}
		for _, e := range validation.IsDNS1123Subdomain(o.Basename + "-0") {
			ps = append(ps, pos.Errorf(op+".basename", "%q: %s", o.Basename, e))
		}
		// CL2 names objects <basename>-<i>: one basename may serve several
		// templates (a ServiceAccount and its Role), not one template twice.
		if key := o.Basename + "\x00" + o.ObjectTemplatePath; seen[key] {
			ps = append(ps, pos.Errorf(op+".basename", "basename %q with template %s appears twice in one bundle", o.Basename, o.ObjectTemplatePath))
		} else {
			seen[key] = true
		}
		if o.ObjectTemplatePath == "" {
			ps = append(ps, pos.Errorf(op+".objectTemplatePath", "objectTemplatePath is required"))
			continue
		}
		if _, err := os.Stat(t.render.path(o.ObjectTemplatePath)); err != nil {
			ps = append(ps, pos.Errorf(op+".objectTemplatePath", "template %s does not exist", t.render.display(t.render.path(o.ObjectTemplatePath))))
			continue
		}
		ps = append(ps, t.checkTemplate(ph, o, pos, op)...)
	}
	return ps
}

func validateMeasurement(m *Measurement, pos *positions, path string) Problems {
	var ps Problems
	add := func(field, format string, args ...any) { ps = append(ps, pos.Errorf(path+field, format, args...)) }
	// warn is for what CL2 ignores silently: a param the action does not read.
	warn := func(field, format string, args ...any) {
		p := pos.Errorf(path+field, format, args...)
		p.Warning = true
		ps = append(ps, p)
	}
	if len(m.Instances) > 0 {
		for k, inst := range m.Instances {
			ip := fmt.Sprintf("%s.instances[%d]", path, k)
			if inst == nil || inst.Identifier == "" {
				ps = append(ps, pos.Errorf(ip+".identifier", "identifier is required"))
				continue
			}
			ps = append(ps, validateMeasurement(&Measurement{Method: m.Method, Identifier: inst.Identifier, Params: instanceParams(m, inst)}, pos, ip)...)
		}
		return ps
	}
	if m.Identifier == "" {
		add(".identifier", "identifier is required")
	}
	spec, ok := methods[m.Method]
	if why, skip := skipReason(m.Method); !ok && skip {
		warn(".method", "ClusterLoader2 measurement %s is not run by perflab (%s)"+skippedSuffix, m.Method, why)
		return ps
	}
	if !ok {
		hint, hinted := methodHints[m.Method]
		switch {
		case m.Method == "":
			add(".method", "method is required")
		case hinted:
			add(".method", "unknown measurement method %q: %s", m.Method, hint.why)
		default:
			add(".method", "unknown measurement method %q (known: %s)", m.Method, strings.Join(knownMethods(), ", "))
		}
		if !hinted {
			return ps
		}
		spec = methods[hint.meant]
	}
	p := params(m.Params)
	action := ""
	if _, single := spec.actions[""]; single {
		if p.has("action") {
			warn(".params.action", "%s takes no action: it runs once, when its step runs", spec.name)
		}
	} else {
		action = p.Str("action", "")
		if _, ok := spec.actions[action]; !ok || action == "" {
			add(".params.action", "%s needs action: one of %s (got %q)", spec.name, strings.Join(spec.actionNames(), ", "), action)
			return ps
		}
	}
	for _, k := range keysOf(m.Params) {
		if k == "action" {
			continue
		}
		sp, ok, elsewhere := spec.paramsOf(action, k)
		switch {
		case ok:
			if err := checkKind(m.Params[k], sp.kind); err != nil {
				add(".params."+k, "%v", err)
			}
		case len(elsewhere) > 0:
			warn(".params."+k, "%s reads %s at action: %s; at action: %s it has no effect", spec.name, k, strings.Join(elsewhere, ", "), action)
		default:
			warn(".params."+k, "unknown param %q for %s, ignored as CL2 ignores it (known: %s)", k, spec.name, spec.paramNames())
		}
	}
	if missing := spec.missingParams(action, p); len(missing) > 0 {
		warn(".params", "%s%s needs param %s: this call will fail when its step runs, as in CL2", spec.name, actionSuffix(action), strings.Join(missing, ", "))
	}
	return ps
}

func actionSuffix(a string) string {
	if a == "" {
		return ""
	}
	return " action: " + a
}

// validateCallOrder checks that gather/stop follow a start of the same
// Method and Identifier.
func (t *Test) validateCallOrder() Problems {
	var ps Problems
	started := map[string]bool{}
	for _, s := range t.Steps {
		for i, wrapper := range s.Measurements {
			if wrapper == nil {
				continue
			}
			for _, m := range wrapper.expand() {
				spec, ok := methods[m.Method]
				if !ok {
					continue
				}
				if _, single := spec.actions[""]; single {
					continue
				}
				key := m.Method + "/" + m.Identifier
				switch a := params(m.Params).Str("action", ""); a {
				case "start":
					started[key] = true
				case "gather", "stop":
					if !started[key] && m.Method != "Timer" {
						ps = append(ps, s.at.pos.Errorf(fmt.Sprintf("%s.measurements[%d].params.action", s.at.path, i),
							"%s %q: %s before any start", m.Method, m.Identifier, a))
					}
				}
			}
		}
	}
	return ps
}

func keysOf[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sortedKeys[V any](m map[string]V) string { return strings.Join(keysOf(m), ", ") }
