package cluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	schedconfig "k8s.io/kubernetes/pkg/scheduler/apis/config"
	schedscheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
	schedvalidation "k8s.io/kubernetes/pkg/scheduler/apis/config/validation"
	"sigs.k8s.io/yaml"

	"github.com/perflab/perflab/internal/strictyaml"
)

// Scheduler default-spreading choices (Options.SchedulerDefaultSpreading).
const (
	// SpreadingSystem keeps kube-scheduler's system default constraints:
	// pods without topologySpreadConstraints of their own are spread by
	// hostname and zone (ScheduleAnyway), as in every real cluster.
	SpreadingSystem = "system"
	// SpreadingNone is PodTopologySpread's defaultingType List with no
	// defaultConstraints, the documented way to turn the cluster-level
	// defaults off. Pods with constraints of their own still get them.
	SpreadingNone = "none"
)

// schedulerConfigWanted reports whether the scheduler runs from a
// configuration file perflab writes, rather than from flags alone.
func (o Options) schedulerConfigWanted() bool {
	return o.SchedulerConfig != "" || o.SchedulerDefaultSpreading == SpreadingNone || o.SchedulerPercentageOfNodesToScore > 0
}

// schedulerConfig returns the KubeSchedulerConfiguration (v1) the
// scheduler runs with when schedulerConfigWanted: the user's file if any,
// with the knobs applied over it and the scheduler's identity
// (clientConnection.kubeconfig) and leaderElection set by perflab. The
// result is decoded and validated as kube-scheduler does, and errors name
// the user's file, line and field.
func (o Options) schedulerConfig(kubeconfig string) ([]byte, error) {
	cfg := map[string]any{}
	var ix *strictyaml.Index
	if o.SchedulerConfig != "" {
		data, err := os.ReadFile(o.SchedulerConfig)
		if err != nil {
			return nil, fmt.Errorf("--scheduler-config: %w", err)
		}
		root, err := strictyaml.Parse(o.SchedulerConfig, data)
		if err != nil {
			return nil, err
		}
		ix = strictyaml.NewIndex(root)
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return nil, fmt.Errorf("--scheduler-config %s: %w", o.SchedulerConfig, err)
		}
		if cfg == nil {
			cfg = map[string]any{}
		}
		if err := checkSchedulerIdentity(o.SchedulerConfig, ix, cfg); err != nil {
			return nil, err
		}
	}
	if cfg["apiVersion"] == nil {
		cfg["apiVersion"] = "kubescheduler.config.k8s.io/v1"
	}
	if cfg["kind"] == nil {
		cfg["kind"] = "KubeSchedulerConfiguration"
	}
	conn := child(cfg, "clientConnection")
	conn["kubeconfig"] = kubeconfig
	// perflab's client rate, unless the file sets one.
	if conn["qps"] == nil {
		conn["qps"] = schedulerQPS
	}
	if conn["burst"] == nil {
		conn["burst"] = schedulerBurst
	}
	child(cfg, "leaderElection")["leaderElect"] = false
	if o.SchedulerPercentageOfNodesToScore > 0 {
		cfg["percentageOfNodesToScore"] = o.SchedulerPercentageOfNodesToScore
	}
	if o.SchedulerDefaultSpreading == SpreadingNone {
		noDefaultSpreading(cfg)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("scheduler configuration: %w", err)
	}
	if err := validateSchedulerConfig(o.SchedulerConfig, ix, out); err != nil {
		return nil, err
	}
	return out, nil
}

