package cilium

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// StatusMaps is the "BPF Maps" block read back from `cilium status --verbose`.
type StatusMaps struct {
	// Ratio is the dynamic sizing ratio, 0 when "off".
	Ratio float64
	Rows  []MapRow
}

// ParseStatusMaps finds the "BPF Maps:" block in `cilium status --verbose`
// output (also with the "# " prefix of blog posts) and reads its rows. A
// "..." line (an elided excerpt) is skipped; the block ends at the first
// line that is not a row.
func ParseStatusMaps(r io.Reader, source string) (*StatusMaps, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	n := 0
	var st *StatusMaps
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			line = strings.TrimSpace(strings.TrimPrefix(line, "#"))
		}
		if st == nil {
			rest, ok := strings.CutPrefix(line, "BPF Maps:")
			if !ok {
				continue
			}
			st = &StatusMaps{}
			rest = strings.TrimSpace(rest)
			status, ok := strings.CutPrefix(rest, "dynamic sizing:")
			if !ok {
				return nil, fmt.Errorf("%s:%d: want \"BPF Maps: dynamic sizing: ...\", got %q", source, n, line)
			}
			status = strings.TrimSpace(status)
			switch {
			case status == "off":
			case strings.HasPrefix(status, "on (ratio:") && strings.HasSuffix(status, ")"):
				v := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(status, "on (ratio:"), ")"))
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f <= 0 || f > 1 {
					return nil, fmt.Errorf("%s:%d: ratio %q is not in (0,1]", source, n, v)
				}
				st.Ratio = f
			default:
				return nil, fmt.Errorf("%s:%d: dynamic sizing %q: want \"off\" or \"on (ratio: R)\"", source, n, status)
			}
			continue
		}
		switch {
		case line == "..." || line == "…":
			continue
		case strings.HasPrefix(line, "Name") && strings.HasSuffix(line, "Size"):
			continue
		case line == "":
			return st, nil
		}
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			return st, nil
		}
		size, err := strconv.Atoi(line[i+1:])
		if err != nil {
			// Not a row: the block is over (next status section).
			if len(st.Rows) == 0 {
				return nil, fmt.Errorf("%s:%d: map row %q: size %q is not a number", source, n, line, line[i+1:])
			}
			return st, nil
		}
		st.Rows = append(st.Rows, MapRow{Name: strings.TrimSpace(line[:i]), Size: size})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", source, n+1, err)
	}
	if st == nil {
		return nil, fmt.Errorf("%s: no \"BPF Maps:\" block (run `cilium status --verbose`)", source)
	}
	return st, nil
}
