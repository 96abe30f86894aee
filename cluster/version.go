package cluster

import (
	_ "unsafe" // for go:linkname

	componentversion "k8s.io/component-base/version"

	"github.com/perflab/perflab/version"
)

// Kubernetes components report k8s.io/component-base/version's variables,
// which a Kubernetes release build sets with -ldflags -X. A `go build` or
// `go test` of perflab leaves them at "v0.0.0-master+$Format:%H$", which
// kubectl and client-go cannot parse. Setting them here makes /version
// report the embedded release for every build of perflab, with or without
// ldflags.
//
//go:linkname gitVersion k8s.io/component-base/version.gitVersion
var gitVersion string

//go:linkname gitMajor k8s.io/component-base/version.gitMajor
var gitMajor string

//go:linkname gitMinor k8s.io/component-base/version.gitMinor
var gitMinor string

//go:linkname gitTreeState k8s.io/component-base/version.gitTreeState
var gitTreeState string

func init() {
	if gitVersion == "" || gitVersion[0] != 'v' || gitVersion == "v0.0.0-master+$Format:%H$" {
		gitVersion = version.Kubernetes
		gitMajor, gitMinor = version.KubernetesMajor, version.KubernetesMinor
		gitTreeState = "clean"
		// The package cached the placeholder at its init; refresh it.
		if err := componentversion.SetDynamicVersion(gitVersion); err != nil {
			panic(err) // gitVersion is a constant of this package
		}
	}
}
