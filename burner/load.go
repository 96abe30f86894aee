package burner

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"

	"go.yaml.in/yaml/v3"

	"github.com/perflab/perflab/internal/strictyaml"
	"github.com/perflab/perflab/metrics"
)

// LoadOptions are the command-line inputs to loading a config.
type LoadOptions struct {
	UserDataFile string   // --user-data: YAML of template variables
	Set          []string // --set path=value, deep-merged after parsing
	AllowMissing bool     // --allow-missing: missing template keys render empty
	// Vars are extra template variables (override env and user data).
	Vars map[string]any
	// SkipTemplates does not read the object templates (destroy needs the
	// job names only).
	SkipTemplates bool
}

// Load reads, renders, strictly decodes, defaults and validates the config at
// path. Every error is a *ConfigError naming file, line and field.
func Load(path string, o LoadOptions) (*Spec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{File: path, Msg: err.Error()}
	}
	vars := EnvVars()
	if o.UserDataFile != "" {
		ud, err := os.ReadFile(o.UserDataFile)
		if err != nil {
			return nil, &ConfigError{File: o.UserDataFile, Msg: err.Error()}
		}
		m := map[string]any{}
		root, err := strictyaml.Parse(o.UserDataFile, ud)
		if err != nil {
			return nil, err
		}
		if err := root.Decode(&m); err != nil {
			return nil, strictyaml.NewIndex(root).DecodeError(o.UserDataFile, err)
		}
		for k, v := range m {
			vars[k] = v
		}
	}
	for k, v := range o.Vars {
		vars[k] = v
	}
	spec, err := Parse(path, raw, vars, o)
	if err != nil {
		return nil, err
	}
	if o.SkipTemplates {
		return spec, nil
	}
	if err := spec.validateTemplates(o.AllowMissing); err != nil {
		return nil, spec.sets.blame(err)
	}
	return spec, nil
}

// Parse renders raw (the contents of file) with vars and decodes it. It does
// not read object templates (Load does).
func Parse(file string, raw []byte, vars map[string]any, o LoadOptions) (*Spec, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errorf(file, 0, "", "configuration file is empty")
	}
	rendered, err := renderText(file, raw, vars, o.AllowMissing)
	if err != nil {
		return nil, err
	}
	root, err := strictyaml.Parse(file, rendered)
	if err != nil {
		return nil, err
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, errorf(file, 0, "", "configuration file is empty")
	}
	if root.Content[0].Kind != yaml.MappingNode {
		return nil, errorf(file, root.Content[0].Line, "", "want a mapping with global and jobs")
	}
	sets, err := applySets(file, root, o.Set)
	if err != nil {
		return nil, err
	}
	if errs := strictyaml.UnknownFields(file, root, reflect.TypeFor[Spec](), unknownField); len(errs) > 0 {
		return nil, sets.blame(errs[0])
	}
	ix := strictyaml.NewIndex(root)
	spec := defaultSpec()
	if err := root.Decode(&spec); err != nil {
		return nil, sets.blame(ix.DecodeError(file, err))
	}
	spec.File = file
	spec.Dir = filepath.Dir(file)
	for i := range spec.MetricsEndpoints {
		spec.MetricsEndpoints[i].Source = metrics.Source{File: file + " metricsEndpoints", Index: i + 1}
	}
	spec.sets = sets
	if err := spec.validate(ix); err != nil {
		return nil, sets.blame(err)
	}
	return &spec, nil
}
