package cl2

import (
	"fmt"
	"strings"
	"testing"
)

// aliasBomb is a YAML mapping of nine nested levels of ten aliases each:
// 10^9 nodes once expanded, in a few hundred bytes.
var aliasBomb = func() string {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		ref := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.Repeat(ref+", ", 9)+ref)
	}
	return b.String()
}()

// TestHostileInputRefused: configs and override files that expand through
// aliases are refused with file and line, and invalid YAML is reported at
// the line of the fault, not where the enclosing block began.
func TestHostileInputRefused(t *testing.T) {
	tests := []struct {
		name     string
		config   string
		override string
		want     string
	}{
		{"config", "name: x\nnamespace: {number: 1}\nsteps: []\nextra:\n  " + strings.ReplaceAll(aliasBomb, "\n", "\n  "), "", "config.yaml:"},
		{"override file", "name: x\nnamespace: {number: 1}\nsteps: []\n", aliasBomb, "o.yaml:"},
		{"invalid YAML on line 4", "name: x\nnamespace:\n  number: 1\n prefix: y\nsteps: []\n", "", "config.yaml:4: invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			if tt.override != "" {
				files["o.yaml"] = tt.override
			}
			path := writeConfig(t, tt.config, files)
			o := LoadOptions{ConfigPath: path, Environ: []string{}}
			if tt.override != "" {
				o.OverridePaths = []string{strings.TrimSuffix(path, "config.yaml") + "o.yaml"}
			}
			_, err := Load(o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load() = %v, want an error naming %q", err, tt.want)
			}
			if !strings.Contains(tt.want, "invalid") && !strings.Contains(err.Error(), "refused") {
				t.Errorf("Load() = %v, want the input refused", err)
			}
		})
	}
}
