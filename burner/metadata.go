package burner

import (
	"bytes"
	"os"

	"go.yaml.in/yaml/v3"
)

// ReadMetadata reads a --user-metadata file: a YAML mapping whose keys are
// added to every jobSummary document, as kube-burner does.
func ReadMetadata(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{File: path, Msg: err.Error()}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errorf(path, 0, "", "user metadata file is empty")
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		line, msg := splitYAMLLine(err.Error())
		return nil, errorf(path, line, "", "invalid YAML: %s", msg)
	}
	return m, nil
}
