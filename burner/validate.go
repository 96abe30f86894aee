package burner

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/perflab/perflab/internal/strictyaml"
	"github.com/perflab/perflab/measure"
	"github.com/perflab/perflab/wait"
)

// PatchTypes maps kube-burner patchType values (the MIME types) and perflab's
// short names to patch types.
var PatchTypes = map[string]types.PatchType{
	"json":                                types.JSONPatchType,
	"merge":                               types.MergePatchType,
	"strategic-merge":                     types.StrategicMergePatchType,
	"apply-yaml":                          types.ApplyYAMLPatchType,
	string(types.JSONPatchType):           types.JSONPatchType,
	string(types.MergePatchType):          types.MergePatchType,
	string(types.StrategicMergePatchType): types.StrategicMergePatchType,
	string(types.ApplyYAMLPatchType):      types.ApplyYAMLPatchType,
}

func (s *Spec) validate(ix *strictyaml.Index) error {
	s.index = ix
	at := func(path, format string, a ...any) error {
		return errorf(s.File, ix.Line(path), path, format, a...)
	}
	if len(s.Jobs) == 0 {
		return at("jobs", "no jobs")
	}
	if s.Global.Timeout < 0 {
		return at("global.timeout", "must not be negative")
	}
	if err := validateMeasurements(s.Global.Measurements, "global.measurements", at); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := range s.Jobs {
		j := &s.Jobs[i]
		p := fmt.Sprintf("jobs[%d]", i)
		if j.Name == "" {
			return at(p+".name", "required")
		}
		if errs := validation.IsValidLabelValue(j.Name); len(errs) > 0 {
			return at(p+".name", "%q: %s", j.Name, strings.Join(errs, "; "))
		}
		if seen[j.Name] {
			return at(p+".name", "job name %q used twice", j.Name)
		}
		seen[j.Name] = true
		switch j.JobType {
		case CreateJob, DeleteJob, PatchJob, ReadJob:
		case "kubevirt":
			return at(p+".jobType", "jobType kubevirt (KubeVirt VM operations) is not supported by perflab")
		default:
			return at(p+".jobType", "unknown jobType %q (want create, delete, patch or read)", j.JobType)
		}
		if j.QPS < 0 {
			return at(p+".qps", "must not be negative (got %v)", j.QPS)
		}
		if j.Burst < 0 {
			return at(p+".burst", "must not be negative (got %d)", j.Burst)
		}
		if j.JobIterations < 0 {
			return at(p+".jobIterations", "must not be negative")
		}
		if (j.JobType == CreateJob || j.JobType == ReadJob) && j.JobIterations < 1 {
			return at(p+".jobIterations", "job %s has %d iterations; want at least 1", j.Name, j.JobIterations)
		}
		if j.IterationsPerNamespace < 1 {
			return at(p+".iterationsPerNamespace", "must be at least 1")
		}
		if j.MaxWaitTimeout < 0 || j.JobPause < 0 || j.JobIterationDelay < 0 || j.PreLoadPeriod < 0 {
			return at(p, "durations must not be negative")
		}
		if j.ChurnEnabled() {
			if !j.NamespacedIterations && j.EffectiveChurn().Mode == ChurnNamespaces {
				return at(p+".namespacedIterations", "namespace churn needs namespacedIterations")
			}
			if m := j.ChurnConfig.Mode; m != "" && m != ChurnNamespaces && m != ChurnObjects {
				return at(p+".churnConfig.mode", "unknown mode %q (want namespaces or objects)", m)
			}
			if j.ChurnConfig.Percent < 0 || j.ChurnConfig.Percent > 100 || j.ChurnPercent < 0 || j.ChurnPercent > 100 {
				return at(p+".churnConfig.percent", "must be 0..100")
			}
		}
		switch j.MetricsClosing {
		case MetricsClosingAfterJob, MetricsClosingAfterJobPause, MetricsClosingAfterMeasurements:
		default:
			return at(p+".metricsClosing", "invalid value %q (want afterJob, afterJobPause or afterMeasurements)", j.MetricsClosing)
		}
		if j.GC && s.Global.WaitWhenFinished {
			return at(p+".gc", "a job's gc and global waitWhenFinished cannot be enabled at the same time (as in kube-burner)")
		}
		if len(j.Namespace) > 62 {
			slog.Warn("namespace longer than 62 characters, truncating", "job", j.Name, "namespace", j.Namespace)
			j.Namespace = j.Namespace[:57]
		}
		if j.Namespace == "" {
			j.Namespace = j.Name
		}
		if j.JobType == DeleteJob {
			j.PreLoadImages = false
		}
		if err := validateMeasurements(j.Measurements, p+".measurements", at); err != nil {
			return err
		}
		if len(j.Objects) == 0 {
			return at(p+".objects", "job %s has no objects", j.Name)
		}
		if err := validateV2Job(j, p, at); err != nil {
			return err
		}
		for k := range j.Objects {
			o := &j.Objects[k]
			op := fmt.Sprintf("%s.objects[%d]", p, k)
			switch j.JobType {
			case CreateJob:
				if o.ObjectTemplate == "" {
					return at(op+".objectTemplate", "required for create jobs")
				}
			case DeleteJob, ReadJob:
				if o.Kind == "" {
					return at(op+".kind", "required for %s jobs", j.JobType)
				}
				if len(o.LabelSelector) == 0 {
					return at(op+".labelSelector", "required for %s jobs", j.JobType)
				}
			case PatchJob:
				if o.Kind == "" {
					return at(op+".kind", "required for patch jobs")
				}
				if o.ObjectTemplate == "" {
					return at(op+".objectTemplate", "required for patch jobs")
				}
				if o.PatchType == "" {
					return at(op+".patchType", "required for patch jobs")
				}
				if _, ok := PatchTypes[o.PatchType]; !ok {
					return at(op+".patchType", "unknown patchType %q (want json, merge, strategic-merge, apply-yaml or their MIME types)", o.PatchType)
				}
				if PatchTypes[o.PatchType] == types.ApplyYAMLPatchType && strings.HasSuffix(o.ObjectTemplate, ".json") {
					return at(op+".objectTemplate", "apply patches need a YAML template")
				}
			}
			if len(o.WaitOptions.CustomStatusPaths) > 0 {
				if _, err := wait.CustomStatus(o.WaitOptions.CustomStatusPaths); err != nil {
					return at(op+".waitOptions.customStatusPaths", "%v", err)
				}
			}
		}
	}
	return nil
}

