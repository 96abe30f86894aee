package metrics

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
	yaml "go.yaml.in/yaml/v3"
)

// DefaultStep is kube-burner's default Prometheus step.
const DefaultStep = 30 * time.Second

// IndexerConfig is kube-burner's indexer block; only type "local" is
// supported.
type IndexerConfig struct {
	Type             string `yaml:"type"`
	Enabled          bool   `yaml:"enabled"`
	MetricsDirectory string `yaml:"metricsDirectory"`
	// Accepted for compatibility; elastic/opensearch are refused by Validate.
	ESServers          []string `yaml:"esServers"`
	DefaultIndex       string   `yaml:"defaultIndex"`
	InsecureSkipVerify bool     `yaml:"insecureSkipVerify"`
	CreateTarball      bool     `yaml:"createTarball"`
	TarballName        string   `yaml:"tarballName"`
}

// EndpointConfig is one item of kube-burner's metricsEndpoints (in the job
// config, or the list given with -e/--metrics-endpoint).
type EndpointConfig struct {
	Endpoint      string        `yaml:"endpoint"`
	Token         string        `yaml:"token"`
	Username      string        `yaml:"username"`
	Password      string        `yaml:"password"`
	Step          time.Duration `yaml:"step"`
	SkipTLSVerify *bool         `yaml:"skipTLSVerify"`
	Metrics       []string      `yaml:"metrics"`
	Alerts        []string      `yaml:"alerts"`
	Indexer       IndexerConfig `yaml:"indexer"`
	Alias         string        `yaml:"alias"`
	// Source is where the entry was defined ("" when built in code).
	Source Source `yaml:"-"`
}

// WithDefaults fills kube-burner's defaults: step 30s, skipTLSVerify true,
// a local indexer when metrics are listed. An empty metricsDirectory is left
// for the caller to fill (the run's directory; collected-metrics at last).
func (e EndpointConfig) WithDefaults() EndpointConfig {
	if e.Step == 0 {
		e.Step = DefaultStep
	}
	if e.SkipTLSVerify == nil {
		t := true
		e.SkipTLSVerify = &t
	}
	if e.Indexer.Type == "" && len(e.Metrics) > 0 {
		e.Indexer.Type = "local"
	}
	return e
}

// defaultDirectory sets dir as the local indexer's directory where none is
// given.
func defaultDirectory(cfgs []EndpointConfig, dir string) {
	for i := range cfgs {
		if cfgs[i].Indexer.MetricsDirectory == "" {
			cfgs[i].Indexer.MetricsDirectory = dir
		}
	}
}

// Validate checks the fields perflab acts on.
func (e EndpointConfig) Validate() error {
	where := "metrics endpoint"
	if e.Source.File != "" {
		where = e.Source.String()
	}
	switch {
	case !slices.Contains(indexerTypes, e.Indexer.Type):
		return fmt.Errorf("%s: field indexer.type %q: want one of %q", where, e.Indexer.Type, indexerTypes[1:])
	case e.IndexerOnly():
		return nil // nothing to query; see Usable
	case e.Endpoint == "":
		return fmt.Errorf("%s: field endpoint: missing", where)
	case e.Step < 0:
		return fmt.Errorf("%s: field step: negative", where)
	}
	if _, err := NewClient(e.endpoint()); err != nil {
		return fmt.Errorf("%s: field endpoint: %w", where, err)
	}
	return nil
}

// indexerTypes are kube-burner's indexer types ("" for none). Only local
// writes anything; see Usable.
var indexerTypes = []string{"", "local", "elastic", "opensearch"}

// IndexerOnly tells an entry that lists no metrics or alerts profiles: in
// kube-burner it only names where the run's summaries are indexed.
func (e EndpointConfig) IndexerOnly() bool { return len(e.Metrics) == 0 && len(e.Alerts) == 0 }

// Usable keeps the entries a run queries, and says what it does with the
// rest: indexer-only entries are dropped (job summaries and measurements
// are always written to the run's metrics directory), and elastic or
// opensearch indexers are replaced by the local one, as perflab indexes
// nothing remotely. Both are logged, so a kube-burner config written for a
// remote indexer runs unchanged.
func Usable(cfgs []EndpointConfig) []EndpointConfig {
	var out []EndpointConfig
	for _, e := range cfgs {
		where := "metrics endpoint"
		if e.Source.File != "" {
			where = e.Source.String()
		}
		if remote := e.Indexer.Type; remote != "" && remote != "local" {
			slog.Warn(fmt.Sprintf("%s: indexer type %s is not supported; results are written to the local metrics directory", where, remote))
			e.Indexer = IndexerConfig{Type: "local", MetricsDirectory: e.Indexer.MetricsDirectory}
		}
		if e.IndexerOnly() {
			slog.Warn(fmt.Sprintf("%s: no metrics or alerts profiles, nothing to query; skipped", where))
			continue
		}
		out = append(out, e)
	}
	return out
}

func (e EndpointConfig) endpoint() Endpoint {
	return Endpoint{URL: e.Endpoint, Token: e.Token, Username: e.Username, Password: e.Password, SkipTLSVerify: e.SkipTLSVerify != nil && *e.SkipTLSVerify}
}

// renderEnv renders a metrics-endpoint file as a Go template (with sprig)
// over the environment, as kube-burner does: {{ .PROMURL }}. A missing
// variable is an error.
func renderEnv(file string, raw []byte) ([]byte, error) {
	t, err := template.New(filepath.Base(file)).Option("missingkey=error").Funcs(sprig.TxtFuncMap()).Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("metrics endpoints %s: template: %w", file, err)
	}
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, vars); err != nil {
		return nil, fmt.Errorf("metrics endpoints %s: template: %w", file, err)
	}
	return b.Bytes(), nil
}

// LoadEndpoints reads a metrics-endpoint file: a YAML list of endpoints,
// rendered first with the environment.
// Relative profile paths are tried as given, then next to the file.
func LoadEndpoints(file string) ([]EndpointConfig, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("metrics endpoints: %w", err)
	}
	data, err := renderEnv(file, raw)
	if err != nil {
		return nil, err
	}
	var out []EndpointConfig
	err = decodeList(file, data, func(node *yaml.Node, src Source) error {
		var e EndpointConfig
		if err := decodeStrict(node, &e); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		e.Source = src
		e.Metrics = resolvePaths(file, e.Metrics)
		e.Alerts = resolvePaths(file, e.Alerts)
		e = e.WithDefaults()
		if err := e.Validate(); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// resolvePaths makes profile paths that do not exist as given relative to
// the directory of the file that lists them.
func resolvePaths(file string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if filepath.IsAbs(p) {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if alt := filepath.Join(filepath.Dir(file), p); fileExists(alt) {
			out[i] = alt
		}
	}
	return out
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
