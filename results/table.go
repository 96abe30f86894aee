package results

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Table is a summary table: a header and rows of cells. It is perflab's one
// table writer. The zero layout is perflab's own: two spaces between
// columns, a rule under the header, numbers right-aligned.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	// Indent starts every header and row line (not the title).
	Indent string
	// Sep separates columns; "" means two spaces.
	Sep string
	// Plain leaves out the rule under the header and aligns every cell
	// left: the layout of the tools whose output perflab reproduces
	// (cilium-dbg status, cilium connectivity perf).
	Plain bool
}

// Add appends a row; values are formatted with fmt.Sprint.
func (t *Table) Add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	t.Rows = append(t.Rows, row)
}

// Render writes the table with columns padded to their widest cell. A
// row's last cell is not padded, so lines carry no trailing blanks.
func (t *Table) Render(w io.Writer) error {
	width := t.widths()
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n")
	}
	if len(t.Header) > 0 {
		t.line(&b, t.Header, width)
		if !t.Plain {
			rule := make([]string, len(width))
			for i := range rule {
				rule[i] = strings.Repeat("-", width[i])
			}
			t.line(&b, rule, width)
		}
	}
	for _, r := range t.Rows {
		t.line(&b, r, width)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// widths are the columns' widths in runes.
func (t *Table) widths() []int {
	n := len(t.Header)
	for _, r := range t.Rows {
		n = max(n, len(r))
	}
	width := make([]int, n)
	measure := func(r []string) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	measure(t.Header)
	for _, r := range t.Rows {
		measure(r)
	}
	return width
}

// line writes one row; a row shorter than the table ends after its last
// cell.
func (t *Table) line(b *strings.Builder, r []string, width []int) {
	sep := t.Sep
	if sep == "" {
		sep = "  "
	}
	n := min(len(r), len(width))
	b.WriteString(t.Indent)
	for i, c := range r[:n] {
		pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
		if i > 0 {
			b.WriteString(sep)
		}
		switch {
		case !t.Plain && numeric(c):
			b.WriteString(pad + c)
		case i < n-1:
			b.WriteString(c + pad)
		default:
			b.WriteString(c)
		}
	}
	b.WriteString("\n")
}

func numeric(s string) bool {
	if s == "" || strings.Trim(s, "-") == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789.-+%smµ/", r) {
			return false
		}
	}
	return true
}
