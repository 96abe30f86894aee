package netperf

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseBitrate parses a rate such as "1G", "250M", "10k" (decimal, bits/s,
// as iperf3 -b) or "unlimited". An empty string means the default (0).
func ParseBitrate(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "unlimited", "max":
		return -1, nil
	}
	v, err := parseSuffixed(s, 1000)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%w: --bitrate %q: want a positive rate such as 500M or 10G, or unlimited", ErrBadInput, s)
	}
	return v, nil
}

// ParseSize parses a byte size such as "128K" or "4M" (binary multiples).
func ParseSize(flag, s string) (int, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	v, err := parseSuffixed(s, 1024)
	if err != nil || v < 0 || v > 1<<30 {
		return 0, fmt.Errorf("%w: %s %q: want a size such as 65536, 128K or 4M", ErrBadInput, flag, s)
	}
	return int(v), nil
}

func parseSuffixed(s string, base float64) (float64, error) {
	s = strings.TrimSpace(s)
	mult := 1.0
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k', 'K':
			mult = base
		case 'm', 'M':
			mult = base * base
		case 'g', 'G':
			mult = base * base * base
		}
		if mult != 1 {
			s = s[:n-1]
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	return v * mult, nil
}

// ParseMSS parses "1460,8960" into MSS values; Validate checks their range.
func ParseMSS(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%w: --mss %q: want numbers such as 1460,8960", ErrBadInput, f)
		}
		out = append(out, v)
	}
	return out, nil
}
