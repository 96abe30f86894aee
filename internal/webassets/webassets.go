// Package webassets holds the third-party browser libraries perflab's web
// pages share, embedded once: uPlot (MIT, from the npm package uplot 1.6.32:
// dist/uPlot.iife.min.js, dist/uPlot.min.css, LICENSE). The report inlines
// them into its self-contained page; the live view serves them.
package webassets

import _ "embed"

var (
	//go:embed uPlot.iife.min.js
	uplotJS string
	//go:embed uPlot.min.css
	uplotCSS string
	//go:embed uPlot.LICENSE
	uplotLicense string
)

// UPlotJS is uPlot's script; it defines the global uPlot.
func UPlotJS() string { return uplotJS }

// UPlotCSS is uPlot's style sheet.
func UPlotCSS() string { return uplotCSS }

// UPlotLicense is uPlot's MIT licence text, to ship with the script.
func UPlotLicense() string { return uplotLicense }