// checkSchedulerIdentity refuses a file that would move the scheduler off
// its own identity or make it elect a leader in a one-member control plane.
func checkSchedulerIdentity(file string, ix *strictyaml.Index, cfg map[string]any) error {
	if conn, ok := cfg["clientConnection"].(map[string]any); ok {
		if k, _ := conn["kubeconfig"].(string); k != "" {
			return strictyaml.Errorf(file, ix.Line("clientConnection.kubeconfig"), "clientConnection.kubeconfig",
				"must be empty: perflab runs the scheduler as system:kube-scheduler with its own kubeconfig")
		}
	}
	if le, ok := cfg["leaderElection"].(map[string]any); ok {
		if v, _ := le["leaderElect"].(bool); v {
			return strictyaml.Errorf(file, ix.Line("leaderElection.leaderElect"), "leaderElection.leaderElect",
				"must be false or unset: the embedded control plane has one scheduler")
		}
	}
	return nil
}

// noDefaultSpreading sets PodTopologySpread's args to defaultingType List
// with no defaultConstraints in every profile (one default profile if the
// configuration has none).
func noDefaultSpreading(cfg map[string]any) {
	profiles, _ := cfg["profiles"].([]any)
	if len(profiles) == 0 {
		profiles = []any{map[string]any{"schedulerName": "default-scheduler"}}
	}
	for i, p := range profiles {
		prof, ok := p.(map[string]any)
		if !ok {
			continue // a type error the decoder reports
		}
		args := map[string]any{"defaultingType": "List", "defaultConstraints": []any{}}
		pcs, _ := prof["pluginConfig"].([]any)
		found := false
		for _, pc := range pcs {
			if m, ok := pc.(map[string]any); ok && m["name"] == "PodTopologySpread" {
				a := child(m, "args")
				a["defaultingType"], a["defaultConstraints"] = args["defaultingType"], args["defaultConstraints"]
				found = true
			}
		}
		if !found {
			pcs = append(pcs, map[string]any{"name": "PodTopologySpread", "args": args})
		}
		prof["pluginConfig"] = pcs
		profiles[i] = prof
	}
	cfg["profiles"] = profiles
}

// child returns m[key] as a map, creating it when absent.
func child(m map[string]any, key string) map[string]any {
	c, ok := m[key].(map[string]any)
	if !ok {
		c = map[string]any{}
		m[key] = c
	}
	return c
}

// validateSchedulerConfig decodes data as kube-scheduler loads its --config
// (strictly, with defaults) and validates it. Field errors name the line of
// the user's file when the field comes from it.
func validateSchedulerConfig(file string, ix *strictyaml.Index, data []byte) error {
	if file == "" {
		file = "scheduler configuration"
	}
	obj, gvk, err := schedscheme.Codecs.UniversalDecoder().Decode(data, nil, nil)
	if strict, ok := runtime.AsStrictDecodingError(err); ok && ix != nil && len(strict.Errors()) > 0 {
		// "unknown field \"profiles[0].foo\"": the quoted part is a path.
		msg := strict.Errors()[0].Error()
		path := msg
		if _, q, ok := strings.Cut(msg, `"`); ok {
			path, _, _ = strings.Cut(q, `"`)
		}
		return strictyaml.Errorf(file, ix.Line(path), path, "%s", msg)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	cfg, ok := obj.(*schedconfig.KubeSchedulerConfiguration)
	if !ok {
		return fmt.Errorf("%s: %s is not a KubeSchedulerConfiguration", file, gvk)
	}
	err = schedvalidation.ValidateKubeSchedulerConfiguration(cfg)
	if err == nil {
		return nil
	}
	var errs []error
	if agg, ok := err.(interface{ Errors() []error }); ok {
		errs = agg.Errors()
	} else {
		errs = []error{err}
	}
	var fe *field.Error
	if ix != nil && errors.As(errs[0], &fe) {
		return strictyaml.Errorf(file, ix.Line(fe.Field), fe.Field, "%s", fe.ErrorBody())
	}
	return fmt.Errorf("%s: %w", file, errs[0])
}

// writeSchedulerConfig writes the configuration into the data directory
// (0600, like every file there) and returns its path.
func writeSchedulerConfig(dataDir string, data []byte) (string, error) {
	path := filepath.Join(dataDir, "kube-scheduler-config.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("scheduler configuration: %w", err)
	}
	return path, nil
}
