package burner

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/perflab/perflab/kube"
)

// fieldManager is perflab's server-side apply field manager.
const fieldManager = "perflab"

// runPatch patches, per iteration and object, every object matching the
// object's selector with the rendered patch.
func (jr *jobRun) runPatch(ctx context.Context) error {
	iterations := max(jr.job.JobIterations, 1)
	for _, o := range jr.job.Objects {
		slog.Info(fmt.Sprintf("Job %s: %s %s with selector %s", jr.job.Name, jr.job.JobType, o.Kind, labels.Set(o.LabelSelector)))
	}
	tmpls := make([]*ObjectTemplate, len(jr.job.Objects))
	for k, o := range jr.job.Objects {
		t, err := jr.r.spec.LoadTemplate(o.ObjectTemplate, o.InputVars, jr.r.o.AllowMissing || jr.job.DefaultMissingKeysWithZero)
		if err != nil {
			return err
		}
		tmpls[k] = t
	}
	for i := 0; i < iterations; i++ {
		for k, o := range jr.job.Objects {
			m, err := jr.r.client.Map(apiVersionOr(o.APIVersion), o.Kind)
			if err != nil {
				return err
			}
			t := tmpls[k]
			pt := PatchTypes[o.PatchType]
			raw, err := t.RenderBytes(jr.vars(i, 0))
			if err != nil {
				return err
			}
			body, apply, err := patchBody(o.ObjectTemplate, pt, raw)
			if err != nil {
				return err
			}
			items, err := jr.ops.ListRefs(ctx, m.GVR, "", labels.Set(o.LabelSelector).String())
			if err != nil {
				return fmt.Errorf("list %s: %w", o.Kind, err)
			}
			jr.prog.SetTotal(jr.prog.Done() + int64(len(items)))
			opts := metav1.PatchOptions{}
			if pt == types.ApplyYAMLPatchType {
				force := true
				opts.FieldManager, opts.Force = fieldManager, &force
			}
			jr.forEach(ctx, items, func(ctx context.Context, u kube.Ref) {
				data := body
				if apply != nil {
					data = applyFor(apply, u, m.GVK.GroupVersion().String(), m.GVK.Kind)
				}
				_, err := jr.ops.Patch(ctx, m.GVR, u.Namespace, u.Name, pt, data, opts)
				switch {
				case err == nil:
					jr.prog.Add(1)
					slog.Debug(fmt.Sprintf("Patched %s/%s in namespace %s", o.Kind, u.Name, u.Namespace))
				case apierrors.IsNotFound(err):
					jr.prog.Add(1)
				case !stopped(ctx, err):
					jr.prog.AddError(1)
					jr.fail(fmt.Errorf("patch %s/%s in %s: %w", o.Kind, u.Name, u.Namespace, err))
				}
			})
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err := sleep(ctx, jr.job.ObjectDelay); err != nil {
				return err
			}
		}
		if err := sleep(ctx, jr.job.JobIterationDelay); err != nil {
			return err
		}
	}
	return nil
}

// patchBody turns a rendered patch template into the request body. JSON
// templates are sent as they are; YAML ones become JSON, except apply
// patches, returned as a map to be completed per object.
func patchBody(file string, pt types.PatchType, raw []byte) ([]byte, map[string]any, error) {
	if strings.HasSuffix(file, ".json") {
		return raw, nil, nil
	}
	j, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("patch template %s: %w", file, err)
	}
	if pt != types.ApplyYAMLPatchType {
		return j, nil, nil
	}
	m := map[string]any{}
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, nil, fmt.Errorf("patch template %s: %w", file, err)
	}
	return nil, m, nil
}

// applyFor completes an apply patch with the target's identity.
func applyFor(patch map[string]any, u kube.Ref, apiVersion, kind string) []byte {
	p := maps.Clone(patch)
	md, _ := p["metadata"].(map[string]any)
	md = maps.Clone(md)
	if md == nil {
		md = map[string]any{}
	}
	md["name"] = u.Name
	if u.Namespace != "" {
		md["namespace"] = u.Namespace
	}
	p["metadata"] = md
	if _, ok := p["apiVersion"]; !ok {
		p["apiVersion"] = apiVersion
	}
	if _, ok := p["kind"]; !ok {
		p["kind"] = kind
	}
	b, _ := json.Marshal(p)
	return b
}
