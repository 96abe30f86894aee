package cilium

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// memoryUnits maps a unit suffix to its size in bytes. "kB" follows
// /proc/meminfo, where kB means 1024 bytes (the agent reads MemTotal from
// there); the Kubernetes quantity suffixes Ki/Mi/Gi/Ti are binary and
// k/M/G/T decimal.
var memoryUnits = map[string]uint64{
	"":    1,
	"b":   1,
	"kb":  1 << 10, // /proc/meminfo convention
	"ki":  1 << 10,
	"kib": 1 << 10,
	"mi":  1 << 20,
	"mib": 1 << 20,
	"gi":  1 << 30,
	"gib": 1 << 30,
	"ti":  1 << 40,
	"tib": 1 << 40,
	"k":   1e3,
	"m":   1e6,
	"mb":  1e6,
	"g":   1e9,
	"gb":  1e9,
	"t":   1e12,
	"tb":  1e12,
}

// ParseMemory parses a memory size such as "16Gi", "5036000kB",
// "5036000 kB" or "17179869184" into bytes.
func ParseMemory(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !(unicode.IsDigit(r) || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	if num == "" {
		return 0, fmt.Errorf("memory %q: no number (want e.g. 16Gi, 5036000kB)", s)
	}
	mult, ok := memoryUnits[strings.ToLower(unit)]
	if !ok {
		return 0, fmt.Errorf("memory %q: unknown unit %q (want B, kB, Ki, Mi, Gi, Ti, k, M, G, T)", s, unit)
	}
	// Exact integer path first, so 5036000kB is exactly 5036000*1024.
	if n, err := strconv.ParseUint(num, 10, 64); err == nil {
		if n > math.MaxUint64/mult {
			return 0, fmt.Errorf("memory %q: too large", s)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("memory %q: %q is not a number", s, num)
	}
	b := f * float64(mult)
	if b >= math.MaxUint64 {
		return 0, fmt.Errorf("memory %q: too large", s)
	}
	return uint64(b), nil
}

// FormatBytes prints a byte count in binary units with one decimal.
func FormatBytes(b uint64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit && exp < 4; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTP"[exp])
}
