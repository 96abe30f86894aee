package strictyaml

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// laughs nests levels of ten aliases each: 10^levels nodes once expanded.
func laughs(levels int) string {
	s := "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n"
	for i := 1; i < levels; i++ {
		p := "*a" + string(rune('0'+i-1))
		s += "a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(p+",", 9) + p + "]\n"
	}
	return s
}

func TestParseLimits(t *testing.T) {
	small := Limits{MaxBytes: 1 << 10, MaxNodes: 1000, MaxDepth: 10}
	tests := []struct {
		name, doc, want string
	}{
		{"plain", "a: 1\nb: [1, 2]\n", ""},
		{"a few aliases", "a: &a [1, 2]\nb: *a\nc: *a\n", ""},
		{"nested aliases", laughs(4), "t.yaml:3: expands to more than 1000 YAML nodes"},
		{"too deep", strings.Repeat("[", 12) + strings.Repeat("]", 12), "t.yaml:1: nested deeper than 10 levels"},
		{"deep through aliases", "a: &a [[[[[[1]]]]]]\nb: [[[[[*a]]]]]\n", "t.yaml:1: nested deeper than 10 levels"},
		{"too big", "a: " + strings.Repeat("x", 2000) + "\n", "t.yaml: 2004 bytes: larger than the 1024"},
		{"bad key on line 4", "jobs:\n  - name: a\n    qps: 1\n  jobIterations: 2\n", "t.yaml:4: invalid YAML: did not find expected '-' indicator"},
		{"bad indent on line 4", "a: 1\nb:\n  c: 2\n d: 3\n", "t.yaml:4: invalid YAML"},
		{"unclosed list", "a: 1\nb: [1,\n   2\n", "t.yaml:2: invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := small.Parse("t.yaml", []byte(tt.doc))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Parse() = %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Parse() = %v, want an *Error starting %q", err, tt.want)
			}
		})
	}
}

// Default limits: ten levels of ten aliases (10^10 nodes in 320 bytes) are
// refused at once, and Check applies them to every document of a stream.
func TestDefaultLimitsRefuseAliasBombs(t *testing.T) {
	doc := laughs(10)
	if _, err := Parse("b.yaml", []byte(doc)); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Parse() = %v", err)
	}
	if err := Check("b.yaml", []byte("a: 1\n---\n"+doc)); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Check() = %v", err)
	}
	if err := Check("ok.yaml", []byte("a: 1\n---\nb: 2\n")); err != nil {
		t.Fatalf("Check() of two small documents = %v", err)
	}
}

type inner struct {
	Name string `yaml:"name"`
}

type outer struct {
	Items  []inner          `yaml:"items"`
	ByName map[string]inner `yaml:"byName"`
	Skip   string           `yaml:"-"`
	Plain  int
	Inline struct {
		Extra bool `yaml:"extra"`
	} `yaml:",inline"`
}

func TestUnknownFields(t *testing.T) {
	doc := "items:\n- name: a\n  nmae: b\nbyName:\n  x: {name: c, size: 1}\nplain: 1\nextra: true\nSkip: x\n"
	root, err := Parse("u.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range UnknownFields("u.yaml", root, reflect.TypeFor[outer](), func(t reflect.Type, key, path string) string {
		return "no " + key + " in " + t.Name()
	}) {
		got = append(got, e.Error())
	}
	want := []string{"u.yaml:3: items[0].nmae: no nmae in inner", "u.yaml:5: byName.x.size: no size in inner", "u.yaml:8: Skip: no Skip in outer"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UnknownFields() = %q\nwant %q", got, want)
	}
	if names := FieldNames(reflect.TypeFor[outer]()); !reflect.DeepEqual(names, []string{"byName", "extra", "items", "plain"}) {
		t.Errorf("FieldNames() = %q", names)
	}
}

func TestIndex(t *testing.T) {
	root, err := Parse("i.yaml", []byte("jobs:\n- name: a\n  qps: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(root)
	if ix.Line("jobs[0].qps") != 3 || ix.Line("jobs[0].missing") != 2 || ix.PathAt(3) != "jobs[0].qps" {
		t.Errorf("Line(qps) %d, Line(missing) %d, PathAt(3) %q", ix.Line("jobs[0].qps"), ix.Line("jobs[0].missing"), ix.PathAt(3))
	}
	var v struct {
		Jobs []struct {
			QPS int `yaml:"qps"`
		} `yaml:"jobs"`
	}
	err = ix.DecodeError("i.yaml", root.Decode(&v))
	if want := "i.yaml:3: jobs[0].qps: wrong type: cannot unmarshal string `x` into int"; err.Error() != want {
		t.Errorf("DecodeError() = %q, want %q", err, want)
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "f", Msg: "m"}, "f: m"},
		{Error{File: "f", Line: 3, Column: 7, Field: "a.b", Msg: "m"}, "f:3: a.b: m"},
		{Error{File: "f", Line: 3, Msg: "m", Warning: true}, "f:3: warning: m"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
}
