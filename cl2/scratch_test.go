package cl2

import "testing"

func TestScratch(t *testing.T) {
	for _, p := range []string{"testdata/seeds/pod-startup/pod-startup-config.yaml", "testdata/seeds/large-deployment/large-deployment-config.yaml", "testdata/seeds/api-load/api-load-config.yaml"} {
		_, err := Load(LoadOptions{ConfigPath: p, Environ: []string{}})
		t.Logf("%s:\n%v", p, err)
	}
}
