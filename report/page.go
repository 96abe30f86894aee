package report

import (
	"encoding/json"
	"math"
	"strconv"
)

// Page is the JSON document that feeds report.html: everything the page
// shows, already aggregated. The page's script only lays it out.
type Page struct {
	Title   string      `json:"title"`
	Runs    []RunView   `json:"runs,omitempty"`
	Compare *Comparison `json:"compare,omitempty"`
	// Sections of a compare page (charts of baseline against candidate).
	Sections []Section `json:"sections,omitempty"`
}

// RunView is one run on the page.
type RunView struct {
	Name       string    `json:"name"`
	Dir        string    `json:"dir"`
	Kind       Kind      `json:"kind"`
	Partial    string    `json:"partial,omitempty"`
	Header     []Field   `json:"header"`
	ConfigText string    `json:"configText,omitempty"`
	Sections   []Section `json:"sections"`
}

// Field is one label/value line of a run header.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Section is a titled group of tables and charts.
type Section struct {
	Title  string  `json:"title"`
	Note   string  `json:"note,omitempty"`
	Tables []Table `json:"tables,omitempty"`
	Charts []Chart `json:"charts,omitempty"`
}

// Table is a table of text cells; Status (one per row, optional) marks rows
// "pass", "fail" or "warn".
type Table struct {
	Title  string     `json:"title,omitempty"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
	Status []string   `json:"status,omitempty"`
}

// Chart kinds.
const (
	ChartLine = "line" // series over a numeric or time x
	ChartStep = "step" // cumulative counts or distributions
	ChartBars = "bars" // categories on x (Categories), one bar per series
)

// Chart is one chart: a shared x and one or more series of y values.
type Chart struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Kind       string   `json:"kind"`
	XLabel     string   `json:"xLabel"`
	YLabel     string   `json:"yLabel"`
	XTime      bool     `json:"xTime,omitempty"` // x is Unix seconds
	Categories []string `json:"categories,omitempty"`
	// YRange fixes the y axis (shares in percent: 0 to 100).
	YRange *[2]float64 `json:"yRange,omitempty"`
	X      Values      `json:"x"`
	Series []Series    `json:"series"`
}

// Series is one line or set of bars; Points draws markers only (alerts).
type Series struct {
	Label  string `json:"label"`
	Values Values `json:"values"`
	Points bool   `json:"points,omitempty"`
}

// Values are chart numbers; NaN (no value) is written as null, and values
// are rounded to 6 significant digits (numbers from 10⁵ up, such as Unix
// times, to three decimals) to keep the page small.
type Values []float64

// MarshalJSON writes NaN and ±Inf as null.
func (v Values) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 8*len(v)+2)
	b = append(b, '[')
	for i, f := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b = append(b, "null"...)
			continue
		}
		if math.Abs(f) >= 1e5 { // Unix times and large counts: milli-unit precision
			b = strconv.AppendFloat(b, math.Round(f*1000)/1000, 'f', -1, 64)
			continue
		}
		b = strconv.AppendFloat(b, f, 'g', 6, 64)
	}
	return append(b, ']'), nil
}

// UnmarshalJSON reads null as NaN.
func (v *Values) UnmarshalJSON(b []byte) error {
	var ps []*float64
	if err := json.Unmarshal(b, &ps); err != nil {
		return err
	}
	*v = make(Values, len(ps))
	for i, p := range ps {
		if p == nil {
			(*v)[i] = math.NaN()
		} else {
			(*v)[i] = *p
		}
	}
	return nil
}
