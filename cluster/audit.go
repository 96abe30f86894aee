package cluster

import (
	"fmt"
	"os"
	"path/filepath"
)

// auditPolicy records every request at Metadata level (who, what, when,
// the status; no bodies). RequestReceived is left out: ResponseComplete
// repeats all it says, and long-running requests still log
// ResponseStarted.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
`

// AuditLog is the API server's audit log file, "" when not enabled.
func (c *Cluster) AuditLog() string { return c.opts.AuditLog }

// addAuditArgs writes the audit policy and points the API server at it
// and at Options.AuditLog, unless --apiserver-arg already set them.
func (c *Cluster) addAuditArgs(args componentArgs) error {
	if c.opts.AuditLog == "" {
		return nil
	}
	path, err := filepath.Abs(c.opts.AuditLog)
	if err != nil {
		return fmt.Errorf("audit log %s: %w", c.opts.AuditLog, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("audit log %s: %w", path, err)
	}
	c.opts.AuditLog = path
	policy := filepath.Join(c.dataDir, "audit-policy.yaml")
	if err := writeFileAtomic(policy, []byte(auditPolicy), 0o644); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"audit-policy-file": policy,
		"audit-log-path":    path,
		"audit-log-format":  "json",
	} {
		if _, set := args[k]; !set {
			args[k] = v
		}
	}
	return nil
}
