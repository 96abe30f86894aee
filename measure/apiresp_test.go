package measure

import (
	"strings"
	"testing"
	"time"
)

// params is a call's parameters for unit tests: absent keys give the
// default.
type params map[string]any

func get[T any](p params, k string, def T) T {
	if v, ok := p[k].(T); ok {
		return v
	}
	return def
}

func (p params) Str(k, def string) string                           { return get(p, k, def) }
func (p params) Int(k string, def int) int                          { return get(p, k, def) }
func (p params) Float(k string, def float64) float64                { return get(p, k, def) }
func (p params) Bool(k string, def bool) bool                       { return get(p, k, def) }
func (p params) Duration(k string, def time.Duration) time.Duration { return get(p, k, def) }

// The gather params of CL2's APIResponsiveness shape the result: the
// summary's name, whether a violation is enforced, the thresholds.
func TestAPIResponsivenessResult(t *testing.T) {
	calls := apiCallsFromDelta(sliSnapshot())
	m := &apiResponsiveness{cfg: Config{Name: "APIResponsivenessPrometheus", ID: "APIResponsiveness"}}
	tests := []struct {
		name     string
		p        params
		file     string
		pass     bool
		enforced bool
		detail   string
	}{
		{"defaults", params{}, "APIResponsivenessPrometheus", false, false, "1 of 4 API call kinds over SLO: PATCH configmaps (resource) p90 1.6s > 1s"},
		{"enforced, own name", params{"enableViolations": true, "summaryName": "APIResponsiveness"}, "APIResponsiveness", false, true, "over SLO"},
		{"slow calls allowed", params{"allowedSlowCalls": 1}, "APIResponsivenessPrometheus", true, false, "4 API call kinds within SLO"},
		{"custom threshold", params{"customThresholds": "- {verb: PATCH, resource: configmaps, scope: resource, threshold: 5s}"}, "APIResponsivenessPrometheus", true, false, "within SLO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := m.result(tt.p, calls)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Files) != 1 || res.Files[0].Name != tt.file {
				t.Errorf("files %+v, want one named %s", res.Files, tt.file)
			}
			c := res.Checks[0]
			if c.Name != "APIResponsivenessPrometheus APIResponsiveness" || c.Pass != tt.pass || c.Enforced != tt.enforced || !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("check %+v, want pass %v enforced %v detail with %q", c, tt.pass, tt.enforced, tt.detail)
			}
		})
	}
	if _, err := m.result(params{"customThresholds": "- {verb: GET, threshold: soon}"}, calls); err == nil || !strings.Contains(err.Error(), "positive duration") {
		t.Errorf("bad customThresholds: err = %v", err)
	}
}
