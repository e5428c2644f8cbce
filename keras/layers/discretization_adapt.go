package layers

import (
	"fmt"
	"math"
	"sort"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// Adapt computes the bin boundaries from quantiles of data, as Keras's Discretization.adapt:
// each batch (data is one *tensor.Dense, or a []*tensor.Dense of batches) is summarised by
// every (n·epsilon)-th of its sorted values, weighted, the summaries merged and compressed to
// 1/epsilon points, and the boundaries read off the cumulative weights at 1/num_bins, 2/num_bins
// … — Keras's algorithm step for step, in float32 where Keras computes in float32. The layer
// must have been made with DiscretizationBins; its output size is numBins.
func (l *DiscretizationLayer) Adapt(data any) error {
	if err := l.Err(); err != nil {
		return err
	}
	if l.numBins == 0 {
		return fmt.Errorf("%w: Discretization %s: Adapt needs num_bins (DiscretizationBins), not bin_boundaries", keras.ErrInvalidArgument, l.Name())
	}
	batches, err := adaptBatches("Discretization", l.Name(), data)
	if err != nil {
		return err
	}
	summary := quantileSummary{}
	for i, b := range batches {
		vals, err := float32Values(b)
		if err != nil {
			return fmt.Errorf("Discretization %s: Adapt: batch %d: %w", l.Name(), i, err)
		}
		if len(vals) == 0 {
			return fmt.Errorf("%w: Discretization %s: Adapt: batch %d is empty", keras.ErrInvalidArgument, l.Name(), i)
		}
		summary = summarizeValues(vals, l.epsilon).merge(summary).compress(l.epsilon)
	}
	if len(summary.values) == 0 {
		return fmt.Errorf("%w: Discretization %s: Adapt got no data", keras.ErrInvalidArgument, l.Name())
	}
	final := summary.compress(1 / float64(l.numBins))
	bounds := make([]float64, len(final.values)-1)
	for i := range bounds {
		bounds[i] = float64(final.values[i])
	}
	if l.outputMode != "int" && len(bounds)+1 != l.numBins {
		return fmt.Errorf("%w: Discretization %s: %d values give %d bins, fewer than num_bins %d", keras.ErrInvalidArgument, l.Name(), summary.count(), len(bounds)+1, l.numBins)
	}
	l.boundaries = bounds
	return nil
}

// quantileSummary is Keras's summary of data: sorted values and the weight (count) each
// stands for, both float32 as Keras keeps them.
type quantileSummary struct{ values, weights []float32 }

// count is the summary's number of points, for messages.
func (s quantileSummary) count() int { return len(s.values) }

// float32Values reads a float tensor as float32s, as Keras's update_state does.
func float32Values(t *tensor.Dense) ([]float32, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: nil batch", keras.ErrInvalidArgument)
	}
	switch d := t.Data().(type) {
	case []float32:
		return append([]float32(nil), d...), nil
	case []float64:
		out := make([]float32, len(d))
		for i, v := range d {
			out[i] = float32(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: values of dtype %v (want float32 or float64)", keras.ErrDType, t.Dtype())
}

// summarizeValues is Keras's summarize: the sorted values from index step−1 every step
// values, step = max(n·epsilon, 1) truncated as Python's int, each weighted step.
func summarizeValues(vals []float32, epsilon float64) quantileSummary {
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	step := math.Max(float64(len(vals))/(1/epsilon), 1)
	s := quantileSummary{}
	for i := int(step - 1); i < len(vals); i += int(step) {
		s.values = append(s.values, vals[i])
		s.weights = append(s.weights, float32(step))
	}
	return s
}

// merge is Keras's merge_summaries: both summaries' points, sorted by value, this summary's
// first among equal values. Keras sorts with numpy's unstable argsort, whose order of equal
// values of different weights Go cannot replay: boundaries adapted on several batches of data
// with ties agree with Keras's to about 1e-6 relative; one batch gives them exactly.
func (s quantileSummary) merge(next quantileSummary) quantileSummary {
	n := len(s.values) + len(next.values)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	val := func(i int) float32 {
		if i < len(s.values) {
			return s.values[i]
		}
		return next.values[i-len(s.values)]
	}
	wt := func(i int) float32 {
		if i < len(s.weights) {
			return s.weights[i]
		}
		return next.weights[i-len(s.weights)]
	}
	sort.SliceStable(idx, func(a, b int) bool { return val(idx[a]) < val(idx[b]) })
	out := quantileSummary{values: make([]float32, n), weights: make([]float32, n)}
	for k, i := range idx {
		out.values[k], out.weights[k] = val(i), wt(i)
	}
	return out
}

// compress is Keras's compress_summary: unless the summary has fewer than 1/epsilon points,
// the values and cumulative weights interpolated at epsilon, 2·epsilon, … (numpy's arange
// from 0 to 1 by epsilon, plus epsilon), the cumulative weights differenced back to weights.
func (s quantileSummary) compress(epsilon float64) quantileSummary {
	if float64(len(s.values))*epsilon < 1 {
		return s
	}
	cum := make([]float32, len(s.weights))
	var acc float32
	for i, w := range s.weights {
		acc += w
		cum[i] = acc
	}
	pct := make([]float64, len(cum))
	for i, c := range cum {
		pct[i] = float64(c / cum[len(cum)-1])
	}
	vals, cums := make([]float64, len(cum)), make([]float64, len(cum))
	for i := range cum {
		vals[i], cums[i] = float64(s.values[i]), float64(cum[i])
	}
	n := int(math.Ceil(1 / epsilon))
	out := quantileSummary{values: make([]float32, n), weights: make([]float32, n)}
	prev := 0.0
	for i := 0; i < n; i++ {
		p := epsilon + float64(i)*epsilon
		c := interp(p, pct, cums)
		out.values[i] = float32(interp(p, pct, vals))
		out.weights[i] = float32(c - prev)
		prev = c
	}
	return out
}

// interp is numpy's interp for one point: fp at the ends beyond xp, else linear between the
// last xp[j] ≤ x and xp[j+1] (fp[j] when x equals xp[j]).
func interp(x float64, xp, fp []float64) float64 {
	n := len(xp)
	switch {
	case x < xp[0]:
		return fp[0]
	case x > xp[n-1]:
		return fp[n-1]
	case x == xp[n-1]:
		return fp[n-1]
	}
	j := sort.Search(n, func(k int) bool { return xp[k] > x }) - 1
	if xp[j] == x {
		return fp[j]
	}
	slope := (fp[j+1] - fp[j]) / (xp[j+1] - xp[j])
	r := slope*(x-xp[j]) + fp[j]
	if math.IsNaN(r) {
		r = slope*(x-xp[j+1]) + fp[j+1]
		if math.IsNaN(r) && fp[j] == fp[j+1] {
			r = fp[j]
		}
	}
	return r
}
