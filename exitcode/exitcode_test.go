package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		name   string
		err    error
		code   int
		silent bool
	}{
		{"nil", nil, OK, false},
		{"plain", base, Error, false},
		{"timeout", With(Timeout, base), Timeout, false},
		{"wrapped twice", fmt.Errorf("job x: %w", With(Threshold, base)), Threshold, false},
		{"quiet alert", Quiet(Alert, base), Alert, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.err); got != tt.code {
				t.Errorf("Of() = %d, want %d", got, tt.code)
			}
			if got := Silent(tt.err); got != tt.silent {
				t.Errorf("Silent() = %v, want %v", got, tt.silent)
			}
		})
	}
	if With(Alert, nil) != nil || Quiet(Alert, nil) != nil {
		t.Error("nil error must stay nil")
	}
}
