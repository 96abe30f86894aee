package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/perflab/perflab/results"
)

// DefaultMetricsDirectory is kube-burner's (v1.17) default for the local
// indexer's metricsDirectory.
const DefaultMetricsDirectory = "collected-metrics"

// LocalIndexer writes documents as kube-burner's local indexer does: one JSON
// array per metricName in <Dir>/<metricName>.json, appending to an existing
// file. Files go through the shared result writer (package results).
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
	dir, err := results.NewDir(l.Dir)
	if err != nil {
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
	if err := dir.WriteJSON(metricName+".json", all); err != nil {
		return "", fmt.Errorf("local indexer: %w", err)
	}
	return file, nil
}
