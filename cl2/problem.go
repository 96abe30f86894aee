package cl2

import (
	"fmt"
	"sort"
	"strings"

	"github.com/perflab/perflab/internal/strictyaml"
)

// Problem is one mistake in an input file, located by file and line (a
// Warning marks a probable mistake that does not stop the run).
type Problem = strictyaml.Error

// Problems are all the mistakes found in a config and its templates. As an
// error it prints one mistake per line, sorted by file and line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, 0, len(ps)+1)
	if len(ps) > 1 {
		lines = append(lines, fmt.Sprintf("%d problems:", len(ps)))
	}
	for _, p := range ps.sorted() {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// Err returns ps as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps.sorted()
}

// split separates errors from warnings.
func (ps Problems) split() (errs, warns Problems) {
	for _, p := range ps {
		if p.Warning {
			warns = append(warns, p)
		} else {
			errs = append(errs, p)
		}
	}
	return errs, warns
}

func (ps Problems) sorted() Problems {
	out := append(Problems(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// positions are the lines of a decoded file's field paths.
type positions = strictyaml.Positions
