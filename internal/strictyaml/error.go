package strictyaml

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is one mistake in an input file.
type Error struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	// Field is the path of the field at fault, such as jobs[0].qps; "" if
	// none.
	Field string
	Msg   string
	// Warning marks a probable mistake that does not stop a run.
	Warning bool
}

// Error is file:line: [warning: ][field: ]msg. The column is kept for
// tools; people find the line.
func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Warning {
		b.WriteString("warning: ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// String is Error, for lists of problems that are not errors yet.
func (e Error) String() string { return e.Error() }

// Errorf builds an Error at file:line for field.
func Errorf(file string, line int, field, format string, a ...any) *Error {
	return &Error{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Join is path.field, or field at the root.
func Join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}
