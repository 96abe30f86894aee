package tmplbound

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
)

func TestExecuteBounds(t *testing.T) {
	funcs := sprig.TxtFuncMap()
	BoundSprigLoops(funcs)
	tests := []struct {
		name, text string
		l          Limits
		want       string // "" = no error
	}{
		{"small loop", `{{range until 3}}x{{end}}`, Limits{MaxBytes: 10}, ""},
		{"until", `{{range until 200000000}}x{{end}}`, Limits{MaxBytes: 1 << 20}, "until 200000000: more than 1000000 items"},
		{"negative until", `{{range until -200000000}}x{{end}}`, Limits{MaxBytes: 1 << 20}, "until 200000000: more than 1000000 items"},
		{"untilStep", `{{range untilStep 0 300000000 2}}x{{end}}`, Limits{MaxBytes: 1 << 20}, "untilStep 150000000: more than"},
		{"seq", `{{seq 1 5 100000000}}`, Limits{MaxBytes: 1 << 20}, "seq 20000000: more than"},
		{"output", `{{range until 1000000}}xxxxxxxxxx{{end}}`, Limits{MaxBytes: 1 << 20}, "rendered more than 1 MB"},
		{"time", `{{range until 1000000}}{{range until 1000000}}{{end}}{{end}}`, Limits{MaxBytes: 1 << 20, Timeout: 300 * time.Millisecond}, "rendering took longer than 300ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := template.Must(template.New("t").Funcs(funcs).Parse(tc.text))
			var b bytes.Buffer
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			err := Execute(tmpl, &b, nil, tc.l)
			took := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if b.Len() > 0 {
				t.Errorf("%d bytes of a refused rendering kept", b.Len())
			}
			if took > 5*time.Second {
				t.Errorf("refused after %v", took)
			}
			// (A timed-out execution goes on allocating in the background.)
			if alloc := after.TotalAlloc - before.TotalAlloc; tc.l.Timeout == 0 && alloc > 256<<20 {
				t.Errorf("allocated %d MB before refusing", alloc>>20)
			}
		})
	}
}
