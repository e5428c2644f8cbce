package metrics

import "math"

// NewPearsonCorrelation returns Keras's PearsonCorrelation: for each sample, the Pearson
// correlation of its targets and predictions along the last axis (population standard
// deviations, as Keras's ops.std), averaged over samples. Options: Name (default
// "pearson_correlation").
func NewPearsonCorrelation(opts ...Option) *MeanWrapper {
	o := collect(options{name: "pearson_correlation"}, opts)
	return &MeanWrapper{mean: mean{name: o.name}, class: "PearsonCorrelation", fn: pearson,
		config: map[string]any{"axis": -1}, err: o.err}
}

// NewConcordanceCorrelation returns Keras's ConcordanceCorrelation: for each sample, Lin's
// concordance correlation of its targets and predictions along the last axis, averaged over
// samples. Keras 3.15 centres the targets on the predictions' mean in the covariance term
// (2·mean((y - mean ŷ)(ŷ - mean ŷ)) / (var y + var ŷ + (mean y - mean ŷ)² + ε)); this
// metric computes the same, so that logs match Keras's. Options: Name (default
// "concordance_correlation").
func NewConcordanceCorrelation(opts ...Option) *MeanWrapper {
	o := collect(options{name: "concordance_correlation"}, opts)
	return &MeanWrapper{mean: mean{name: o.name}, class: "ConcordanceCorrelation", fn: concordance,
		config: map[string]any{"axis": -1}, err: o.err}
}

// moments returns the mean and the population variance of v.
func moments(v []float64) (float64, float64) {
	m := meanOf(v, func(i int) float64 { return v[i] })
	return m, meanOf(v, func(i int) float64 { d := v[i] - m; return d * d })
}

func pearson(yt, yp []float64, _ *batchInfo) float64 {
	mt, vt := moments(yt)
	mp, vp := moments(yp)
	st, sp := math.Sqrt(vt), math.Sqrt(vp)
	return meanOf(yp, func(i int) float64 { return (yt[i] - mt) / st * (yp[i] - mp) / sp })
}

func concordance(yt, yp []float64, _ *batchInfo) float64 {
	mt, vt := moments(yt)
	mp, vp := moments(yp)
	norm := vt + vp + (mt-mp)*(mt-mp) + epsilon
	return meanOf(yp, func(i int) float64 { return 2 * (yt[i] - mp) * (yp[i] - mp) / norm })
}
