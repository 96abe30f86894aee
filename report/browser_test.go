package report

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/perflab/perflab/internal/browsertest"
)

// chartCheck is what the page drew for one chart, read back from its canvas.
type chartCheck struct {
	ID     string `json:"id"`
	Width  int    `json:"width"`
	Series []struct {
		Label  string `json:"label"`
		Points int    `json:"points"`
		Pixels int    `json:"pixels"`
	} `json:"series"`
}

// countPixels counts, for each chart, the canvas pixels near each series'
// colour: a series that drew nothing has none.
const countPixels = `(() => {
  const count = ` + browsertest.CountColours + `;
  return window.perflabReport.charts.map(c => {
    const cv = document.querySelector('#' + CSS.escape(c.id) + ' canvas');
    const counts = count(cv, c.series.map(s => s.color));
    return { id: c.id, width: cv.width, series: c.series.map((s, j) => ({ label: s.label, points: s.points, pixels: counts[j] })) };
  });
})()`

type pageShape struct {
	name string
	page Page
}

func pageShapes(t *testing.T) []pageShape {
	qps5 := load(t, "kube-burner-qps5-1", "kube-burner-qps5-2", "kube-burner-qps5-3")
	qps50 := load(t, "kube-burner-qps50-1", "kube-burner-qps50-2", "kube-burner-qps50-3")
	c, err := Compare(qps50, qps5, CompareOptions{Tolerance: 0.10})
	if err != nil {
		t.Fatal(err)
	}
	return []pageShape{
		{"kube-burner", BuildPage(load(t, "kube-burner-qps5-1"))},
		{"kube-burner-api", BuildPage(load(t, "kube-burner-s1"))},
		{"kube-burner-native", BuildPage(load(t, "kube-burner-native"))},
		{"kube-burner-partial", BuildPage(load(t, "kube-burner-partial"))},
		{"cl2", BuildPage(load(t, "cl2-pod-startup"))},
		{"netperf", BuildPage(load(t, "netperf-run"))},
		{"netperf-lab-bigtcp", BuildPage(load(t, "netperf-lab"))},
		{"compare", BuildComparePage(qps50, qps5, c)},
		{"cluster-bench", BuildPage(load(t, "cluster-bench"))},
	}
}

// TestPagesInChromium loads each page shape from file:// in headless
// Chromium (internal/browsertest) and fails on any console error, script
// exception or failed load, on a request that is not the page itself, or on
// a chart series that drew nothing. Screenshots go to the test's temp dir
// (and to $PERFLAB_SCREENSHOTS).
func TestPagesInChromium(t *testing.T) {
	browsertest.Chromium(t)
	dir := t.TempDir()
	for _, ps := range pageShapes(t) {
		t.Run(ps.name, func(t *testing.T) {
			path := filepath.Join(dir, ps.name+".html")
			if err := WriteHTML(path, ps.page); err != nil {
				t.Fatal(err)
			}
			checkPage(t, path, ps.name, ps.page)
		})
	}
}

func checkPage(t *testing.T, path, name string, page Page) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tab := browsertest.New(t, ctx)
	var mu sync.Mutex
	var requests []string
	err := chromedp.Listen(tab.Ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if u := e.Request.URL; !strings.HasPrefix(u, "file://"+path) && !strings.HasPrefix(u, "data:") {
				requests = append(requests, "request to "+u)
			}
		case *network.EventLoadingFailed:
			requests = append(requests, "failed load: "+e.ErrorText)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeWarning {
				requests = append(requests, "console warning")
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	tab.Navigate(t, "file://"+path)
	tab.WaitCount(t, "page rendered", `document.body.dataset.rendered === "true" ? 1 : 0`, 1, 30*time.Second)
	checks := browsertest.Eval[[]chartCheck](t, tab, countPixels)
	tab.Screenshot(t, name+".png")
	mu.Lock()
	for _, p := range append(tab.Problems(), requests...) {
		t.Error(p)
	}
	mu.Unlock()
	want := pageCharts(page)
	if len(checks) != len(want) {
		t.Fatalf("page drew %d charts, its data has %d", len(checks), len(want))
	}
	for i, c := range checks {
		if c.Width < 300 {
			t.Errorf("chart %s: canvas %d px wide", c.ID, c.Width)
		}
		for j, s := range c.Series {
			if s.Points == 0 || hiddenUnderLater(want[i], j) {
				continue
			}
			if s.Pixels < 10 {
				t.Errorf("chart %s (%s): series %q has %d values but drew %d pixels of its colour", c.ID, want[i].Title, s.Label, s.Points, s.Pixels)
			}
		}
	}
}

func pageCharts(p Page) []Chart {
	var out []Chart
	add := func(ss []Section) {
		for _, s := range ss {
			out = append(out, s.Charts...)
		}
	}
	add(p.Sections)
	for _, r := range p.Runs {
		add(r.Sections)
	}
	return out
}

// hiddenUnderLater: a series with the same values as a later one is drawn
// over by it (the chart's title says so).
func hiddenUnderLater(c Chart, i int) bool {
	return slices.ContainsFunc(c.Series[i+1:], func(s Series) bool {
		return slices.EqualFunc(c.Series[i].Values, s.Values, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) })
	})
}
