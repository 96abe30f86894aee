package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/perflab/perflab/internal/browsertest"
	"github.com/perflab/perflab/progress"
)

// plotCheck is what the page drew for one chart, read back from its canvas.
type plotCheck struct {
	ID      string `json:"id"`
	Width   int    `json:"width"`
	Samples int    `json:"samples"`
	Series  []struct {
		Label  string `json:"label"`
		Pixels int    `json:"pixels"`
	} `json:"series"`
}

// countPlotPixels counts, for each plot, the canvas pixels near each line's
// colour: a line that drew nothing has none.
const countPlotPixels = `(() => {
  const count = ` + browsertest.CountColours + `, ui = window.perflabUI;
  return Object.keys(ui.plots).sort().map(id => {
    const cv = document.querySelector('#' + id + '-plot canvas');
    const counts = count(cv, ui.charts[id].map(l => l.color));
    return { id, width: cv.width, samples: ui.plots[id].u.data[0].length,
      series: ui.charts[id].map((l, j) => ({ label: l.label, pixels: counts[j] })) };
  });
})()`

// TestPageDrawsLiveCharts feeds a run's progress and API samples to the
// page in chromium: both uPlot charts draw every line, take new samples
// as they come, fill their figure's width, and the browser logs no error.
func TestPageDrawsLiveCharts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := New(Options{Addr: "127.0.0.1:0", Config: testConfig(), Interval: 50 * time.Millisecond, Run: true})
	if err != nil {
		t.Fatal(err)
	}
	s.model = bigModel(4, 40)
	job := progress.New(progress.Options{Name: "create-pods", Total: 200, Unit: "pods"})
	s.run.track(job)
	t0 := time.Now().Add(-time.Minute)
	sample := func(k int) {
		at := t0.Add(time.Duration(k) * 2 * time.Second)
		job.Add(int64(3 + k%4))
		job.SetReady(job.Done()-2, 200)
		s.run.record(at)
		s.api.hist.add([4]float64{unixMilli(at), 20 + float64(k%7), 2 + float64(k%3), 30 + float64(k%5)})
	}
	s.run.record(t0.Add(-2 * time.Second)) // nothing done yet: rate 0
	for k := range 20 {
		sample(k)
	}
	tab := browsertest.New(t, ctx)
	tab.Navigate(t, serve(t, s))
	tab.WaitCount(t, "plots", `Object.keys((window.perflabUI || {plots: {}}).plots).length`, 2, time.Minute)
	tab.WaitCount(t, "api samples", `perflabUI.plots.api.u.data[0].length`, 20, time.Minute)

	sample(20) // live: the next push carries it
	tab.WaitCount(t, "api samples after one more", `perflabUI.plots.api.u.data[0].length`, 21, time.Minute)
	tab.WaitCount(t, "run samples after one more", `perflabUI.plots.run.u.data[0].length`, 22, time.Minute)

	if got := browsertest.Eval[string](t, tab, `document.getElementById("run-text").textContent`); !strings.HasPrefix(got, "job 1: create-pods, ") {
		t.Errorf("run caption %q", got)
	}
	checkPlots(t, tab)
	tab.Screenshot(t, "ui-charts.png")

	// The dark scheme: the page and its plots follow.
	dark := emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}
	if _, err := chromedp.Call(tab.Ctx, emulation.SetEmulatedMedia, dark); err != nil {
		t.Fatal(err)
	}
	tab.WaitCount(t, "dark background", `getComputedStyle(document.body).backgroundColor === "rgb(20, 24, 29)" ? 1 : 0`, 1, time.Minute)
	tab.WaitCount(t, "plot axes in the dark scheme's colour", `perflabUI.plots.api.u.axes[1].stroke(perflabUI.plots.api.u) === "#9aa4b0" ? 1 : 0`, 1, time.Minute)
	checkPlots(t, tab)
	tab.Screenshot(t, "ui-charts-dark.png")
	if errs := tab.Problems(); len(errs) != 0 {
		t.Errorf("browser errors: %v", errs)
	}
}

// checkPlots fails when a chart is narrow, misses samples, or a line drew
// nothing.
func checkPlots(t *testing.T, tab *browsertest.Tab) {
	t.Helper()
	figure := browsertest.Eval[int](t, tab, `document.getElementById("api-plot").clientWidth`)
	for _, c := range browsertest.Eval[[]plotCheck](t, tab, countPlotPixels) {
		if c.Width < figure/2 {
			t.Errorf("chart %s: canvas %d px wide in a %d px figure", c.ID, c.Width, figure)
		}
		if want := map[string]int{"api": 21, "run": 22}[c.ID]; c.Samples != want {
			t.Errorf("chart %s: %d samples, want %d", c.ID, c.Samples, want)
		}
		for _, l := range c.Series {
			if l.Pixels < 50 {
				t.Errorf("chart %s: line %q drew %d pixels of its colour", c.ID, l.Label, l.Pixels)
			}
		}
	}
}
