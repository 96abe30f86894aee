package report

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium; without it the browser tests skip,
// except in CI (CI=true), where they fail.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed, and CI=true: the report pages must be tested in a browser (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium); skipping the browser test of the report pages")
	return ""
}

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
  const hex = c => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16));
  return window.perflabReport.charts.map(c => {
    const cv = document.querySelector('#' + CSS.escape(c.id) + ' canvas');
    const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    const rgb = c.series.map(s => hex(s.color)), counts = c.series.map(() => 0);
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] < 200) continue;
      rgb.forEach((k, j) => { if (Math.abs(d[i] - k[0]) + Math.abs(d[i + 1] - k[1]) + Math.abs(d[i + 2] - k[2]) < 30) counts[j]++; });
    }
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
	}
}

// TestPagesInChromium loads each page shape from file:// in headless
// Chromium and fails on any console error, script exception or request
// that is not the page itself, or on a chart series that drew nothing.
// Screenshots go to the test's temp dir (and to $PERFLAB_SCREENSHOTS).
func TestPagesInChromium(t *testing.T) {
	bin := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.WindowSize(1280, 1000),
		chromedp.Flag("headless", true), chromedp.DisableGPU)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	browser, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(browser); err != nil { // starts the browser
		t.Fatal(err)
	}
	shots := t.TempDir()
	for _, ps := range pageShapes(t) {
		t.Run(ps.name, func(t *testing.T) {
			path := filepath.Join(shots, ps.name+".html")
			if err := WriteHTML(path, ps.page); err != nil {
				t.Fatal(err)
			}
			checkPage(t, browser, path, ps.page, filepath.Join(shots, ps.name+".png"))
		})
	}
}

func checkPage(t *testing.T, browser context.Context, path string, page Page, shot string) {
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	var mu sync.Mutex
	var problems []string
	problem := func(p string) {
		mu.Lock()
		problems = append(problems, p)
		mu.Unlock()
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problem("console " + string(e.Type) + ": " + strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			problem("exception: " + e.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				problem("log " + string(e.Entry.Source) + ": " + e.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			if u := e.Request.URL; !strings.HasPrefix(u, "file://"+path) && !strings.HasPrefix(u, "data:") {
				problem("request to " + u)
			}
		case *network.EventLoadingFailed:
			problem("failed load: " + e.ErrorText)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(`body[data-rendered="true"]`)); err != nil {
		t.Fatal(err)
	}
	checks, err := chromedp.Run(tctx, chromedp.Evaluate[[]chartCheck](countPixels))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PERFLAB_SCREENSHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, filepath.Base(shot)), png, 0o644)
	}
	t.Logf("screenshot %s", shot)
	mu.Lock()
	for _, p := range problems {
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
