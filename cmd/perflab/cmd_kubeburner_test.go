package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// kubeBurnerFlags are the flags of kube-burner's commands (v1.17.3 and
// v2, cmd/kube-burner/kube-burner.go), with their shorthands: each must be
// accepted by perflab's command of the same name.
var kubeBurnerFlags = map[string][]string{
	"init": {"uuid", "metrics-endpoint/e", "skip-tls-verify", "timeout", "config/c", "configmap", "namespace/n",
		"user-metadata", "kubeconfig", "kube-context", "user-data", "allow-missing", "skip-log-file", "set"},
	"destroy":      {"user-data", "timeout", "kubeconfig", "kube-context", "skip-log-file", "config/c", "uuid"},
	"health-check": {"kubeconfig", "kube-context", "skip-log-file"},
	"measure": {"uuid", "user-metadata", "config/c", "job-name/j", "selector/l", "namespaces/n", "kubeconfig", "kube-context",
		"skip-log-file", "duration"},
	"index": {"uuid", "prometheus-url/u", "token/t", "username", "password/p", "metrics-profile/m", "metrics-endpoint/e",
		"skip-tls-verify", "step/s", "start", "end", "job-name/j", "user-metadata", "metrics-directory", "es-server",
		"es-index", "tarball-name", "indexer-type", "skip-log-file"},
	"check-alerts": {"uuid", "prometheus-url/u", "token/t", "username", "password/p", "alert-profile/a", "skip-tls-verify",
		"step/s", "start", "end", "metrics-directory", "es-server", "es-index"},
}

func subcommand(t *testing.T, name string) *cobra.Command {
	t.Helper()
	for _, c := range newRootCommand().Commands() {
		if c.Name() == name {
			return c
		}
	}
	t.Fatalf("perflab has no %s command", name)
	return nil
}

func TestKubeBurnerFlagsAccepted(t *testing.T) {
	for name, flags := range kubeBurnerFlags {
		cmd := subcommand(t, name)
		for _, f := range flags {
			long, short, _ := strings.Cut(f, "/")
			fl := cmd.Flags().Lookup(long)
			if fl == nil {
				t.Errorf("perflab %s has no --%s", name, long)
				continue
			}
			if fl.Shorthand != short {
				t.Errorf("perflab %s --%s: shorthand %q, kube-burner's is %q", name, long, fl.Shorthand, short)
			}
		}
	}
}

// TestSetCommaSeparated: --set takes kube-burner's comma-separated list as
// well as repeated flags.
func TestSetCommaSeparated(t *testing.T) {
	cmd := subcommand(t, "init")
	if err := cmd.ParseFlags([]string{"-c", "x.yml", "--set", "global.gc=false,jobs.0.jobIterations=5", "--set", "jobs.0.qps=7"}); err != nil {
		t.Fatal(err)
	}
	got, err := cmd.Flags().GetStringSlice("set")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "global.gc=false jobs.0.jobIterations=5 jobs.0.qps=7" {
		t.Errorf("--set parsed as %q", got)
	}
}

// TestRunLog: the run log is kube-burner-<uuid>.log in the working
// directory, and --skip-log-file writes none.
func TestRunLog(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	// As setupLogging does: the run log tees the command's handler.
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer slog.SetDefault(prev)
	var rl runLogFlags
	closeLog, err := rl.open("u-1")
	if err != nil {
		t.Fatal(err)
	}
	slog.Info("hello from the run")
	closeLog()
	b, err := os.ReadFile(filepath.Join(dir, "kube-burner-u-1.log"))
	if err != nil || !strings.Contains(string(b), "hello from the run") {
		t.Fatalf("run log: %q %v", b, err)
	}
	rl.skip = true
	closeLog, err = rl.open("u-2")
	if err != nil {
		t.Fatal(err)
	}
	closeLog()
	if _, err := os.Stat(filepath.Join(dir, "kube-burner-u-2.log")); !os.IsNotExist(err) {
		t.Errorf("--skip-log-file wrote a log: %v", err)
	}
}

// TestKubeBurnerLogLevels: kube-burner's --log-level values are accepted.
func TestKubeBurnerLogLevels(t *testing.T) {
	prev := slog.Default()
	defer slog.SetDefault(prev)
	for _, l := range []string{"debug", "info", "warn", "error", "fatal", "trace"} {
		if err := setupLogging(l); err != nil {
			t.Errorf("--log-level %s: %v", l, err)
		}
	}
	if err := setupLogging("loud"); err == nil {
		t.Error("--log-level loud accepted")
	}
}
