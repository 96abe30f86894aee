package cl2

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/perflab/perflab/wait"
)

func TestOnlyViolations(t *testing.T) {
	viol := fmt.Errorf("%w: PodStartupLatency: p99 2s > 1s", ErrViolation)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"problems", Problems{{File: "c.yaml", Line: 3, Msg: "bad"}}, false},
		{"two violations", errors.Join(viol, viol), true},
		{"nested joins", errors.Join(nil, errors.Join(viol)), true},
		{"a violation and a failed call", errors.Join(viol, errors.New("create cm-0: forbidden")), false},
		{"timeout", fmt.Errorf("step: %w", wait.ErrTimeout), false},
		{"interrupted", context.Canceled, false},
	}
	for _, tt := range tests {
		if got := OnlyViolations(tt.err); got != tt.want {
			t.Errorf("%s: OnlyViolations(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
