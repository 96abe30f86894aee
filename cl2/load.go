package cl2

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// LoadOptions say which config to read and with which variables.
type LoadOptions struct {
	ConfigPath    string
	OverridePaths []string
	// Environ is the environment CL2_* variables are read from; nil means os.Environ().
	Environ []string
	// Nodes is the template variable .Nodes (schedulable nodes of the target).
	Nodes int
	// Seed seeds RandInt/RandData; 0 picks one from the clock.
	Seed uint64
	// MaxObjects bounds the namespaces and object calls the test may make
	// (Totals.Objects); 0 is DefaultMaxObjects, negative is no bound.
	MaxObjects int64
}

// Test is a loaded CL2 config: decoded, defaulted, modules flattened.
type Test struct {
	Config  *Config
	Path    string
	Mapping map[string]any
	// Steps are the executable steps (modules expanded), in order.
	Steps []*Step

	// Warnings are probable mistakes that do not stop the run.
	Warnings Problems
	// Totals are what the test would do, counted before anything runs.
	Totals Totals

	render  *renderer
	pos     *positions
	samples []sample
}

// stepPos locates a step (and its fields) in the file it came from.
type stepPos struct {
	pos  *positions
	path string // e.g. steps[2]
}

// Load reads, renders and strictly decodes a CL2 config. Mistakes in the
// config or its modules come back as Problems naming file, line and field.
func Load(o LoadOptions) (*Test, error) {
	env := o.Environ
	if env == nil {
		env = os.Environ()
	}
	mapping, err := Mapping(o.OverridePaths, env, o.Nodes)
	if err != nil {
		return nil, err
	}
	seed := o.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	abs, err := filepath.Abs(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("--testconfig: %w", err)
	}
	t := &Test{Path: o.ConfigPath, Mapping: mapping, render: newRenderer(filepath.Dir(abs), newLockedRand(seed))}
	t.render.display = func(full string) string { return displayPath(o.ConfigPath, abs, full) }

	cfg := &Config{}
	pos, ps, err := t.decodeFile(filepath.Base(abs), maps.Clone(mapping), cfg)
	if err != nil {
		return nil, err
	}
	t.Config, t.pos = cfg, pos
	cfg.setDefaults()

	steps, sps := t.flatten(cfg.Steps, pos, "steps", 0)
	t.Steps = steps
	ps = append(ps, sps...)
	ps = append(ps, t.validate()...)
	ps = append(ps, t.lintSelectors()...)
	if errs, _ := ps.split(); len(errs) == 0 {
		limit := o.MaxObjects
		if limit == 0 {
			limit = DefaultMaxObjects
		}
		var tps Problems
		t.Totals, tps = t.countTotals(max(0, limit))
		ps = append(ps, tps...)
	}
	errs, warns := ps.split()
	t.Warnings = warns.sorted()
	if len(errs) > 0 {
		return t, errs.sorted()
	}
	return t, nil
}

// displayPath shows files the way the user named the config: relative to
// the working directory when the config path was relative.
func displayPath(given, absConfig, full string) string {
	if filepath.IsAbs(given) {
		return full
	}
	if rel, err := filepath.Rel(filepath.Dir(absConfig), full); err == nil {
		return filepath.Join(filepath.Dir(given), rel)
	}
	return full
}

// decodeFile renders a template file and decodes it strictly into out,
// returning the positions of its fields and the problems found. A template
// that cannot be rendered at all is returned as err.
func (t *Test) decodeFile(name string, mapping map[string]any, out any) (*positions, Problems, error) {
	data, err := t.render.render(name, mapping)
	var ps Problems
	if err != nil && (!errors.As(err, &ps) || data == nil) {
		return nil, nil, err
	}
	// In the config and its modules a missing value is a warning: CL2
	// renders the text <no value> and goes on (upstream modules leave
	// params out in calls that do not use them). Object templates, which
	// would create objects carrying it, keep it an error.
	for i := range ps {
		if strings.HasPrefix(ps[i].Msg, msgMissingValue) {
			ps[i].Warning = true
		}
	}
	pos, dps := decodeDocument(t.render.display(t.render.path(name)), data, out)
	return pos, append(ps, dps...), nil
}

