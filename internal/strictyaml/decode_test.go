package strictyaml

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// seconds decodes itself from an integer number of seconds.
type seconds time.Duration

func (s *seconds) UnmarshalYAML(n *yaml.Node) error {
	var i int
	if n.Kind != yaml.ScalarNode || n.Decode(&i) != nil {
		return fmt.Errorf("want whole seconds, got a %s", KindName(n))
	}
	*s = seconds(time.Duration(i) * time.Second)
	return nil
}

// selector is tagged like a Kubernetes API type: json only.
type selector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

type job struct {
	Name     string         `yaml:"name"`
	QPS      float64        `yaml:"qps"`
	Replicas int32          `yaml:"replicas"`
	Wait     *bool          `yaml:"wait"`
	Timeout  seconds        `yaml:"timeout"`
	Selector *selector      `yaml:"selector"`
	Params   map[string]any `yaml:"params"`
	Tags     []string       `yaml:"tags"`
}

type plan struct {
	Jobs []job `yaml:"jobs"`
	Meta struct {
		Owner string `yaml:"owner"`
	} `yaml:",inline"`
}

func TestDecoder(t *testing.T) {
	tests := []struct {
		name  string
		d     Decoder
		doc   string
		want  []string // Error() of every problem, in order
		line  map[string]int
		check func(t *testing.T, p plan)
	}{
		{
			name: "exact keys",
			doc:  "owner: me\njobs:\n- name: a\n  qps: 2.5\n  replicas: 1e3\n  wait: true\n  timeout: 30\n  params: {n: 1, m: {k: [1, x]}}\n  tags: [x]\n",
			line: map[string]int{"jobs[0].qps": 4, "jobs[0].params.m.k": 8, "jobs[0].missing": 3, "owner": 1},
			check: func(t *testing.T, p plan) {
				j := p.Jobs[0]
				if p.Meta.Owner != "me" || j.Name != "a" || j.QPS != 2.5 || j.Replicas != 1000 || !*j.Wait || j.Timeout != seconds(30*time.Second) {
					t.Errorf("decoded %+v", p)
				}
				if n, ok := j.Params["n"].(int64); !ok || n != 1 {
					t.Errorf("params.n = %#v, want int64 1", j.Params["n"])
				}
				if _, ok := j.Params["m"].(map[string]any); !ok {
					t.Errorf("params.m = %#v, want map[string]any", j.Params["m"])
				}
			},
		},
		{
			name: "case is significant without FoldCase",
			doc:  "jobs:\n- Name: a\n",
			want: []string{"f.yaml:2: jobs[0].Name: unknown field"},
		},
		{
			name: "FoldCase and json tags",
			d:    Decoder{FoldCase: true, JSONTags: true},
			doc:  "JOBS:\n- Name: a\n  selector: {matchlabels: {app: x}}\n",
			line: map[string]int{"jobs[0].name": 2, "jobs[0].selector.matchLabels.app": 3},
			check: func(t *testing.T, p plan) {
				if p.Jobs[0].Name != "a" || p.Jobs[0].Selector.MatchLabels["app"] != "x" {
					t.Errorf("decoded %+v", p.Jobs[0])
				}
			},
		},
		{
			name: "json tags are not yaml names by default",
			doc:  "jobs:\n- selector: {matchLabels: {app: x}}\n",
			want: []string{"f.yaml:2: jobs[0].selector.matchLabels: unknown field"},
		},
		{
			name: "every mistake at once, decoding goes on",
			d:    Decoder{FoldCase: true, UnknownWarns: true, Unknown: func(t reflect.Type, key, _ string) string { return "no " + key + " in " + t.Name() }},
			doc: "jobs:\n- name: a\n  Name: b\n  qps: fast\n  replicas: 1.5\n  wait: yes\n  timeout: 1m\n  tags: x\n  extra: 1\n" +
				"- name: c\n  params: {a: 1, a: 2}\n  selector: [1]\n  replicas: 3000000000\n",
			want: []string{
				`f.yaml:3: jobs[0].name: duplicate field (first set on line 2)`,
				`f.yaml:4: jobs[0].qps: want a number, got "fast"`,
				`f.yaml:5: jobs[0].replicas: want an integer, got "1.5"`,
				`f.yaml:6: jobs[0].wait: want true or false, got "yes"`,
				`f.yaml:7: jobs[0].timeout: want whole seconds, got a scalar "1m"`,
				`f.yaml:8: jobs[0].tags: want a list, got a scalar "x"`,
				`f.yaml:9: warning: jobs[0].extra: no extra in job`,
				`f.yaml:11: jobs[1].params.a: duplicate key (first set on line 11)`,
				`f.yaml:12: jobs[1].selector: want a mapping (selector), got a list`,
				`f.yaml:13: jobs[1].replicas: want an integer, got "3000000000"`,
			},
			check: func(t *testing.T, p plan) {
				if len(p.Jobs) != 2 || p.Jobs[0].Name != "a" || p.Jobs[1].Name != "c" || p.Jobs[1].Params["a"] != int64(1) {
					t.Errorf("decoded %+v", p.Jobs)
				}
			},
		},
		{
			name: "null and aliases",
			doc:  "jobs:\n- &j {name: a, wait: null}\n- *j\n",
			check: func(t *testing.T, p plan) {
				if len(p.Jobs) != 2 || p.Jobs[1].Name != "a" || p.Jobs[0].Wait != nil {
					t.Errorf("decoded %+v", p.Jobs)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := Parse("f.yaml", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			var p plan
			d := tt.d.Decode("f.yaml", root, &p)
			var got []string
			for _, e := range d.Errors {
				if e.Column == 0 {
					t.Errorf("%v: no column", e)
				}
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for path, want := range tt.line {
				if l := d.Line(path); l != want {
					t.Errorf("Line(%q) = %d, want %d", path, l, want)
				}
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestDecoderFieldNames(t *testing.T) {
	if got := (Decoder{JSONTags: true}).FieldNames(reflect.TypeFor[selector]()); !reflect.DeepEqual(got, []string{"matchLabels"}) {
		t.Errorf("FieldNames(json) = %q", got)
	}
	if got := (Decoder{}).FieldNames(reflect.TypeFor[selector]()); !reflect.DeepEqual(got, []string{"matchlabels"}) {
		t.Errorf("FieldNames() = %q", got)
	}
}

// FuzzDecode: whatever the input, Parse and Decode do not panic, and every
// problem is an Error naming the file.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"jobs:\n- name: a\n  qps: 1\n  params: {a: [1, {b: c}]}\n",
		"JOBS: [{NAME: x, Replicas: 1e2, timeout: 3, selector: {MatchLabels: {a: b}}}]\n",
		"jobs: &a [*a]\n", "owner: [\n", "- 1\n- 2\n", "jobs: {a: 1}\n", "jobs:\n- wait: yes\n  tags: {x: 1}\n",
		laughs(3),
	} {
		f.Add(s)
	}
	d := Decoder{FoldCase: true, JSONTags: true, UnknownWarns: true}
	f.Fuzz(func(t *testing.T, doc string) {
		root, err := Parse("z.yaml", []byte(doc))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "z.yaml" {
				t.Fatalf("Parse() = %v, want an *Error naming the file", err)
			}
			return
		}
		var p plan
		for _, e := range d.Decode("z.yaml", root, &p).Errors {
			if e.File != "z.yaml" || e.Msg == "" {
				t.Fatalf("problem %+v", e)
			}
		}
	})
}
