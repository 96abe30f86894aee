package metrics

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseMetricProfileErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // all must appear in the error
	}{
		{"not a list", "query: up\n", []string{"p.yml:1", "want a list"}},
		{"empty", "", []string{"p.yml", "empty profile"}},
		{"unknown field", "- query: up\n  metricName: up\n- query: up\n  metricname: x\n", []string{"p.yml:3 (entry 2)", "line 4", `unknown field "metricname"`}},
		{"missing query", "- metricName: up\n", []string{"p.yml:1 (entry 1)", "field query: missing"}},
		{"missing metricName", "- query: up\n", []string{"p.yml:1 (entry 1)", "field metricName: missing"}},
		{"bad template", "- query: rate(x[{{.elapsed]) \n  metricName: x\n", []string{"p.yml:1 (entry 1)", "field query", "template"}},
		{"path in name", "- query: up\n  metricName: ../up\n", []string{"entry 1", "file name"}},
		{"captureStart without instant", "- query: up\n  metricName: up\n  captureStart: true\n", []string{"entry 1", "captureStart"}},
		{"wrong type", "- query: up\n  metricName: up\n  instant: maybe\n", []string{"entry 1", "line 3", "bool"}},
		{"yaml syntax", "- query: [\n", []string{"p.yml:1: invalid YAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMetricProfile("p.yml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestParseMetricProfile(t *testing.T) {
	p, err := ParseMetricProfile("p.yml", []byte("# c\n- query: up\n  metricName: up\n\n- query: avg_over_time(up[{{.elapsed}}:])\n  metricName: avgUp\n  instant: true\n  captureStart: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Metrics) != 2 || p.Metrics[1].Source.Line != 5 || p.Metrics[1].Source.Index != 2 || !p.Metrics[1].CaptureStart {
		t.Fatalf("parsed %+v", p.Metrics)
	}
	q, err := renderQuery(p.Metrics[1].Query, "90s")
	if err != nil || q != "avg_over_time(up[90s:])" {
		t.Fatalf("rendered %q, %v", q, err)
	}
}

func TestSeedProfile(t *testing.T) {
	p, err := LoadMetricProfile("seed")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range p.Metrics {
		names[m.MetricName] = true
	}
	for _, want := range []string{"apiserverRequestRate", "apiserverQPSByVerb", "apiserverP90LatencyByVerb", "etcdP99LatencyByOperation", "workqueueDepthByName", "apiserverErrorRateByCode"} {
		if !names[want] {
			t.Errorf("seed profile lacks %s", want)
		}
	}
	if got := BuiltinProfiles(); len(got) == 0 || got[0] != "seed" {
		t.Errorf("BuiltinProfiles() = %v", got)
	}
	_, err = LoadMetricProfile("sede")
	if err == nil || !strings.Contains(err.Error(), "built-in: seed") {
		t.Errorf("unknown name error = %v, want the built-in list", err)
	}
}

func TestParseAlertProfile(t *testing.T) {
	p, err := ParseAlertProfile("a.yml", []byte("- expr: up == 1\n  description: '{{$labels.instance}} is up ({{$value}})'\n  severity: error\n- expr: up == 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Alerts[1].Severity != SeverityInfo {
		t.Errorf("default severity = %q, want info", p.Alerts[1].Severity)
	}
	if got := p.Alerts[0].describe(Labels{"instance": "x:1"}, 1.23456); got != "x:1 is up (1.235)" {
		t.Errorf("description = %q", got)
	}
	if got := p.Alerts[1].describe(nil, 0); got != "up == 0 (value 0)" {
		t.Errorf("empty description gives %q, want the expression", got)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"- expr: up\n  severity: fatal\n", `a.yml:1 (entry 1): field severity "fatal"`},
		{"- description: x\n", "field expr: missing"},
		{"- expr: up\n  description: '{{$labels.x'\n", "field description"},
		{"- expr: up\n  for: 5m\n", `unknown field "for"`},
	} {
		if _, err := ParseAlertProfile("a.yml", []byte(tt.yaml)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseAlertProfile(%q) error = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestLoadEndpoints(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("m.yml", "- query: up\n  metricName: up\n")
	f := write("ep.yml", "- endpoint: http://127.0.0.1:9090\n  metrics: [m.yml, seed]\n  alerts: [a.yml]\n- endpoint: https://prom.example:9091\n  token: t\n  step: 10s\n  skipTLSVerify: false\n  alerts: [a.yml]\n  indexer: {type: local, metricsDirectory: out}\n")
	eps, err := LoadEndpoints(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 2 {
		t.Fatalf("%d endpoints", len(eps))
	}
	e := eps[0]
	if e.Step != DefaultStep || !*e.SkipTLSVerify || e.Indexer.Type != "local" || e.Indexer.MetricsDirectory != "" {
		t.Errorf("defaults not applied: %+v", e)
	}
	if e.Metrics[0] != filepath.Join(dir, "m.yml") || e.Metrics[1] != "seed" {
		t.Errorf("profile paths = %v", e.Metrics)
	}
	if eps[1].Step.Seconds() != 10 || *eps[1].SkipTLSVerify || eps[1].Indexer.MetricsDirectory != "out" {
		t.Errorf("second endpoint = %+v", eps[1])
	}
	for _, tt := range []struct{ yaml, want string }{
		{"- metrics: [m.yml]\n", "(entry 1): field endpoint: missing"},
		{"- endpoint: http://x:1\n  metrics: [m.yml]\n  indexer: {type: elasticc}\n", `field indexer.type "elasticc": want one of`},
		{"- endpoint: x:1\n  metrics: [m.yml]\n", "field endpoint"},
		{"- endpoint: http://x:1\n  metrics: [m.yml]\n  stepp: 1s\n", `unknown field "stepp"`},
		{"- endpoint: http://x:1\n  metrics: [m.yml]\n  indexer: {type: local, metricsDir: x}\n", `field indexer: line 3: unknown field "metricsDir"`},
	} {
		_, err := LoadEndpoints(write("bad.yml", tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "bad.yml") {
			t.Errorf("LoadEndpoints(%q) error = %v, want %q and the file name", tt.yaml, err, tt.want)
		}
	}
}

// TestUsable: indexer-only entries are dropped and remote indexers become
// local, so kube-burner configs written for Elasticsearch run unchanged.
func TestUsable(t *testing.T) {
	es := IndexerConfig{Type: "elastic", ESServers: []string{"https://es.example.org"}, DefaultIndex: "kb", MetricsDirectory: "out"}
	for _, tt := range []struct {
		name string
		in   []EndpointConfig
		want []EndpointConfig
	}{
		{"indexer only", []EndpointConfig{{Indexer: es}}, nil},
		{"empty", []EndpointConfig{{}}, nil},
		{"remote indexer with profiles", []EndpointConfig{{Endpoint: "http://p:9090", Metrics: []string{"m.yml"}, Indexer: es}},
			[]EndpointConfig{{Endpoint: "http://p:9090", Metrics: []string{"m.yml"}, Indexer: IndexerConfig{Type: "local", MetricsDirectory: "out"}}}},
		{"alerts only kept", []EndpointConfig{{Endpoint: "http://p:9090", Alerts: []string{"a.yml"}}, {Indexer: es}},
			[]EndpointConfig{{Endpoint: "http://p:9090", Alerts: []string{"a.yml"}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, e := range tt.in {
				if err := e.WithDefaults().Validate(); err != nil {
					t.Fatalf("Validate(%+v) = %v, want accepted", e, err)
				}
			}
			if got := Usable(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Usable = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Profiles and endpoint files get the same limits as every YAML input: a
// few hundred bytes of nested aliases are refused at once.
func TestProfileAliasBombRefused(t *testing.T) {
	bomb := "- query: up\n  metricName: up\n  x: &a [1,1,1,1,1,1,1,1,1,1]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		bomb += "  " + n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 9) + "*" + prev + "]\n"
		prev = n
	}
	_, err := ParseMetricProfile("p.yml", []byte(bomb))
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want the profile refused", err)
	}
	if _, err := ParseAlertProfile("a.yml", []byte(strings.Replace(bomb, "query", "expr", 1))); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("alert profile: err = %v, want it refused", err)
	}
}

// TestLoadEndpointsRendersEnvironment: a metrics-endpoint file is a
// template over the environment, as in kube-burner ({{ .PROMURL }}).
func TestLoadEndpointsRendersEnvironment(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "ep.yml")
	if err := os.WriteFile(f, []byte("- endpoint: {{ .PROMURL }}\n  metrics: [seed]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROMURL", "http://127.0.0.1:9099")
	eps, err := LoadEndpoints(f)
	if err != nil {
		t.Fatal(err)
	}
	if eps[0].Endpoint != "http://127.0.0.1:9099" {
		t.Errorf("rendered endpoint %+v", eps[0])
	}
	if err := os.WriteFile(f, []byte("- endpoint: {{ .NO_SUCH_VARIABLE_X }}\n  metrics: [seed]\n"), 0o644); err == nil {
		if _, err := LoadEndpoints(f); err == nil || !strings.Contains(err.Error(), "ep.yml") {
			t.Errorf("a missing variable must be an error naming the file, got %v", err)
		}
	}
}
