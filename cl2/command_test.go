package cl2

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/wait"
)

func TestExitError(t *testing.T) {
	viol := fmt.Errorf("%w: PodStartupLatency: p99 2s > 1s", errViolation)
	tests := []struct {
		err  error
		code int
	}{
		{nil, exitcode.OK},
		{Problems{{File: "c.yaml", Line: 3, Msg: "bad"}}, exitcode.Error},
		{errors.Join(viol, viol), exitcode.Threshold},
		{errors.Join(nil, errors.Join(viol)), exitcode.Threshold},
		{errors.Join(viol, errors.New("create cm-0: forbidden")), exitcode.Error},
		{fmt.Errorf("step: %w", wait.ErrTimeout), exitcode.Timeout},
		{context.Canceled, exitcode.Interrupted},
	}
	for _, tt := range tests {
		if got := exitcode.Of(exitError(tt.err)); got != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.err, got, tt.code)
		}
	}
}
