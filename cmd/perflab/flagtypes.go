package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/validation"
)

// durationValue is a --timeout-like flag: a Go duration that is not negative.
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }
func (d *durationValue) Type() string   { return "duration" }

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration (e.g. 90s, 10m, 1h30m)")
	}
	if v < 0 {
		return errors.New("must not be negative")
	}
	*d = durationValue(v)
	return nil
}

// durationVar defines a non-negative duration flag.
func durationVar(fs *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var((*durationValue)(p), name, usage)
}

// uuidValue is a run's --uuid: it becomes the value of the run's labels and
// of label selectors, so it must be a non-empty label value.
type uuidValue string

func (u *uuidValue) String() string { return string(*u) }
func (u *uuidValue) Type() string   { return "string" }

func (u *uuidValue) Set(s string) error {
	if s == "" {
		return errors.New("must not be empty (leave the flag out for a new uuid)")
	}
	if errs := validation.IsValidLabelValue(s); len(errs) > 0 {
		return errors.New("it labels the run's objects, so it must be a valid label value: " + strings.Join(errs, "; "))
	}
	*u = uuidValue(s)
	return nil
}

// uuidVar defines a --uuid flag.
func uuidVar(fs *pflag.FlagSet, p *string, usage string) {
	fs.Var((*uuidValue)(p), "uuid", usage)
}

// percentValue is a --tolerance-like flag: "10%" or 0.1, not negative.
type percentValue float64

func (p *percentValue) String() string {
	return strconv.FormatFloat(float64(*p)*100, 'g', -1, 64) + "%"
}
func (p *percentValue) Type() string { return "percent" }
func (p *percentValue) Set(s string) error {
	s = strings.TrimSpace(s)
	div := 1.0
	if strings.HasSuffix(s, "%") {
		s, div = strings.TrimSuffix(s, "%"), 100
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return fmt.Errorf("%q: want a percentage such as 10%%", s)
	}
	*p = percentValue(v / div)
	return nil
}
