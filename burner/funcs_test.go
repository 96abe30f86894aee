package burner

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKubeBurnerTemplateFunctions: the functions kube-burner adds to sprig
// render in object templates.
func TestKubeBurnerTemplateFunctions(t *testing.T) {
	f := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(f, []byte("PEM"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ text, want string }{
		{`{{ Binomial 5 2 }}`, "10"},
		{`{{ Binomial 4 0 }} {{ Binomial 3 4 }}`, "1 0"},
		{`{{ IndexToCombination nil 0 5 2 }}`, "[0 1]"},
		{`{{ IndexToCombination nil 4 5 2 }}`, "[1 2]"},
		{`{{ IndexToCombination nil 9 5 2 }}`, "[3 4]"},
		{`{{ GetSubnet24 0 }} {{ GetSubnet24 258 }} {{ GetSubnet24 65536 }}`, "1.0.0.0/24 1.1.2.0/24 2.0.0.0/24"},
		{`{{ GetIPAddress "10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4" 1 2 }}`, "10.0.0.3 10.0.0.4"},
		{`{{ ReadFile "` + f + `" }}`, "PEM"},
	} {
		tmpl, err := ParseObjectTemplate("t.yaml", []byte(tc.text), nil, false)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		b, err := tmpl.RenderBytes(TemplateVars{})
		if err != nil || string(b) != tc.want {
			t.Errorf("%s = %q (%v), want %q", tc.text, b, err, tc.want)
		}
	}
	tmpl, _ := ParseObjectTemplate("t.yaml", []byte(`{{ GetIPAddress "a b" 1 2 }}`), nil, false)
	if _, err := tmpl.RenderBytes(TemplateVars{}); err == nil {
		t.Error("GetIPAddress past the list's end must fail")
	}
}
