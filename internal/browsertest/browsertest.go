// Package browsertest drives Debian's headless chromium over the DevTools
// protocol for tests of perflab's web pages: it finds the browser (a skip
// under -short or without it, a failure in CI), records console errors and exceptions,
// waits on DOM expressions and saves screenshots.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium returns the browser's path. Under -short the test skips (a
// browser test is not a unit test; go test -short ./... starts no browser).
// Without a browser the test skips, except in CI (CI set), where that is a
// failure.
func Chromium(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("starts a browser (-short)")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("CI must install chromium (apt-get install chromium) to test the web pages in a browser")
	}
	tb.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// Tab is one browser tab and the problems (console errors, uncaught
// exceptions, failed loads) it has logged.
type Tab struct {
	Ctx      context.Context
	mu       sync.Mutex
	problems []string
}

// New starts headless chromium with a private profile and returns a tab;
// both end with the test or ctx.
func New(tb testing.TB, ctx context.Context) *Tab {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(Chromium(tb)),
		chromedp.WindowSize(1280, 900), chromedp.UserDataDir(tb.TempDir()))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // chromium refuses root with its sandbox
	}
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	tb.Cleanup(cancelA)
	tctx, cancelT := chromedp.NewContext(actx)
	tb.Cleanup(cancelT)
	t := &Tab{Ctx: tctx}
	if err := chromedp.Listen(tctx, t.record); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return t
}

func (t *Tab) record(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			msg = fmt.Sprintf("console.error: %v", e.Args)
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + e.ExceptionDetails.Text
		if ex := e.ExceptionDetails.Exception; ex != nil {
			msg += " " + ex.Description
		}
	case *cdplog.EventEntryAdded:
		if e.Entry != nil && e.Entry.Level == cdplog.EntryLevelError {
			msg = fmt.Sprintf("log: %s %s", e.Entry.Text, e.Entry.URL)
		}
	}
	if msg != "" {
		t.mu.Lock()
		t.problems = append(t.problems, msg)
		t.mu.Unlock()
	}
}

// Problems returns what the tab logged so far.
func (t *Tab) Problems() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.problems...)
}

// Navigate loads url.
func (t *Tab) Navigate(tb testing.TB, url string) {
	tb.Helper()
	if err := chromedp.Do(t.Ctx, chromedp.Navigate(url)); err != nil {
		tb.Fatalf("navigate %s: %v", url, err)
	}
}

// Eval evaluates a JavaScript expression (awaiting a promise).
func Eval[T any](tb testing.TB, t *Tab, expr string) T {
	tb.Helper()
	v, err := chromedp.Run(t.Ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// WaitCount evaluates expr (a JavaScript number) until it equals want, for
// at most timeout.
func (t *Tab) WaitCount(tb testing.TB, what, expr string, want int, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	got := -1
	for {
		if got = Eval[int](tb, t, expr); got == want {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: %d, want %d (%s)", what, got, want, expr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Screenshot saves a full-page PNG as name under the test's temp dir, and
// also under $PERFLAB_SCREENSHOTS when set (to look at after the test).
func (t *Tab) Screenshot(tb testing.TB, name string) {
	tb.Helper()
	png, err := chromedp.Run(t.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot: %v", err)
	}
	dirs := []string{tb.TempDir()}
	if d := os.Getenv("PERFLAB_SCREENSHOTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("screenshot %s", p)
	}
}

// CountColours is a JavaScript function (canvas, ["#rrggbb", ...]) → counts:
// for each colour, how many opaque pixels of the canvas are near it. A chart
// line that drew nothing has none: pages' tests read back their charts with it.
const CountColours = `((cv, colours) => {
  const hex = c => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16));
  const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  const rgb = colours.map(hex), counts = colours.map(() => 0);
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] < 200) continue;
    rgb.forEach((k, j) => { if (Math.abs(d[i] - k[0]) + Math.abs(d[i + 1] - k[1]) + Math.abs(d[i + 2] - k[2]) < 30) counts[j]++; });
  }
  return counts;
})`
