package metrics

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// R2Score is Keras's R2Score: the coefficient of determination of each output column,
// 1 - Σ w·(y - ŷ)² / Σ w·(y - ȳ)², accumulated over batches and combined over columns as
// ClassAggregation says ("uniform_average", the default, or "variance_weighted_average");
// with NumRegressors p > 0 it is the adjusted R², 1 - (1 - R²)(n - 1)/(n - p - 1), n being
// the number of target values seen. A column whose targets do not vary scores 0, as Keras's
// (it replaces an infinite score by 0). Targets and predictions are (batch, outputs).
type R2Score struct {
	name          string
	aggregation   string
	numRegressors int
	sum, sq, res  []float64 // per column: Σ w·y, Σ w·y², Σ w·(y-ŷ)²
	count         []float64 // per column: Σ w
	numSamples    float64   // target values seen (batch × outputs), as Keras's num_samples
	err           error
	yt, yp        []float64
}

// NewR2Score returns an R2Score. Options: ClassAggregation, NumRegressors, Name (default
// "r2_score").
func NewR2Score(opts ...Option) *R2Score {
	o := collect(options{name: "r2_score", classAgg: "uniform_average"}, opts)
	switch o.classAgg {
	case "uniform_average", "variance_weighted_average", "":
	default:
		o.fail(`class_aggregation must be "uniform_average", "variance_weighted_average" or "" (Keras's None), got %q`, o.classAgg)
	}
	if o.numRegressors < 0 {
		o.fail("num_regressors must be >= 0, got %d", o.numRegressors)
	}
	return &R2Score{name: o.name, aggregation: o.classAgg, numRegressors: o.numRegressors, err: o.err}
}

// Name returns the name the metric logs under.
func (r *R2Score) Name() string { return r.name }

// Err returns the first problem of the metric's options, or nil.
func (r *R2Score) Err() error { return r.err }

// Reset clears the sums; the next batch may have another number of columns.
func (r *R2Score) Reset() { r.sum, r.sq, r.res, r.count, r.numSamples = nil, nil, nil, nil, 0 }

// ClassName returns "R2Score".
func (r *R2Score) ClassName() string { return "R2Score" }

// Config returns the Keras config of the metric.
func (r *R2Score) Config() map[string]any {
	var agg any
	if r.aggregation != "" {
		agg = r.aggregation
	}
	return map[string]any{"name": r.name, "dtype": "float32", "class_aggregation": agg, "num_regressors": r.numRegressors}
}

// Direction returns "up".
func (r *R2Score) Direction() string { return "up" }

// Update accumulates one batch with every sample weighing 1.
func (r *R2Score) Update(yTrue, yPred *tensor.Dense) error {
	return r.UpdateWeighted(yTrue, yPred, nil)
}

// UpdateWeighted accumulates one batch; sampleWeight has one weight per sample, or is nil.
func (r *R2Score) UpdateWeighted(yTrue, yPred *tensor.Dense, w []float64) error {
	ts, ps := yTrue.Shape(), yPred.Shape()
	// Keras squeezes or expands one trailing axis of size 1 to make the ranks equal.
	if len(ts) == 1 && len(ps) == 2 && ps[1] == 1 || len(ps) == 1 && len(ts) == 2 && ts[1] == 1 {
		if len(ts) == 1 {
			ts = tensor.Shape{ts[0], 1}
		} else {
			ps = tensor.Shape{ps[0], 1}
		}
	}
	if len(ts) == 1 && len(ps) == 1 {
		return fmt.Errorf("metrics: %s: R2Score wants targets and predictions of shape (batch, outputs), got %v and %v", r.name, yTrue.Shape(), yPred.Shape())
	}
	if len(ps) != 2 || !ts.Eq(ps) {
		return fmt.Errorf("metrics: %s: R2Score wants targets and predictions of one shape (batch, outputs), got %v and %v", r.name, yTrue.Shape(), yPred.Shape())
	}
	rows, k := ps[0], ps[1]
	if r.sum != nil && len(r.sum) != k {
		return fmt.Errorf("metrics: %s: predictions have %d columns, earlier batches had %d", r.name, k, len(r.sum))
	}
	if w != nil && len(w) != rows {
		return fmt.Errorf("metrics: %s: %d sample weights for %d samples", r.name, len(w), rows)
	}
	var err error
	if r.yt, err = floats(yTrue, r.yt); err != nil {
		return fmt.Errorf("metrics: %s: targets: %w", r.name, err)
	}
	if r.yp, err = floats(yPred, r.yp); err != nil {
		return fmt.Errorf("metrics: %s: predictions: %w", r.name, err)
	}
	if r.sum == nil {
		r.sum, r.sq, r.res, r.count = make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	}
	for i := 0; i < rows; i++ {
		wt := 1.0
		if w != nil {
			wt = w[i]
		}
		for j := 0; j < k; j++ {
			y, d := r.yt[i*k+j], r.yt[i*k+j]-r.yp[i*k+j]
			r.sum[j] += wt * y
			r.sq[j] += wt * y * y
			r.res[j] += wt * d * d
			r.count[j] += wt
		}
	}
	r.numSamples += float64(rows * k)
	return nil
}

// Results returns the score of each column (Keras's class_aggregation=None), adjusted when
// NumRegressors is set.
func (r *R2Score) Results() []float64 {
	out := make([]float64, len(r.sum))
	for j := range out {
		out[j] = r.adjust(r.raw(j))
	}
	return out
}

// raw returns column j's R², 0 where Keras's would be infinite.
func (r *R2Score) raw(j int) float64 {
	mean := r.sum[j] / r.count[j]
	total := r.sq[j] - r.sum[j]*mean
	s := 1 - r.res[j]/total
	if math.IsInf(s, 0) {
		return 0
	}
	return s
}

// adjust applies the adjusted-R² correction when NumRegressors leaves degrees of freedom;
// otherwise it returns the plain score, as Keras falls back to it.
func (r *R2Score) adjust(s float64) float64 {
	p, n := float64(r.numRegressors), r.numSamples
	if r.numRegressors == 0 || p >= n-1 {
		return s
	}
	return 1 - (1-s)*(n-1)/(n-p-1)
}

// IsVector reports whether Keras's result is one score per column (ClassAggregation "",
// Keras's None): read it with Results; a compiled model's log of scalars cannot hold it.
func (r *R2Score) IsVector() bool { return r.aggregation == "" }

// Result returns the score combined over columns; 0 before any batch, NaN when IsVector
// (read Results then).
func (r *R2Score) Result() float64 {
	if r.IsVector() {
		return math.NaN()
	}
	if len(r.sum) == 0 {
		return 0
	}
	var s float64
	switch r.aggregation {
	case "variance_weighted_average":
		num, den := 0.0, 0.0
		for j := range r.sum {
			total := r.sq[j] - r.sum[j]*(r.sum[j]/r.count[j])
			num += total * r.raw(j)
			den += total
		}
		s = num / den
	default:
		for j := range r.sum {
			s += r.raw(j)
		}
		s /= float64(len(r.sum))
	}
	return r.adjust(s)
}
