package burner

import (
	"fmt"
	"reflect"

	"github.com/perflab/perflab/internal/strictyaml"
)

// ConfigError is bad input: the file, line and field at fault (perflab's one
// input error type).
type ConfigError = strictyaml.Error

var errorf = strictyaml.Errorf

// unknownField words a key the kube-burner schema does not have.
func unknownField(t reflect.Type, _, _ string) string {
	return fmt.Sprintf("unknown field (not in kube-burner's %s schema)", schemaName(t))
}

func schemaName(t reflect.Type) string {
	switch t.Name() {
	case "Spec":
		return "top-level"
	case "Global":
		return "global"
	case "Job":
		return "job"
	case "Object":
		return "object"
	}
	return t.Name()
}
