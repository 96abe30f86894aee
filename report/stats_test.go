package report

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// Reference values from scipy.stats.mannwhitneyu's documentation example
// (ages at diagnosis, after Shier 2004): U for males = 17; asymptotic
// two-sided p with continuity correction = 0.11134688653314041.
func TestMannWhitneyScipyDocExample(t *testing.T) {
	males := []float64{19, 22, 16, 29, 24}
	females := []float64{20, 11, 17, 12}
	u, p := MannWhitney(males, females)
	if u != 17 || !near(p, 0.11134688653314041, 1e-12) {
		t.Errorf("U=%v p=%.17g, want 17 and 0.11134688653314041", u, p)
	}
}

// Reference values from scipy's test suite (scipy/stats/tests/test_mannwhitneyu.py,
// test_tie_correct): x = [1 2 3 4] against shifted copies of [1..5] that
// create ties; U and asymptotic p with tie and continuity corrections.
func TestMannWhitneyTieCorrectionScipy(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y0 := []float64{1, 2, 3, 4, 5}
	dy := []float64{0, 0.01, 0, 0.01, 0}
	dy2 := []float64{0, 0, 0.01, 0, 0}
	shift := func(sign float64, d []float64) []float64 {
		out := make([]float64, len(y0))
		for i := range y0 {
			out[i] = y0[i] + sign*d[i]
		}
		return out
	}
	all := []float64{0.01, 0.01, 0.01, 0.01, 0.01}
	tests := []struct {
		y    []float64
		u, p float64
	}{
		{shift(-1, all), 10, 1},
		{shift(-1, dy), 9, 0.9017048037317},
		{shift(-1, dy2), 8.5, 0.804080657472},
		{y0, 8, 0.7086240584439},
		{shift(1, dy2), 7.5, 0.6197963884941},
		{shift(1, dy), 7, 0.5368784563079},
		{shift(1, all), 6, 0.3912672792826},
	}
	for i, tc := range tests {
		u, p := MannWhitney(x, tc.y)
		if u != tc.u || !near(p, tc.p, 1e-9) {
			t.Errorf("case %d: U=%v p=%.13g, want %v %.13g", i, u, p, tc.u, tc.p)
		}
	}
}

// Reference: scipy.stats.ttest_ind(females, males, alternative="less") in the
// same documentation page gives t = -2.239334696520584, df = 7,
// p = 0.030068441095757924 (one-sided), so the two-sided p is twice that.
func TestStudentTwoSidedScipy(t *testing.T) {
	if p := studentTwoSided(-2.239334696520584, 7); !near(p, 2*0.030068441095757924, 1e-10) {
		t.Errorf("p = %.17g, want %.17g", p, 2*0.030068441095757924)
	}
	// t = 0 → p = 1; df = 1 is the Cauchy distribution: P(|T| ≥ 1) = ½.
	if p := studentTwoSided(0, 5); !near(p, 1, 1e-12) {
		t.Errorf("t=0: p = %v", p)
	}
	if p := studentTwoSided(1, 1); !near(p, 0.5, 1e-12) {
		t.Errorf("Cauchy: p = %v", p)
	}
}

// Welch's statistic by its formula on the same data: means 22 and 15,
// variances 24.5 and 18 (n 5 and 4): t = (15-22)/sqrt(24.5/5+18/4) = -2.2831...,
// df = 9.4²/((4.9²/4)+(4.5²/3)) = 6.9288...
func TestWelchFormula(t *testing.T) {
	males := []float64{19, 22, 16, 29, 24}
	females := []float64{20, 11, 17, 12}
	tt, df, p := Welch(males, females)
	wantT := -7 / math.Sqrt(24.5/5+18.0/4)
	wantDF := 9.4 * 9.4 / (4.9*4.9/4 + 4.5*4.5/3)
	if !near(tt, wantT, 1e-12) || !near(df, wantDF, 1e-12) || !near(p, studentTwoSided(wantT, wantDF), 1e-12) {
		t.Errorf("t=%v df=%v p=%v, want %v %v", tt, df, p, wantT, wantDF)
	}
	if _, _, p := Welch([]float64{1, 1, 1}, []float64{1, 1}); p != 1 {
		t.Errorf("no spread, same mean: p = %v", p)
	}
	if _, _, p := Welch([]float64{1, 1, 1}, []float64{2, 2}); p != 0 {
		t.Errorf("no spread, different mean: p = %v", p)
	}
}

func TestQuantileDiffCI(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := make([]float64, 2000)
	same := make([]float64, 2000)
	slow := make([]float64, 2000)
	for i := range base {
		base[i] = 100 + 20*rng.NormFloat64()
		same[i] = 100 + 20*rng.NormFloat64()
		slow[i] = 130 + 20*rng.NormFloat64()
	}
	if lo, hi := QuantileDiffCI(base, same, 0.5, 2000, rng); lo > 0 || hi < 0 {
		t.Errorf("same distribution: CI [%v, %v] excludes 0", lo, hi)
	}
	lo, hi := QuantileDiffCI(base, slow, 0.5, 2000, rng)
	if lo < 25 || hi > 35 {
		t.Errorf("shift 30: CI [%v, %v], want within [25, 35]", lo, hi)
	}
	// The standard error of a normal sample's median is about
	// 1.2533·σ/√n; for the difference of two medians, √2 of it: 1.12 here,
	// so the 95% interval is about ±2.2 wide.
	if w := (hi - lo) / 2; w < 1.4 || w > 3.2 {
		t.Errorf("half-width %v, want about 2.2", w)
	}
}