const maxModuleDepth = 10

// flatten expands module steps recursively, recording each step's origin.
func (t *Test) flatten(steps []*Step, pos *positions, path string, depth int) ([]*Step, Problems) {
	var out []*Step
	var ps Problems
	for i, s := range steps {
		sp := fmt.Sprintf("%s[%d]", path, i)
		if s == nil {
			ps = append(ps, pos.Errorf(sp, "empty step"))
			continue
		}
		s.at = stepPos{pos: pos, path: sp}
		if !s.IsModule() {
			out = append(out, s)
			continue
		}
		if len(s.Phases) > 0 || len(s.Measurements) > 0 {
			ps = append(ps, pos.Errorf(sp, "a step holds exactly one of phases, measurements or module"))
		}
		if depth >= maxModuleDepth {
			ps = append(ps, pos.Errorf(sp+".module.path", "modules nested deeper than %d", maxModuleDepth))
			continue
		}
		mapping := maps.Clone(t.Mapping)
		maps.Copy(mapping, s.Module.Params)
		var mod Module
		if _, err := os.Stat(t.render.path(s.Module.Path)); err != nil {
			ps = append(ps, pos.Errorf(sp+".module.path", "module file %s: %v", s.Module.Path, err))
			continue
		}
		mpos, mps, err := t.decodeFile(s.Module.Path, mapping, &mod)
		if err != nil {
			var tps Problems
			if errors.As(err, &tps) {
				ps = append(ps, tps...)
				continue
			}
			ps = append(ps, pos.Errorf(sp+".module.path", "%v", err))
			continue
		}
		ps = append(ps, slices.DeleteFunc(mps, func(p Problem) bool { return p.Msg == msgEmptyFile })...)
		sub, sps := t.flatten(mod.Steps, mpos, "steps", depth+1)
		ps = append(ps, sps...)
		out = append(out, sub...)
	}
	return out, ps
}

// setDefaults applies CL2's namespace defaults.
func (c *Config) setDefaults() {
	ns := &c.Namespace
	if ns.Number == 0 && c.AutomanagedNamespaces > 0 {
		ns.Number = c.AutomanagedNamespaces
	}
	if ns.Number == 0 {
		ns.Number = 1
	}
	if ns.Prefix == "" {
		ns.Prefix = "test-" + randomSuffix(6)
	}
	ptr := func(p **bool, v bool) {
		if *p == nil {
			*p = &v
		}
	}
	ptr(&ns.DeleteStaleNamespaces, false)
	ptr(&ns.DeleteAutomanagedNamespaces, true)
	ptr(&ns.EnableExistingNamespaces, false)
	if ns.DeleteNamespaceTimeout == nil {
		d := Duration(10 * time.Minute)
		ns.DeleteNamespaceTimeout = &d
	}
}

func randomSuffix(n int) string {
	const letters = "bcdfghjklmnpqrstvwxz2456789"
	r := newLockedRand(uint64(time.Now().UnixNano()))
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.r.IntN(len(letters))]
	}
	return string(b)
}

// Lint loads a config without running it and returns every problem found,
// warnings included; simulated adds the checks for simulated (kwok) nodes.
func Lint(o LoadOptions, simulated bool) Problems {
	_, ps := lint(o, simulated)
	return ps
}

// lint is Lint that also returns the loaded test (nil when it could not be
// loaded), for the totals a dry run prints.
func lint(o LoadOptions, simulated bool) (*Test, Problems) {
	t, err := Load(o)
	var ps Problems
	if err != nil && !errors.As(err, &ps) {
		return nil, Problems{{File: o.ConfigPath, Msg: err.Error()}}
	}
	if t == nil {
		return nil, ps
	}
	ps = append(ps, t.Warnings...)
	if simulated {
		ps = append(ps, t.SimulatedNodeProblems()...)
	}
	return t, ps.sorted()
}
