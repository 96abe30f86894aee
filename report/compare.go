package report

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Methods of judging a change, as the compare table names them.
const (
	MethodBootstrap   = "bootstrap 95% CI of quantile difference"
	MethodMannWhitney = "Mann–Whitney U"
	MethodWelch       = "run-to-run spread (Welch t)"
	MethodWelchSample = "sample spread (Welch t)"
	MethodTolerance   = "tolerance only (single values)"
)

// Verdicts.
const (
	VerdictRegression     = "REGRESSION"
	VerdictImprovement    = "improvement"
	VerdictNotSignificant = "not significant"
	VerdictWithin         = "within tolerance"
	VerdictSmall          = "significant, within tolerance"
)

// CompareOptions tune Compare.
type CompareOptions struct {
	// Tolerance is the relative change (0.10 = 10%) a figure may move
	// before a significant worsening counts as a regression.
	Tolerance float64
	// Alpha is the significance level of the tests (default 0.05).
	Alpha float64
	// Resamples of the bootstrap (default 2000); the generator is seeded
	// with Seed so a comparison gives the same table every time.
	Resamples int
	Seed      uint64
}

// Comparison is the outcome of comparing a baseline with a candidate.
type Comparison struct {
	Kind      Kind     `json:"kind"`
	Baseline  []string `json:"baseline"`
	Candidate []string `json:"candidate"`
	Tolerance float64  `json:"tolerance"`
	Alpha     float64  `json:"alpha"`
	Figures   []Figure `json:"figures"`
	// DecidedBy names the figures that regressed (exit code 4).
	DecidedBy []string `json:"decidedBy"`
}

// Figure is one compared figure.
type Figure struct {
	Name        string      `json:"name"`
	Unit        string      `json:"unit"`
	LowerBetter bool        `json:"lowerIsBetter"`
	Baseline    float64     `json:"baseline"`
	Candidate   float64     `json:"candidate"`
	ChangePct   float64     `json:"changePercent"`
	Method      string      `json:"method"`
	P           *float64    `json:"p,omitempty"`
	CI          *[2]float64 `json:"ci95,omitempty"` // of candidate − baseline
	Significant bool        `json:"significant"`
	Verdict     string      `json:"verdict"`
}

// Regressed reports whether any figure regressed beyond the tolerance.
func (c *Comparison) Regressed() bool { return len(c.DecidedBy) > 0 }

// ErrRegression is returned (wrapped) by callers that turn a regression
// into an exit code.
var ErrRegression = errors.New("significant regression beyond tolerance")

// Compare compares runs figure by figure. Both sides must be of one kind.
func Compare(base, cand []*Run, o CompareOptions) (*Comparison, error) {
	if len(base) == 0 || len(cand) == 0 {
		return nil, errors.New("compare needs at least one baseline and one candidate")
	}
	if err := sameKind(append(append([]*Run{}, base...), cand...)); err != nil {
		return nil, err
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.Resamples == 0 {
		o.Resamples = 2000
	}
	c := &Comparison{Kind: base[0].Kind, Tolerance: o.Tolerance, Alpha: o.Alpha}
	for _, r := range base {
		c.Baseline = append(c.Baseline, r.Dir)
	}
	for _, r := range cand {
		c.Candidate = append(c.Candidate, r.Dir)
	}
	j := judge{o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15)), groups: len(base) > 1 && len(cand) > 1}
	var figs []Figure
	switch c.Kind {
	case KubeBurner, Metrics:
		figs = j.kubeBurner(base, cand)
	case ClusterLoader2:
		figs = j.perfdash(base, cand)
	case Netperf:
		figs = j.netperf(base, cand)
	}
	if len(figs) == 0 {
		return nil, fmt.Errorf("%s and %s have no figure in common to compare", base[0].Dir, cand[0].Dir)
	}
	c.Figures = figs
	for _, f := range figs {
		if f.Verdict == VerdictRegression {
			c.DecidedBy = append(c.DecidedBy, f.Name)
		}
	}
	return c, nil
}

// minRankSamples is the smallest sample per side given to Mann–Whitney U:
// below it the test cannot reach p < 0.05 often enough to be useful
// (3 against 3 cannot go below 0.1), and the samples' spread (Welch) is used.
const minRankSamples = 8

// judge holds what every figure's verdict needs.
type judge struct {
	o      CompareOptions
	rng    *rand.Rand
	groups bool // two or more runs on each side: use the run-to-run spread
}

// sides are a figure's values: one per run (perRun) and, when the runs have
// them, the individual samples pooled per side.
type sides struct {
	base, cand       []float64 // per run
	baseSam, candSam []float64 // per sample (pods, intervals), or nil
	quantile         float64   // >0: the figure is this quantile of the samples
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// figure judges one figure.
func (j *judge) figure(name, unit string, lowerBetter bool, s sides) Figure {
	f := Figure{Name: name, Unit: unit, LowerBetter: lowerBetter, Baseline: mean(s.base), Candidate: mean(s.cand)}
	f.ChangePct = change(f.Baseline, f.Candidate)
	switch {
	case j.groups:
		f.Method = MethodWelch
		_, _, p := Welch(s.base, s.cand)
		f.P, f.Significant = &p, p < j.o.Alpha
	case s.quantile > 0 && len(s.baseSam) > 1 && len(s.candSam) > 1:
		f.Method = MethodBootstrap
		lo, hi := QuantileDiffCI(s.baseSam, s.candSam, s.quantile, j.o.Resamples, j.rng)
		f.CI, f.Significant = &[2]float64{lo, hi}, lo > 0 || hi < 0
	case min(len(s.baseSam), len(s.candSam)) >= minRankSamples:
		f.Method = MethodMannWhitney
		_, p := MannWhitney(s.baseSam, s.candSam)
		f.P, f.Significant = &p, p < j.o.Alpha
	case len(s.baseSam) > 1 && len(s.candSam) > 1:
		f.Method = MethodWelchSample
		_, _, p := Welch(s.baseSam, s.candSam)
		f.P, f.Significant = &p, p < j.o.Alpha
	default:
		f.Method = MethodTolerance
		f.Significant = math.Abs(f.ChangePct) > 100*j.o.Tolerance
	}
	f.Verdict = verdict(f, j.o.Tolerance)
	return f
}

// change is the relative change in percent; from 0 to anything else it is
// written as ±999.9 (JSON has no infinity).
func change(base, cand float64) float64 {
	switch {
	case base == cand:
		return 0
	case base == 0:
		return math.Copysign(999.9, cand)
	}
	return 100 * (cand - base) / math.Abs(base)
}

func verdict(f Figure, tol float64) string {
	worse := f.Candidate > f.Baseline
	if !f.LowerBetter {
		worse = f.Candidate < f.Baseline
	}
	beyond := math.Abs(f.ChangePct) > 100*tol
	switch {
	case !f.Significant && f.Method == MethodTolerance:
		return VerdictWithin
	case !f.Significant:
		return VerdictNotSignificant
	case !beyond:
		return VerdictSmall
	case worse:
		return VerdictRegression
	}
	return VerdictImprovement
}
