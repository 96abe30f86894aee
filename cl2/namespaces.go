package cl2

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testLabel marks the namespaces a run created, with the test name.
const testLabel = "perflab.io/cl2-test"

// checkNamespaces fails before a run starts when an automanaged namespace
// already exists and enableExistingNamespaces is off, naming the config's
// namespace field.
func (t *Test) checkNamespaces(ctx context.Context, e *env) error {
	c := t.Config
	if *c.Namespace.EnableExistingNamespaces {
		return nil
	}
	existing, err := e.client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list namespaces: %w", err)
	}
	want := map[string]bool{}
	for _, ns := range e.automanaged() {
		want[ns] = true
	}
	var clash []string
	for _, ns := range existing.Items {
		if want[ns.Name] {
			clash = append(clash, ns.Name)
		}
	}
	if len(clash) == 0 {
		return nil
	}
	return Problems{t.pos.Errorf("namespace", "namespace %s already exists (%d of the %d automanaged namespaces do): set namespace.enableExistingNamespaces: true to use them, or change namespace.prefix",
		clash[0], len(clash), c.Namespace.Number)}
}

// createNamespaces creates <prefix>-1..<prefix>-N. Existing ones are an
// error unless enableExistingNamespaces is set. It returns the namespaces it
// created so that cleanup removes exactly those.
func createNamespaces(ctx context.Context, e *env, c *Config) ([]string, error) {
	existing, err := e.client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	have := map[string]bool{}
	var stale []string
	for _, ns := range existing.Items {
		have[ns.Name] = true
		if _, ok := ns.Labels[testLabel]; ok && !strings.HasPrefix(ns.Name, c.Namespace.Prefix+"-") {
			stale = append(stale, ns.Name)
		}
	}
	if *c.Namespace.DeleteStaleNamespaces && len(stale) > 0 {
		slog.Warn("deleting stale namespaces of earlier runs", "namespaces", stale)
		if err := deleteNamespaces(ctx, e, stale, c.Namespace.DeleteNamespaceTimeout.D()); err != nil {
			return nil, fmt.Errorf("delete stale namespaces: %w", err)
		}
	}
	var created []string
	for _, ns := range e.automanaged() {
		if have[ns] {
			if !*c.Namespace.EnableExistingNamespaces {
				return created, fmt.Errorf("namespace %s already exists (set namespace.enableExistingNamespaces: true to use it, or change namespace.prefix)", ns)
			}
			continue
		}
		obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{testLabel: c.Name}}}
		if _, err := e.client.CoreV1().Namespaces().Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return created, fmt.Errorf("create namespace %s: %w", ns, err)
		}
		created = append(created, ns)
	}
	return created, nil
}

// deleteNamespaces deletes namespaces and waits up to timeout for them to go.
func deleteNamespaces(ctx context.Context, e *env, names []string, timeout time.Duration) error {
	for _, ns := range names {
		err := e.client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete namespace %s: %w", ns, err)
		}
	}
	left := names
	err := pollUntil(ctx, e, timeout, func() (bool, error) {
		var still []string
		for _, ns := range left {
			_, err := e.client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
			if err == nil {
				still = append(still, ns)
			} else if !apierrors.IsNotFound(err) {
				return false, err
			}
		}
		left = still
		return len(left) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("namespaces %v not deleted: %w", left, err)
	}
	return nil
}
