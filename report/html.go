package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"path/filepath"
	"strings"

	"github.com/perflab/perflab/internal/webassets"
	"github.com/perflab/perflab/results"
)

// The page's script and style; uPlot comes from webassets.
var (
	//go:embed assets/report.js
	pageJS string
	//go:embed assets/report.css
	pageCSS string
)

// HTML renders p as one self-contained page: style, scripts and data
// inline, nothing fetched from anywhere.
func HTML(p Page) ([]byte, error) {
	data, err := json.Marshal(p) // escapes <, > and & so the data cannot end its <script>
	if err != nil {
		return nil, fmt.Errorf("encode report data: %w", err)
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n", html.EscapeString(p.Title))
	b.WriteString("<style>\n" + webassets.UPlotCSS() + "\n" + pageCSS + "</style>\n</head>\n<body>\n<main id=\"report\"></main>\n")
	b.WriteString("<footer><main>Made by perflab. Charts: uPlot (MIT licence, in this file's source).</main></footer>\n")
	b.WriteString("<script id=\"report-data\" type=\"application/json\">")
	b.Write(data)
	b.WriteString("</script>\n<script>\n/*\n" + strings.ReplaceAll(webassets.UPlotLicense(), "*/", "* /") + "*/\n" + webassets.UPlotJS() + "\n</script>\n")
	b.WriteString("<script>\n" + pageJS + "</script>\n</body>\n</html>\n")
	return []byte(b.String()), nil
}

// WriteHTML writes p to path atomically (temporary file, then rename).
func WriteHTML(path string, p Page) error {
	b, err := HTML(p)
	if err != nil {
		return err
	}
	d, err := results.NewDir(filepath.Dir(path))
	if err != nil {
		return err
	}
	return d.WriteFile(filepath.Base(path), b)
}

// Generate builds the page of the runs in dirs and writes it to out.
func Generate(dirs []string, out string) error {
	runs, err := LoadAll(dirs)
	if err != nil {
		return err
	}
	return WriteHTML(out, BuildPage(runs))
}

// ForRun writes report.html into a run's result directory, with the run's
// header, and returns its path. It is what a command calls when it ends.
func ForRun(dir string, info RunInfo) (string, error) {
	d, err := results.NewDir(dir)
	if err != nil {
		return "", err
	}
	if err := d.WriteJSON(RunInfoFile, info); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "report.html")
	if err := Generate([]string{dir}, out); err != nil {
		return "", err
	}
	return out, nil
}
