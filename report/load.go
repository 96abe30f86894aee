package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/perflab/perflab/clusterbench"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/metrics"
	"github.com/perflab/perflab/netperf"
)

// ErrNoResults is returned for a directory holding no result file Load knows.
var ErrNoResults = errors.New("no result files")

// Load reads one result directory. Errors name the file (and, for invalid
// JSON, the line) that could not be read.
func Load(dir string) (*Run, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	r := &Run{Dir: dir, Pods: map[string][]measure.PodLatency{}, Quantiles: map[string][]measure.LatencyQuantiles{},
		Series: map[string][]metrics.Document{}}
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := r.loadFile(e.Name()); err != nil {
			return nil, err
		}
	}
	r.Kind = r.kind()
	if r.Kind == "" {
		return nil, fmt.Errorf("%s: %w (want kube-burner's jobSummary.json or podLatency files, ClusterLoader2 perfdash files or junit.xml, netperf results, or cluster bench's bench.json)", dir, ErrNoResults)
	}
	return r, nil
}

func (r *Run) kind() Kind {
	switch {
	case r.Bench != nil:
		return ClusterBench
	case len(r.Jobs) > 0 || len(r.Pods) > 0:
		return KubeBurner
	case len(r.Netperf) > 0:
		return Netperf
	case len(r.Perfdash) > 0 && r.JUnit == nil && !slices.ContainsFunc(r.Perfdash, notNetperf):
		return Netperf
	case len(r.Perfdash) > 0 || r.JUnit != nil:
		return ClusterLoader2
	case len(r.Series) > 0 || r.Figures != nil:
		return Metrics
	case r.Info != nil: // a run that ended before writing results
		return r.Info.Kind
	}
	return ""
}

func notNetperf(f PerfdashFile) bool { return f.Summary != netperfSummary }

// netperfSummary is the first part of netperf's perfdash file name.
const netperfSummary = "NetworkPerformance"

func (r *Run) loadFile(name string) error {
	path := filepath.Join(r.Dir, name)
	switch {
	case name == RunInfoFile:
		r.Info = &RunInfo{}
		return readJSON(path, r.Info)
	case name == clusterbench.JSONFile:
		r.Bench = &clusterbench.File{}
		return readJSON(path, r.Bench)
	case name == "jobSummary.json":
		return readJSON(path, &r.Jobs)
	case strings.HasPrefix(name, measure.PodLatencyQuantilesMetric) && strings.HasSuffix(name, ".json"):
		var qs []measure.LatencyQuantiles
		if err := readJSON(path, &qs); err != nil {
			return err
		}
		r.Quantiles[jobOf(name, measure.PodLatencyQuantilesMetric, qs, func(q measure.LatencyQuantiles) string { return q.JobName })] = qs
	case strings.HasPrefix(name, measure.PodLatencyMetric) && strings.HasSuffix(name, ".json"):
		ps, err := readJSONArray[measure.PodLatency](path)
		if err != nil {
			return err
		}
		r.Pods[jobOf(name, measure.PodLatencyMetric, ps, func(p measure.PodLatency) string { return p.JobName })] = ps
	case name == "junit.xml":
		return r.loadJUnit(path)
	case name == netperf.ResultsFileName:
		var doc struct {
			Results []netperf.Result `json:"results"`
		}
		if err := readJSON(path, &doc); err != nil {
			return err
		}
		r.Netperf = doc.Results
	case strings.HasSuffix(name, ".json"):
		return r.loadOtherJSON(path, name)
	}
	return nil
}

// jobOf is the job a podLatency file belongs to: its documents' jobName,
// else the file name's suffix (kube-burner: <metric>-<job>.json).
func jobOf[T any](name, metric string, docs []T, job func(T) string) string {
	if len(docs) > 0 && job(docs[0]) != "" {
		return job(docs[0])
	}
	return strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(name, metric), ".json"), "-")
}

