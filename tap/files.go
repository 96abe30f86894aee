package tap

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// maxLine bounds one JSON line (audit events of large requests are long).
const maxLine = 4 << 20

// ReadFile calls fn with every Record of a file: a tap's calls.jsonl or the
// API server's audit log (JSON lines), told apart line by line. Errors name
// the file and line.
func ReadFile(path string, fn func(Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return Read(path, f, fn)
}

// Read is ReadFile on an open reader; name is used in errors.
func Read(name string, r io.Reader, fn func(Record) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	audit := newAuditConverter()
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		rec, ok, err := decodeLine(b, audit)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if !ok {
			continue
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func decodeLine(b []byte, audit *auditConverter) (Record, bool, error) {
	var probe struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return Record{}, false, fmt.Errorf("not JSON: %w", err)
	}
	if probe.Kind == "Event" && strings.HasPrefix(probe.APIVersion, "audit.k8s.io/") {
		if probe.APIVersion != auditv1.SchemeGroupVersion.String() {
			return Record{}, false, fmt.Errorf("audit event apiVersion %q: want %s", probe.APIVersion, auditv1.SchemeGroupVersion)
		}
		var e auditv1.Event
		if err := json.Unmarshal(b, &e); err != nil {
			return Record{}, false, fmt.Errorf("audit event: %w", err)
		}
		rec, ok := audit.convert(&e)
		return rec, ok, nil
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return Record{}, false, fmt.Errorf("tap record: %w", err)
	}
	if rec.Verb == "" || rec.Start.IsZero() {
		return Record{}, false, errors.New(`neither a tap record (no "verb" and "start") nor an audit.k8s.io/v1 Event`)
	}
	return rec, true, nil
}

// SummarizeFiles reads every file into one Stats.
func SummarizeFiles(paths ...string) (*Stats, error) {
	s := NewStats()
	for _, p := range paths {
		if err := ReadFile(p, func(r Record) error { s.Add(r); return nil }); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// ConvertAudit converts an audit log into tap records written to out.
func ConvertAudit(auditLog string, out io.Writer, observe ...func(Record)) error {
	rec := NewRecorder(out, observe...)
	err := ReadFile(auditLog, func(r Record) error { rec.Record(r); return nil })
	return errors.Join(err, rec.Close())
}
