// Package exitcode maps errors to perflab's process exit codes. It is the one
// place that decides them; only main calls os.Exit.
package exitcode

import "errors"

// Exit codes, shared with kube-burner where they overlap.
const (
	OK          = 0
	Error       = 1 // errors, failed verification, bad input
	Timeout     = 2 // a run or wait exceeded its timeout
	Alert       = 3 // an alert profile fired (error or critical severity)
	Threshold   = 4 // a measurement threshold or SLO was exceeded
	Interrupted = 130
)

// codedError carries an exit code alongside the error it decorates.
type codedError struct {
	code   int
	silent bool
	err    error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// With returns err decorated with an exit code. A nil err stays nil.
func With(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

// Quiet is like With but marks the error as already reported to the user,
// so main prints nothing more (for results that were shown in a summary).
func Quiet(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, silent: true, err: err}
}

// Of returns the exit code for err: OK for nil, the outermost code attached
// with With or Quiet, else Error.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	return Error
}

// Silent reports whether err was marked with Quiet.
func Silent(err error) bool {
	var ce *codedError
	return errors.As(err, &ce) && ce.silent
}
