package burner

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/perflab/perflab/kube"
	"github.com/perflab/perflab/wait"
)

const preloadNamespace = "preload-kube-burner"

var dsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}

// containerPaths are where a kind keeps its pod spec.
var podSpecPaths = map[string][]string{
	"Pod":                   {"spec"},
	"Deployment":            {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// images returns the container images of u.
func images(u *unstructured.Unstructured) []string {
	path, ok := podSpecPaths[u.GetKind()]
	if !ok {
		return nil
	}
	var out []string
	for _, field := range []string{"containers", "initContainers"} {
		cs, _, _ := unstructured.NestedSlice(u.Object, append(append([]string{}, path...), field)...)
		for _, c := range cs {
			if m, ok := c.(map[string]any); ok {
				if img, ok := m["image"].(string); ok && img != "" {
					out = append(out, img)
				}
			}
		}
	}
	return out
}

// preload pulls the job's images on every node before the job: a DaemonSet
// with one container per image in its own namespace. It lasts preLoadPeriod
// as kube-burner v1.17's sleep does: the DaemonSet is waited for up to that
// long, the rest of the period slept, then the namespace deleted.
func (jr *jobRun) preload(ctx context.Context) error {
	set := map[string]bool{}
	for _, o := range jr.objs {
		docs, err := o.tmpl.Render(jr.vars(0, 1))
		if err != nil {
			return err
		}
		for _, d := range docs {
			for _, img := range images(d) {
				set[img] = true
			}
		}
	}
	if len(set) == 0 {
		return nil
	}
	imgs := make([]string, 0, len(set))
	for img := range set {
		imgs = append(imgs, img)
	}
	sort.Strings(imgs)
	slog.Info(fmt.Sprintf("Pre-load: images from job %s", jr.job.Name))
	nsLabels := jr.runLabels()
	nsLabels[kube.LabelPreload] = "true"
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
	ns.SetName(preloadNamespace)
	ns.SetLabels(nsLabels)
	if _, err := jr.nsOps.Create(ctx, nsGVR, "", ns); err != nil && !isAlreadyExists(err) {
		return fmt.Errorf("pre-load namespace: %w", err)
	}
	containers := make([]any, 0, len(imgs))
	for i, img := range imgs {
		containers = append(containers, map[string]any{
			"name": fmt.Sprintf("preload-%d", i), "image": img, "imagePullPolicy": "IfNotPresent",
			"command":   []any{"sleep", "infinity"},
			"resources": map[string]any{"requests": map[string]any{"cpu": "1m", "memory": "1Mi"}},
		})
	}
	podLabels := map[string]string{"app": "preload-" + jr.job.Name}
	tl := maps.Clone(podLabels)
	maps.Copy(tl, jr.runLabels())
	spec := map[string]any{
		"containers":                    containers,
		"terminationGracePeriodSeconds": int64(0),
		"tolerations":                   []any{map[string]any{"operator": "Exists"}},
	}
	if len(jr.job.PreLoadNodeLabels) > 0 {
		sel := map[string]any{}
		for k, v := range jr.job.PreLoadNodeLabels {
			sel[k] = v
		}
		spec["nodeSelector"] = sel
	}
	ds := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "DaemonSet",
		"metadata": map[string]any{"name": "preload-" + jr.job.Name, "namespace": preloadNamespace},
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": toAny(podLabels)},
			"template": map[string]any{"metadata": map[string]any{"labels": toAny(tl)}, "spec": spec},
		},
	}}
	ds.SetLabels(jr.runLabels())
	slog.Info(fmt.Sprintf("Pre-load: Creating DaemonSet using images %v in namespace %s", imgs, preloadNamespace))
	start := time.Now()
	if _, err := jr.nsOps.Create(ctx, dsGVR, preloadNamespace, ds); err != nil && !isAlreadyExists(err) {
		return fmt.Errorf("pre-load daemonset: %w", err)
	}
	period := jr.job.PreLoadPeriod
	if period <= 0 {
		period = DefaultPreLoadPeriod
	}
	wctx, cancel := context.WithTimeout(ctx, period)
	pred, _ := wait.ForKind("DaemonSet")
	_, err := wait.Until(wctx, jr.r.client.Dynamic, wait.Target{GVR: dsGVR, Namespace: preloadNamespace,
		FieldSelector: "metadata.name=" + ds.GetName(), Ready: pred, Expected: 1}, nil)
	cancel()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		slog.Warn("pre-load DaemonSet not ready within the pre-load period; continuing", "period", period)
	} else if rest := period - time.Since(start); rest > 0 {
		// kube-burner v1.17 sleeps the whole preLoadPeriod after creating
		// its DaemonSet; perflab also makes sure the images were pulled.
		slog.Info(fmt.Sprintf("Pre-load: images pulled; sleeping for the rest of preLoadPeriod, %v", rest.Round(time.Millisecond)))
		if err := sleep(ctx, rest); err != nil {
			return err
		}
	}
	sel := labels.Set{kube.LabelPreload: "true", kube.LabelRunID: jr.r.runID}.String()
	return deleteNamespaces(ctx, jr.nsOps, sel, max(period, time.Minute))
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
