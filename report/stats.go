package report

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/perflab/perflab/measure"
)

// MannWhitney is the two-sided Mann–Whitney U test of x against y with the
// normal approximation, the tie correction of the variance and the
// continuity correction (as scipy.stats.mannwhitneyu, method "asymptotic").
// U is the statistic of x: the number of pairs where x wins (ties count ½).
func MannWhitney(x, y []float64) (u, p float64) {
	n1, n2 := float64(len(x)), float64(len(y))
	if n1 == 0 || n2 == 0 {
		return 0, 1
	}
	all := make([]float64, 0, len(x)+len(y))
	all = append(append(all, x...), y...)
	ranks, tie := averageRanks(all)
	r1 := 0.0
	for _, r := range ranks[:len(x)] {
		r1 += r
	}
	u = r1 - n1*(n1+1)/2
	n := n1 + n2
	variance := n1 * n2 / 12 * ((n + 1) - tie/(n*(n-1)))
	if variance <= 0 { // every value equal
		return u, 1
	}
	z := (max(u, n1*n2-u) - n1*n2/2 - 0.5) / math.Sqrt(variance)
	return u, min(1, 2*normalSF(z))
}

// averageRanks ranks v from 1 with ties sharing their mean rank, and returns
// the tie term Σ(t³−t) over groups of t equal values.
func averageRanks(v []float64) (ranks []float64, tie float64) {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	ranks = make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = r
		}
		t := float64(j - i + 1)
		tie += t*t*t - t
		i = j + 1
	}
	return ranks, tie
}

func normalSF(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// Welch is Welch's two-sided t-test of the means of x and y (unequal
// variances, Welch–Satterthwaite degrees of freedom). It needs two values on
// each side; p is 1 when both sides have no spread and equal means, 0 when
// they have no spread and differ.
func Welch(x, y []float64) (t, df, p float64) {
	if len(x) < 2 || len(y) < 2 {
		return 0, 0, 1
	}
	m1, v1 := meanVar(x)
	m2, v2 := meanVar(y)
	n1, n2 := float64(len(x)), float64(len(y))
	se2 := v1/n1 + v2/n2
	if se2 == 0 {
		if m1 == m2 {
			return 0, n1 + n2 - 2, 1
		}
		return math.Inf(int(math.Copysign(1, m2-m1))), n1 + n2 - 2, 0
	}
	t = (m2 - m1) / math.Sqrt(se2)
	df = se2 * se2 / ((v1/n1)*(v1/n1)/(n1-1) + (v2/n2)*(v2/n2)/(n2-1))
	return t, df, studentTwoSided(t, df)
}

func meanVar(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x)-1)
}

// studentTwoSided is P(|T| ≥ |t|) for Student's t with df degrees of
// freedom: I_{df/(df+t²)}(df/2, ½).
func studentTwoSided(t, df float64) float64 {
	return regIncBeta(df/2, 0.5, df/(df+t*t))
}

// regIncBeta is the regularized incomplete beta function I_x(a, b), by the
// continued fraction (modified Lentz), using the symmetry relation for
// x > (a+1)/(a+b+2) where the fraction converges slowly.
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	case x > (a+1)/(a+b+2):
		return 1 - regIncBeta(b, a, 1-x)
	}
	lga, _ := math.Lgamma(a)
	lgb, _ := math.Lgamma(b)
	lgab, _ := math.Lgamma(a + b)
	front := math.Exp(lgab - lga - lgb + a*math.Log(x) + b*math.Log(1-x))
	const tiny, eps = 1e-300, 1e-15
	f, c, d := 1.0, 1.0, 0.0
	for i := 0; i <= 300; i++ {
		m := float64(i / 2)
		var num float64
		switch {
		case i == 0:
			num = 1
		case i%2 == 0:
			num = m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		default:
			num = -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
		}
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		d = 1 / d
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		f *= c * d
		if math.Abs(1-c*d) < eps {
			return front * (f - 1) / a
		}
	}
	return front * (f - 1) / a
}

// QuantileDiffCI is the percentile-bootstrap 95% confidence interval of
// Quantile(y, q) − Quantile(x, q) (nearest-rank quantiles, as kube-burner
// reports them) from resamples drawn with rng. A resample's k-th order
// statistic is drawn directly: it is the value at index ⌈n·U₍ₖ₎⌉ where
// U₍ₖ₎ ~ Beta(k, n−k+1) is the k-th smallest of n uniforms, so the cost per
// resample does not grow with the sample.
func QuantileDiffCI(x, y []float64, q float64, resamples int, rng *rand.Rand) (lo, hi float64) {
	sx, sy := sortedCopy(x), sortedCopy(y)
	diffs := make([]float64, resamples)
	for i := range diffs {
		diffs[i] = bootOrderStat(sy, q, rng) - bootOrderStat(sx, q, rng)
	}
	slices.Sort(diffs)
	return measure.Quantile(diffs, 0.025), measure.Quantile(diffs, 0.975)
}

func sortedCopy(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s
}

func bootOrderStat(sorted []float64, q float64, rng *rand.Rand) float64 {
	n := len(sorted)
	k := max(1, min(n, int(math.Ceil(q*float64(n)))))
	g1 := gamma(float64(k), rng)
	g2 := gamma(float64(n-k+1), rng)
	j := int(math.Ceil(float64(n) * g1 / (g1 + g2)))
	return sorted[max(1, min(n, j))-1]
}

// gamma draws from Gamma(shape, 1) (Marsaglia and Tsang, 2000; shape ≥ 1).
func gamma(shape float64, rng *rand.Rand) float64 {
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}
