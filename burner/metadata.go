package burner

import (
	"bytes"
	"os"

	"github.com/perflab/perflab/internal/strictyaml"
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
	root, err := strictyaml.Parse(path, b)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := root.Decode(&m); err != nil {
		return nil, strictyaml.NewIndex(root).DecodeError(path, err)
	}
	return m, nil
}
