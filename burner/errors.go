package burner

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ConfigError is bad input: the file, line and field at fault.
type ConfigError struct {
	File  string
	Line  int    // 0 if unknown
	Field string // dotted path such as jobs[0].qps; "" if none
	Msg   string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// splitYAMLLine pulls "line N: msg" out of a yaml.v3 message.
func splitYAMLLine(msg string) (int, string) {
	m := yamlLineRE.FindStringSubmatch(strings.TrimSpace(msg))
	if m == nil {
		return 0, strings.TrimPrefix(msg, "yaml: ")
	}
	n, _ := strconv.Atoi(m[1])
	return n, m[2]
}

func errorf(file string, line int, field, format string, a ...any) *ConfigError {
	return &ConfigError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)}
}
