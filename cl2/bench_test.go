package cl2

import (
	"testing"
)

// BenchmarkRenderObject renders one object template per iteration, as a
// phase does for every create and update.
func BenchmarkRenderObject(b *testing.B) {
	t, err := Load(LoadOptions{ConfigPath: "../examples/cl2/large-deployment/config.yaml", Environ: []string{}, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	o := t.Steps[1].Phases[0].ObjectBundle[0]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		objs, err := t.render.renderObjects(o.ObjectTemplatePath, t.objectMapping(o, "cl2-deploy-1", i))
		if err != nil || len(objs) != 1 {
			b.Fatal(err)
		}
		i++
	}
}
