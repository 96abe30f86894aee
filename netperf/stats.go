package netperf

import "math"

// Summary is the mean of repeated samples with its 95% confidence interval.
type Summary struct {
	Mean float64 `json:"mean"`
	CI95 float64 `json:"ci95"` // half-width: the mean lies in Mean±CI95 with 95% confidence
	N    int     `json:"n"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Summarize returns the mean and Student-t 95% confidence half-width of xs.
func Summarize(xs []float64) Summary {
	s := Summary{N: len(xs)}
	if len(xs) == 0 {
		return s
	}
	s.Min, s.Max = xs[0], xs[0]
	var sum float64
	for _, x := range xs {
		sum += x
		s.Min = math.Min(s.Min, x)
		s.Max = math.Max(s.Max, x)
	}
	s.Mean = sum / float64(len(xs))
	if len(xs) < 2 {
		return s
	}
	var ss float64
	for _, x := range xs {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	sd := math.Sqrt(ss / float64(len(xs)-1))
	s.CI95 = tQuantile975(len(xs)-1) * sd / math.Sqrt(float64(len(xs)))
	return s
}

// t975 holds the two-sided 95% Student-t critical values for 1..30 degrees of freedom.
var t975 = [...]float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

func tQuantile975(df int) float64 {
	switch {
	case df < 1:
		return math.NaN()
	case df <= len(t975):
		return t975[df-1]
	case df <= 60:
		return 2.000
	case df <= 120:
		return 1.980
	default:
		return 1.960
	}
}
