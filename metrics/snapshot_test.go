package metrics

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

func loadSnapshot(t *testing.T, file string, at time.Time) *Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fams, err := ParseText(f)
	if err != nil {
		t.Fatal(err)
	}
	return NewSnapshot(at, fams)
}

func TestDelta(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := Delta(loadSnapshot(t, "apiserver-before.prom", t0), loadSnapshot(t, "apiserver-after.prom", t0.Add(20*time.Second)))
	if d.Window != 20*time.Second {
		t.Fatalf("window = %v", d.Window)
	}
	// Counters: LIST +2, POST +200, PUT reset 50→20 counts 20, GET +0,
	// DELETE new series counts its 5.
	byVerb := map[string]float64{}
	for _, s := range d.Sum("apiserver_request_total", nil, "verb") {
		byVerb[s.Labels["verb"]] = s.Value
	}
	want := map[string]float64{"LIST": 2, "POST": 200, "PUT": 20, "GET": 0, "DELETE": 5}
	for verb, n := range want {
		if byVerb[verb] != n {
			t.Errorf("increase for verb %s = %v, want %v (all: %v)", verb, byVerb[verb], n, byVerb)
		}
	}
	total := d.Sum("apiserver_request_total", nil)
	if len(total) != 1 || total[0].Value != 227 {
		t.Errorf("total increase = %v, want one series of 227", total)
	}
	errs := d.Sum("apiserver_request_total", func(l Labels) bool { return strings.HasPrefix(l["code"], "4") || strings.HasPrefix(l["code"], "5") }, "code")
	if len(errs) != 2 || errs[0].Labels["code"] != "404" || errs[0].Value != 0 || errs[1].Value != 5 {
		t.Errorf("4xx/5xx = %v, want 404:0 500:5", errs)
	}
	// Gauges keep the later value.
	depth := d.Sum("workqueue_depth", nil, "name")
	if len(depth) != 2 || depth[0].Value != 1 || depth[1].Value != 7 {
		t.Errorf("workqueue_depth = %v, want deployment 1, replicaset 7", depth)
	}
	// Histograms: POST buckets 20/100/180/200, DELETE (new) 0/4/5/5.
	hs := d.SumHistogram("apiserver_request_duration_seconds", nil, "verb")
	if len(hs) != 2 {
		t.Fatalf("histograms by verb = %v", hs)
	}
	del, post := hs[0], hs[1]
	if post.Labels["verb"] != "POST" || post.Count != 200 || post.Sum != 8 {
		t.Fatalf("POST = %+v, want count 200 sum 8", post)
	}
	tests := []struct {
		h    HistogramSeries
		q    float64
		want float64
	}{
		{post, 0.9, 0.1},     // rank 180 at the top of (0.025,0.1]
		{post, 0.6, 0.04375}, // rank 120: 0.025 + 0.075*20/80
		{post, 0.05, 0.0025}, // rank 10: 0.005*10/20
		{del, 0.9, 0.0625},   // rank 4.5: 0.025 + 0.075*0.5/1
		{del, 0.99, 0.09625}, // rank 4.95: 0.025 + 0.075*0.95
		{del, 0.25, 0.01125}, // rank 1.25 in (0.005,0.025]: 0.005 + 0.02*1.25/4
	}
	for _, tt := range tests {
		if got := tt.h.Quantile(tt.q); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s q%v = %v, want %v", tt.h.Labels, tt.q, got, tt.want)
		}
	}
}

func TestHistogramWithoutInfBucket(t *testing.T) {
	// Protobuf expositions leave +Inf out; it comes from the count.
	fams, err := ParseText(strings.NewReader("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 4\nh_sum 3\nh_count 4\n"))
	if err != nil {
		t.Fatal(err)
	}
	fams["h"].Metric[0].Histogram.Bucket = fams["h"].Metric[0].Histogram.Bucket[:1]
	h := NewSnapshot(time.Now(), fams).Families["h"].Histograms[0]
	if len(h.Buckets) != 2 || !math.IsInf(h.Buckets[1].UpperBound, 1) || h.Buckets[1].Count != 4 {
		t.Fatalf("buckets = %v, want +Inf:4 appended", h.Buckets)
	}
}

func TestScrape(t *testing.T) {
	body, err := os.ReadFile("testdata/apiserver-after.prom")
	if err != nil {
		t.Fatal(err)
	}
	var gotAuth, gotAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		gotAuth, gotAccept = r.Header.Get("Authorization"), r.Header.Get("Accept")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()

	target, err := RESTTarget(&rest.Config{Host: srv.URL, BearerToken: "s3cret"}, "")
	if err != nil {
		t.Fatal(err)
	}
	target.Labels = Labels{"instance": "a"}
	s, err := Scrape(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if gotAuth != "Bearer s3cret" || !strings.HasPrefix(gotAccept, "text/plain") {
		t.Errorf("request headers: auth %q accept %q", gotAuth, gotAccept)
	}
	f := s.Families["apiserver_request_total"]
	if f == nil || f.Kind != Counter || len(f.Series) != 5 || f.Series[0].Labels["instance"] != "a" {
		t.Fatalf("apiserver_request_total = %+v", f)
	}

	for _, tt := range []struct{ name, url, want string }{
		{"404", srv.URL + "/nope", "404"},
		{"refused", "http://127.0.0.1:1/metrics", "connection refused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scrape(ctx, Target{URL: tt.url})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.url) {
				t.Fatalf("err = %v, want it to name %s and %q", err, tt.url, tt.want)
			}
		})
	}
}

func TestParseTextErrors(t *testing.T) {
	for _, in := range []string{"", "metric{ 1\n", "# TYPE x counter\nx abc\n"} {
		if _, err := ParseText(strings.NewReader(in)); err == nil {
			t.Errorf("ParseText(%q) accepted", in)
		}
	}
}
