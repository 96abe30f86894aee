package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/perflab/perflab/tap"
)

// The files of perflab cluster up --audit, in the data directory.
const (
	auditLogName   = "audit.log"
	auditCallsName = "audit-calls.jsonl"
)

// freshAuditLog returns the audit log path of a new session, emptying the
// previous session's log so the summary covers this one.
func freshAuditLog(dataDir string) (string, error) {
	path := filepath.Join(dataDir, auditLogName)
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return "", fmt.Errorf("--audit: %w", err)
	}
	return path, nil
}

// summarizeAudit converts the session's audit log into tap records next to
// it and prints their summary; it does nothing without an audit log.
func summarizeAudit(auditLog string, out io.Writer) error {
	if auditLog == "" {
		return nil
	}
	callsPath := filepath.Join(filepath.Dir(auditLog), auditCallsName)
	f, err := os.Create(callsPath)
	if err != nil {
		return fmt.Errorf("audit records: %w", err)
	}
	st := tap.NewStats()
	if err := tap.ConvertAudit(auditLog, f, st.Add); err != nil {
		f.Close()
		return fmt.Errorf("convert audit log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("audit records: %w", err)
	}
	fmt.Fprintf(out, "\naudit log %s converted to %s (summarize again: perflab tap summarize %s)\n\n", auditLog, callsPath, callsPath)
	return st.Summary(true).Write(out)
}
