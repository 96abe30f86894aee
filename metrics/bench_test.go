package metrics

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// syntheticExposition builds an API-server-sized /metrics body: counters for
// verbs x resources x codes and a request-duration histogram per
// verb x resource with the API server's 24 buckets.
func syntheticExposition(scale float64) []byte {
	verbs := []string{"GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE"}
	codes := []string{"200", "201", "404", "409", "500"}
	bounds := []string{"0.005", "0.025", "0.05", "0.1", "0.2", "0.4", "0.6", "0.8", "1", "1.25", "1.5", "2", "3", "4", "5", "6", "8", "10", "15", "20", "30", "45", "60", "+Inf"}
	var b bytes.Buffer
	b.WriteString("# TYPE apiserver_request_total counter\n")
	for r := range 60 {
		for _, v := range verbs {
			for _, c := range codes {
				fmt.Fprintf(&b, "apiserver_request_total{code=%q,resource=\"res%d\",verb=%q} %g\n", c, r, v, scale*float64(r+1))
			}
		}
	}
	b.WriteString("# TYPE apiserver_request_duration_seconds histogram\n")
	for r := range 60 {
		for _, v := range verbs {
			for i, ub := range bounds {
				fmt.Fprintf(&b, "apiserver_request_duration_seconds_bucket{resource=\"res%d\",verb=%q,le=%q} %g\n", r, v, ub, scale*float64(i+1))
			}
			fmt.Fprintf(&b, "apiserver_request_duration_seconds_sum{resource=\"res%d\",verb=%q} %g\n", r, v, scale)
			fmt.Fprintf(&b, "apiserver_request_duration_seconds_count{resource=\"res%d\",verb=%q} %g\n", r, v, scale*24)
		}
	}
	return b.Bytes()
}

// BenchmarkParseSnapshot measures parsing one API-server-sized scrape
// (2,100 counters, 420 histograms x 24 buckets, ~1.3 MB).
func BenchmarkParseSnapshot(b *testing.B) {
	body := syntheticExposition(1)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		fams, err := ParseText(bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		NewSnapshot(time.Now(), fams)
	}
}

// BenchmarkDeltaFigures measures Delta plus the seed figures on two such
// scrapes.
func BenchmarkDeltaFigures(b *testing.B) {
	parse := func(scale float64) *Snapshot {
		fams, err := ParseText(bytes.NewReader(syntheticExposition(scale)))
		if err != nil {
			b.Fatal(err)
		}
		return NewSnapshot(time.Now(), fams)
	}
	before, after := parse(1), parse(3)
	after.Time = before.Time.Add(30 * time.Second)
	b.ReportAllocs()
	for b.Loop() {
		ComputeFigures(Delta(before, after))
	}
}