// loadOtherJSON takes a perfdash file (an object with dataItems) or a
// kube-burner metric file (an array of documents with metricName); any
// other JSON file is not a result and is skipped.
func (r *Run) loadOtherJSON(path, name string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read results: %w", err)
	}
	t := bytes.TrimLeft(b, " \t\r\n")
	switch {
	case bytes.HasPrefix(t, []byte("{")):
		if err := checkJSON(path, b); err != nil {
			return err
		}
		var probe struct {
			DataItems json.RawMessage `json:"dataItems"`
			Figures   json.RawMessage `json:"figures"`
		}
		if json.Unmarshal(b, &probe) != nil {
			return nil
		}
		if probe.Figures != nil {
			r.Figures = &Figures{}
			return decodeJSON(path, b, r.Figures)
		}
		if probe.DataItems == nil {
			return nil
		}
		f := PerfdashFile{Path: path}
		if err := decodeJSON(path, b, &f.Data); err != nil {
			return err
		}
		f.Summary, f.Test, f.Time = parsePerfdashName(name)
		r.Perfdash = append(r.Perfdash, f)
	case bytes.HasPrefix(t, []byte("[")):
		var docs []metrics.Document
		if err := decodeJSON(path, b, &docs); err != nil {
			return err
		}
		if len(docs) == 0 || docs[0].MetricName == "" {
			return nil
		}
		if docs[0].MetricName == metrics.AlertMetricName {
			var alerts []metrics.AlertDocument
			if err := decodeJSON(path, b, &alerts); err != nil {
				return err
			}
			r.Alerts = append(r.Alerts, alerts...)
			return nil
		}
		r.Series[docs[0].MetricName] = append(r.Series[docs[0].MetricName], docs...)
	case len(t) > 0:
		return checkJSON(path, b)
	}
	return nil
}

// parsePerfdashName splits <Summary>_<test>_<RFC 3339>.json; names not in
// that form keep their stem as the summary.
func parsePerfdashName(name string) (summary, test string, at time.Time) {
	stem := strings.TrimSuffix(name, ".json")
	parts := strings.Split(stem, "_")
	if len(parts) >= 3 {
		if t, err := time.Parse(time.RFC3339, parts[len(parts)-1]); err == nil {
			return parts[0], strings.Join(parts[1:len(parts)-1], "_"), t
		}
	}
	return stem, "", time.Time{}
}

func (r *Run) loadJUnit(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read results: %w", err)
	}
	var j JUnit
	if err := xml.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("%s: invalid junit XML: %w", path, err)
	}
	r.JUnit = &j
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read results: %w", err)
	}
	return decodeJSON(path, b, v)
}

// readJSONArray reads a JSON array of T an element at a time, so a file of
// 150,000 podLatency documents is not also held as bytes. Anything else
// (null, invalid JSON, a type mismatch) is read by readJSON, whose errors
// name the line.
func readJSONArray[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	defer f.Close()
	out, ok := decodeArray[T](json.NewDecoder(bufio.NewReaderSize(f, 64<<10)))
	if !ok {
		out = nil
		if err := readJSON(path, &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeArray decodes one JSON array and nothing after it; ok is false for
// anything else.
func decodeArray[T any](dec *json.Decoder) (out []T, ok bool) {
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, false
	}
	out = []T{}
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, v)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim(']') {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return out, true
}

// decodeJSON decodes b into v; errors name path and the line.
func decodeJSON(path string, b []byte, v any) error {
	if err := checkJSON(path, b); err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%s:%d: field %s: %s where %s was expected", path, lineAt(b, te.Offset), te.Field, te.Value, te.Type)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// checkJSON rejects empty, truncated or malformed JSON with the line.
func checkJSON(path string, b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return fmt.Errorf("%s: empty file", path)
	}
	if json.Valid(b) {
		return nil
	}
	var v any
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if se.Offset >= int64(len(b)) || strings.Contains(se.Error(), "unexpected end") {
			return fmt.Errorf("%s:%d: truncated JSON (the file ends in the middle of a value)", path, lineAt(b, int64(len(b))))
		}
		return fmt.Errorf("%s:%d: invalid JSON: %v", path, lineAt(b, se.Offset), se)
	}
	return fmt.Errorf("%s: invalid JSON: %v", path, err)
}

func lineAt(b []byte, off int64) int {
	off = min(max(off, 0), int64(len(b)))
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// LoadAll reads each directory and checks they are all of one kind.
func LoadAll(dirs []string) ([]*Run, error) {
	runs := make([]*Run, 0, len(dirs))
	for _, d := range dirs {
		r, err := Load(d)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// sameKind checks that every run is of the first run's kind.
func sameKind(runs []*Run) error {
	for _, r := range runs[1:] {
		if r.Kind != runs[0].Kind {
			return fmt.Errorf("%s is a %s result and %s a %s result: compare runs of one kind", runs[0].Dir, runs[0].Kind, r.Dir, r.Kind)
		}
	}
	return nil
}
