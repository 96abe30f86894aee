package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/perflab/perflab/cl2"
	"github.com/perflab/perflab/exitcode"
	"github.com/perflab/perflab/wait"
)

func TestCL2ExitError(t *testing.T) {
	viol := fmt.Errorf("%w: PodStartupLatency: p99 2s > 1s", cl2.ErrViolation)
	tests := []struct {
		err  error
		code int
	}{
		{nil, exitcode.OK},
		{cl2.Problems{{File: "c.yaml", Line: 3, Msg: "bad"}}, exitcode.Error},
		{errors.Join(viol, viol), exitcode.Threshold},
		{errors.Join(nil, errors.Join(viol)), exitcode.Threshold},
		{errors.Join(viol, errors.New("create cm-0: forbidden")), exitcode.Error},
		{fmt.Errorf("step: %w", wait.ErrTimeout), exitcode.Timeout},
		{context.Canceled, exitcode.Interrupted},
	}
	for _, tt := range tests {
		if got := exitcode.Of(cl2ExitError(tt.err)); got != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.err, got, tt.code)
		}
	}
}
