package cl2

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/perflab/perflab/internal/strictyaml"
)

// fieldHints explain unknown fields that are common mistakes, keyed by
// "<type>.<lowercased key>".
var fieldHints = map[string]string{
	"Config.measurements":          "measurements are not a top-level field; put them in a step: steps: [{name: ..., measurements: [...]}]",
	"QPSLoad.burst":                "qpsLoad has only qps; use globalQPSLoad {qps, burst} for a token bucket with a burst",
	"RandomizedLoad.minqps":        "randomizedLoad has only averageQps (gaps are uniform in [0, 2/averageQps))",
	"RandomizedLoad.maxqps":        "randomizedLoad has only averageQps (gaps are uniform in [0, 2/averageQps))",
	"RandomizedLoad.burstduration": "randomizedLoad has only averageQps; use steppedLoad {burstSize, stepDelay} for bursts",
	"Phase.measurements":           "a step holds either phases or measurements; put the measurements in their own step",
}

// decoder reads configs and modules as CL2 does (through JSON): a key
// matches its field's yaml (or, for API types, json) tag exactly or
// ignoring case, and an unknown field is ignored, so perflab names it in a
// warning and goes on. Wrong types and duplicate keys are errors.
func decoder() strictyaml.Decoder {
	return strictyaml.Decoder{FoldCase: true, JSONTags: true, UnknownWarns: true, Unknown: unknownField}
}

// unknownField words the warning of key, which type t has no field for.
func unknownField(t reflect.Type, key, path string) string {
	if hint, ok := fieldHints[t.Name()+"."+strings.ToLower(key)]; ok {
		return "unknown field, ignored as CL2 ignores it: " + hint
	}
	where := t.Name()
	if path != "" {
		where = path
	}
	names := strictyaml.Decoder{JSONTags: true}.FieldNames(t)
	return fmt.Sprintf("unknown field %q in %s, ignored as CL2 ignores it (known fields: %s)", key, where, strings.Join(names, ", "))
}

// msgEmptyFile is the problem of a file that renders to nothing: an error for
// a test config, but a module whose content sits in a false {{if}} simply
// adds no steps, as in CL2.
const msgEmptyFile = "file is empty"

// decodeDocument decodes the first YAML document of data (the contents of
// file) into out, returning the positions of its fields and the problems.
func decodeDocument(file string, data []byte, out any) (*positions, Problems) {
	pos := &positions{File: file}
	root, err := strictyaml.Parse(file, data)
	if err != nil {
		return pos, Problems{inputProblem(file, err)}
	}
	if root.Kind == 0 {
		return pos, Problems{{File: file, Msg: msgEmptyFile}}
	}
	d := decoder().Decode(file, root, out)
	return d.Positions, d.Errors
}

// inputProblem is the Problem of a file strictyaml refused.
func inputProblem(file string, err error) Problem {
	var e *strictyaml.Error
	if errors.As(err, &e) {
		return *e
	}
	return Problem{File: file, Msg: err.Error()}
}
