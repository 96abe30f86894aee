// Package version holds perflab's build identity.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is perflab's own version, set at build time with
// -ldflags "-X github.com/perflab/perflab/version.Version=v0.1.0".
var Version = "dev"

// Kubernetes is the version of the embedded control plane components.
const Kubernetes = "v1.36.3"

// String is the one-line description printed by `perflab version`.
func String() string {
	rev := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = s.Value
			}
		}
	}
	return fmt.Sprintf("perflab %s (commit %s, kubernetes %s, %s %s/%s)",
		Version, rev, Kubernetes, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// KubernetesMajor and KubernetesMinor split Kubernetes for /version.
const (
	KubernetesMajor = "1"
	KubernetesMinor = "36"
)
