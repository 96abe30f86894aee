package runenv

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The domain packages receive an Env and never link the embedded control
// plane: no package of k8s.io/kubernetes or etcd's server, and neither
// target nor cluster, is among their dependencies.
func TestDomainPackagesDoNotLinkTheControlPlane(t *testing.T) {
	// go test caches results by the files a test reads: read the sources
	// so that a new import reruns it.
	if err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".go") {
			_, err = os.ReadFile(path)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const mod = "github.com/perflab/perflab/"
	domains := []string{mod + "burner", mod + "cl2", mod + "metrics", mod + "netperf/...", mod + "cilium", mod + "runenv", mod + "ui"}
	out, err := exec.Command("go", append([]string{"list", "-deps"}, domains...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed %d packages; want the whole graph:\n%s", len(deps), out)
	}
	forbidden := []string{"k8s.io/kubernetes/", "go.etcd.io/etcd/server/"}
	exact := map[string]bool{mod + "cluster": true, mod + "target": true}
	for _, d := range deps {
		if exact[d] {
			t.Errorf("a domain package depends on %s; it should receive a runenv.Env from cmd/perflab", d)
		}
		for _, f := range forbidden {
			if strings.HasPrefix(d, f) {
				t.Errorf("a domain package links %s (the embedded control plane)", d)
			}
		}
	}
}