func validateMeasurements(ms []Measurement, path string, at func(string, string, ...any) error) error {
	reg := measure.Default()
	for i, m := range ms {
		p := fmt.Sprintf("%s[%d]", path, i)
		if m.Name == "" {
			return at(p+".name", "required")
		}
		e, _ := reg.Lookup(measure.KubeBurner, m.Name)
		for k, t := range m.Thresholds {
			tp := fmt.Sprintf("%s.thresholds[%d]", p, k)
			if len(e.Conditions) > 0 && !slices.Contains(e.Conditions, t.ConditionType) {
				return at(tp+".conditionType", "unknown conditionType %q (want one of %s)", t.ConditionType, strings.Join(e.Conditions, ", "))
			}
			if _, err := (measure.LatencyQuantiles{}).Value(t.Metric); err != nil {
				return at(tp+".metric", "%v", err)
			}
			if t.Threshold <= 0 {
				return at(tp+".threshold", "must be a positive duration")
			}
		}
	}
	return nil
}

// validateTemplates reads and parses every object template and trial-renders
// create templates (iteration 0, replica 1), so bad templates fail before
// anything is created.
func (s *Spec) validateTemplates(allowMissing bool) error {
	for i, j := range s.Jobs {
		for k, o := range j.Objects {
			if o.ObjectTemplate == "" || j.JobType == DeleteJob || j.JobType == ReadJob {
				continue
			}
			path := fmt.Sprintf("jobs[%d].objects[%d].objectTemplate", i, k)
			line := s.index.Line(path)
			t, err := s.LoadTemplate(o.ObjectTemplate, o.InputVars, allowMissing || j.DefaultMissingKeysWithZero)
			if err != nil {
				if ce, ok := err.(*ConfigError); ok {
					return ce
				}
				return errorf(s.File, line, path, "%v", err)
			}
			v := TemplateVars{Iteration: 0, Replica: 1, JobName: j.Name, UUID: "validate", RunID: "validate"}
			if j.JobType == PatchJob {
				if _, err := t.RenderBytes(v); err != nil {
					return err
				}
				continue
			}
			objs, err := t.Render(v)
			if err != nil {
				return err
			}
			if len(objs) == 0 {
				return errorf(s.File, line, path, "template %s renders no object", o.ObjectTemplate)
			}
			for _, u := range objs {
				if u.GetKind() == "" || u.GetAPIVersion() == "" {
					return errorf(t.Path, 0, "", "rendered object has no kind or apiVersion")
				}
			}
		}
	}
	return nil
}
