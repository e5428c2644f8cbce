package metrics

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// FBetaScore is Keras's FBetaScore (F1Score is beta 1): per class, the weighted harmonic
// mean of precision and recall, combined over classes as Average says. Predictions above
// Threshold are positive; without one, the largest prediction of each sample is (Keras's
// threshold=None). Targets are one value per class (one-hot or multi-label).
type FBetaScore struct {
	name, class  string
	average      string
	beta         float64
	threshold    float64
	hasThreshold bool
	tp, fp, fn   []float64
	weights      []float64 // per class: weighted count of positive targets
	err          error
	yt, yp       []float64
}

// NewFBetaScore returns an FBetaScore. Options: Average ("micro", "macro", "weighted", or
// Keras's default None, "", which gives one score per class through Results), Beta (default 1), Threshold, Name (default "fbeta_score").
func NewFBetaScore(opts ...Option) *FBetaScore {
	return newFBeta("FBetaScore", collect(options{name: "fbeta_score", beta: 1}, opts))
}

// NewF1Score returns an F1Score: FBetaScore with beta 1. Options: Average (default "",
// one score per class),
// Threshold, Name (default "f1_score").
func NewF1Score(opts ...Option) *FBetaScore {
	return newFBeta("F1Score", collect(options{name: "f1_score", beta: 1}, opts))
}

func newFBeta(class string, o options) *FBetaScore {
	switch o.average {
	case "micro", "macro", "weighted", "":
	default:
		o.fail(`average must be "micro", "macro", "weighted" or "" (Keras's None), got %q`, o.average)
	}
	if !(o.beta > 0) {
		o.fail("beta must be > 0, got %v", o.beta)
	}
	if o.hasThreshold && !(o.threshold > 0 && o.threshold <= 1) {
		o.fail("threshold must be in (0, 1], got %v", o.threshold)
	}
	return &FBetaScore{name: o.name, class: class, average: o.average, beta: o.beta,
		threshold: o.threshold, hasThreshold: o.hasThreshold, err: o.err}
}

// Name returns the name the metric logs under.
func (f *FBetaScore) Name() string { return f.name }

// Err returns the first problem of the metric's options, or nil.
func (f *FBetaScore) Err() error { return f.err }

// Reset clears the counts.
func (f *FBetaScore) Reset() { f.tp, f.fp, f.fn, f.weights = nil, nil, nil, nil }

// ClassName returns "F1Score" or "FBetaScore".
func (f *FBetaScore) ClassName() string { return f.class }

// Config returns the Keras config of the metric.
func (f *FBetaScore) Config() map[string]any {
	var th any
	if f.hasThreshold {
		th = f.threshold
	}
	var avg any
	if f.average != "" {
		avg = f.average
	}
	c := map[string]any{"name": f.name, "dtype": "float32", "average": avg, "threshold": th}
	if f.class == "FBetaScore" {
		c["beta"] = f.beta
	}
	return c
}

// Update accumulates one batch with every sample weighing 1.
func (f *FBetaScore) Update(yTrue, yPred *tensor.Dense) error {
	return f.UpdateWeighted(yTrue, yPred, nil)
}

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (f *FBetaScore) UpdateWeighted(yTrue, yPred *tensor.Dense, w []float64) error {
	var err error
	if f.yt, err = floats(yTrue, f.yt); err != nil {
		return fmt.Errorf("metrics: %s: targets: %w", f.name, err)
	}
	if f.yp, err = floats(yPred, f.yp); err != nil {
		return fmt.Errorf("metrics: %s: predictions: %w", f.name, err)
	}
	ps := yPred.Shape()
	if len(ps) != 2 || !yTrue.Shape().Eq(ps) {
		return fmt.Errorf("metrics: %s: wants targets and predictions of the same shape (batch, classes), got %v and %v", f.name, yTrue.Shape(), ps)
	}
	rows, k := ps[0], ps[1]
	if w != nil && len(w) != rows {
		return fmt.Errorf("metrics: %s: %d sample weights for %d samples", f.name, len(w), rows)
	}
	cols := k
	if f.average == "micro" {
		cols = 1 // Keras sums over every axis
	}
	if f.tp == nil || len(f.tp) != cols {
		f.tp, f.fp, f.fn, f.weights = make([]float64, cols), make([]float64, cols), make([]float64, cols), make([]float64, cols)
	}
	for r := 0; r < rows; r++ {
		row := f.yp[r*k : (r+1)*k]
		th := f.threshold
		if !f.hasThreshold {
			th = math.Inf(-1)
			for _, v := range row {
				th = math.Max(th, v)
			}
		}
		wt := 1.0
		if w != nil {
			wt = w[r]
		}
		for j, v := range row {
			var p float64
			if f.hasThreshold {
				p = b2f(v > th)
			} else {
				p = b2f(v >= th && math.Abs(v) > 1e-9)
			}
			t := f.yt[r*k+j]
			c := j % cols
			f.tp[c] += wt * p * t
			f.fp[c] += wt * p * (1 - t)
			f.fn[c] += wt * (1 - p) * t
			f.weights[c] += wt * t
		}
	}
	return nil
}

// IsVector reports whether Keras's result is one score per class (Average "", Keras's
// default None): read it with Results; a compiled model's log of scalars cannot hold it.
func (f *FBetaScore) IsVector() bool { return f.average == "" }

// Results returns the score of each class (one value for "micro"), before averaging.
func (f *FBetaScore) Results() []float64 {
	out := make([]float64, len(f.tp))
	for c := range f.tp {
		out[c] = f.score(c)
	}
	return out
}

// score returns class c's F-beta score.
func (f *FBetaScore) score(c int) float64 {
	b2 := f.beta * f.beta
	p := f.tp[c] / (f.tp[c] + f.fp[c] + epsilon)
	r := f.tp[c] / (f.tp[c] + f.fn[c] + epsilon)
	return p * r / (b2*p + r + epsilon) * (1 + b2)
}

// Result returns the score combined over classes; NaN when IsVector (read Results then).
func (f *FBetaScore) Result() float64 {
	if f.IsVector() {
		return math.NaN()
	}
	if f.tp == nil {
		return 0
	}
	sumW := 0.0
	for _, w := range f.weights {
		sumW += w
	}
	s := 0.0
	for c := range f.tp {
		score := f.score(c)
		if f.average == "weighted" {
			s += score * f.weights[c] / (sumW + epsilon)
		} else {
			s += score / float64(len(f.tp))
		}
	}
	return s
}
