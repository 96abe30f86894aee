package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultMetricsDirectory is kube-burner's (v1.17) default for the local
// indexer's metricsDirectory.
const DefaultMetricsDirectory = "collected-metrics"

// LocalIndexer writes documents as kube-burner's local indexer does: one JSON
// array per metricName in <Dir>/<metricName>.json, appending to an existing
// file.
type LocalIndexer struct {
	Dir string
}

// Index appends docs to <Dir>/<metricName>.json and returns the file path.
func (l LocalIndexer) Index(metricName string, docs []any) (string, error) {
	if metricName == "" {
		return "", errors.New("local indexer: empty metricName")
	}
	if len(docs) == 0 {
		return "", fmt.Errorf("local indexer: no documents for %s", metricName)
	}
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return "", fmt.Errorf("local indexer: %w", err)
	}
	file := filepath.Join(l.Dir, metricName+".json")
	var all []json.RawMessage
	if b, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(b, &all); err != nil {
			return "", fmt.Errorf("local indexer: existing %s is not a JSON array: %w", file, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("local indexer: %w", err)
	}
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			return "", fmt.Errorf("local indexer: %s: %w", metricName, err)
		}
		all = append(all, b)
	}
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return "", fmt.Errorf("local indexer: %s: %w", metricName, err)
	}
	tmp, err := os.CreateTemp(l.Dir, "."+metricName+"-*.json")
	if err != nil {
		return "", fmt.Errorf("local indexer: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return "", fmt.Errorf("local indexer: write %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("local indexer: write %s: %w", file, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", fmt.Errorf("local indexer: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", fmt.Errorf("local indexer: write %s: %w", file, err)
	}
	return file, nil
}

// IndexAll indexes each metricName's documents.
func (l LocalIndexer) IndexAll(docs map[string][]Document) ([]string, error) {
	var files []string
	for name, ds := range docs {
		anys := make([]any, len(ds))
		for i := range ds {
			anys[i] = ds[i]
		}
		f, err := l.Index(name, anys)
		if err != nil {
			return files, err
		}
		files = append(files, f)
	}
	return files, nil
}
