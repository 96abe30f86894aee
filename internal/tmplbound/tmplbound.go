// Package tmplbound executes Go templates within bounds, so that a small
// template cannot take the process's memory or time: loop helpers make at
// most MaxItems items, the output is at most a given size, and an execution
// that runs past a time limit is abandoned with an error.
package tmplbound

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"text/template"
	"time"
)

// MaxItems bounds the list one loop helper (CL2's Loop, sprig's until,
// untilStep, seq) makes: far above any node or replica count a template
// loops over, and 8 MB as ints.
const MaxItems = 1_000_000

// ErrTooLarge is returned when a template would render past its bounds.
var ErrTooLarge = errors.New("template too large")

// CheckItems refuses a loop of n items from the helper fn.
func CheckItems(fn string, n float64) error {
	if n > MaxItems {
		return fmt.Errorf("%s %.0f: more than %d items (%w)", fn, n, MaxItems, ErrTooLarge)
	}
	return nil
}

// Limits bound one execution.
type Limits struct {
	// MaxBytes bounds the output.
	MaxBytes int
	// Timeout bounds the time; text/template cannot be stopped, so a
	// timed-out execution is left to finish in the background (the caller
	// is expected to give up on the run).
	Timeout time.Duration
}

// Execute runs t with data into b within l.
func Execute(t *template.Template, b *bytes.Buffer, data any, l Limits) error {
	w := &limitWriter{b: b, left: l.MaxBytes}
	if l.Timeout <= 0 {
		n := b.Len()
		if err := t.Execute(w, data); err != nil {
			b.Truncate(n)
			return wrap(err, l)
		}
		return nil
	}
	// The execution writes into its own buffer so that an abandoned one
	// never touches b.
	var own bytes.Buffer
	w.b = &own
	done := make(chan error, 1)
	go func() { done <- t.Execute(w, data) }()
	tm := time.NewTimer(l.Timeout)
	defer tm.Stop()
	select {
	case err := <-done:
		if err != nil {
			return wrap(err, l)
		}
		b.Write(own.Bytes())
		return nil
	case <-tm.C:
		return fmt.Errorf("rendering took longer than %v: stopped (a loop too large?) (%w)", l.Timeout, ErrTooLarge)
	}
}

func wrap(err error, l Limits) error {
	if errors.Is(err, errOutput) {
		return fmt.Errorf("rendered more than %d MB: stopped (a loop too large?) (%w)", l.MaxBytes>>20, ErrTooLarge)
	}
	return err
}

var errOutput = errors.New("output limit")

type limitWriter struct {
	b    *bytes.Buffer
	left int
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, errOutput
	}
	w.left -= len(p)
	return w.b.Write(p)
}

var _ io.Writer = (*limitWriter)(nil)

// BoundSprigLoops replaces sprig's until, untilStep and seq in m with
// versions that refuse more than MaxItems items.
func BoundSprigLoops(m template.FuncMap) {
	if until, ok := m["until"].(func(int) []int); ok {
		m["until"] = func(n int) ([]int, error) {
			if err := CheckItems("until", math.Abs(float64(n))); err != nil {
				return nil, err
			}
			return until(n), nil
		}
	}
	if untilStep, ok := m["untilStep"].(func(int, int, int) []int); ok {
		m["untilStep"] = func(start, stop, step int) ([]int, error) {
			if step != 0 {
				if err := CheckItems("untilStep", math.Abs(float64(stop-start)/float64(step))); err != nil {
					return nil, err
				}
			}
			return untilStep(start, stop, step), nil
		}
	}
	if seq, ok := m["seq"].(func(...int) string); ok {
		m["seq"] = func(p ...int) (string, error) {
			var n float64
			switch len(p) {
			case 1:
				n = float64(p[0])
			case 2:
				n = float64(p[1] - p[0])
			case 3:
				if p[1] != 0 {
					n = float64(p[2]-p[0]) / float64(p[1])
				}
			}
			if err := CheckItems("seq", math.Abs(n)); err != nil {
				return "", err
			}
			return seq(p...), nil
		}
	}
}
