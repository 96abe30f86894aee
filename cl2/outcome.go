package cl2

import (
	"errors"
	"fmt"
	"io"
)

// CheckConfig is a dry run: it loads the config of o (and its templates),
// prints every problem with file:line to out, and fails when one of them is
// an error. simulated adds the checks for simulated nodes.
func CheckConfig(o LoadOptions, simulated bool, out io.Writer) error {
	t, ps := lint(o, simulated)
	for _, p := range ps {
		fmt.Fprintln(out, p.String())
	}
	if errs, _ := ps.split(); len(errs) > 0 {
		return fmt.Errorf("%s: %d problems", o.ConfigPath, len(errs))
	}
	fmt.Fprintf(out, "%s: ok; it would make %s\n", o.ConfigPath, t.Totals)
	return nil
}

// OnlyViolations reports whether a run's error is nothing but SLO
// violations (every joined error wraps ErrViolation): the run itself
// worked, its verdict is a failure.
func OnlyViolations(err error) bool {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return errors.Is(err, ErrViolation)
	}
	for _, e := range j.Unwrap() {
		if !OnlyViolations(e) {
			return false
		}
	}
	return len(j.Unwrap()) > 0
}
