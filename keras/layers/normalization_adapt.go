package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// Adapt computes the layer's mean and variance from data, as Keras's Normalization.adapt:
// data is one *tensor.Dense holding every sample (batch first), whose statistics are computed
// at once as numpy's mean and var are, or a []*tensor.Dense of batches, streamed as Keras
// streams a dataset: each batch's mean and variance are merged into the running ones, weighted
// by the number of values they cover, the variance by the lack-of-fit sum of squares, so the
// result is the whole data's. Values are float32 or float64 (summed in float64). The layer
// must have been made without mean and variance; Adapt may come before the layer is called
// (the statistics then fill the weights when it is built) or after, when every realisation of
// the model sees the new statistics at its next run.
func (l *NormalizationLayer) Adapt(data any) error {
	if err := l.Err(); err != nil {
		return err
	}
	if l.mean != nil {
		return fmt.Errorf("%w: Normalization %s: Adapt on a layer given its mean and variance", keras.ErrInvalidArgument, l.Name())
	}
	batches, err := adaptBatches("Normalization", l.Name(), data)
	if err != nil {
		return err
	}
	if len(batches) == 0 || batches[0] == nil {
		return fmt.Errorf("%w: Normalization %s: Adapt got no batches", keras.ErrInvalidArgument, l.Name())
	}
	shape := keras.Shape(batches[0].Shape().Clone())
	shape[0] = keras.None
	keep, err := l.keptAxes(shape)
	if err != nil {
		return fmt.Errorf("Normalization %s: Adapt: %w", l.Name(), err)
	}
	if l.built != nil && (shape.Rank() != l.built.Rank() || !keptShape(shape, keep).Equal(keptShape(l.built, l.keep))) {
		return fmt.Errorf("Normalization %s: Adapt: %w", l.Name(), keras.ShapeError("data of shape %v does not fit the layer, built for input shape %v", batches[0].Shape(), l.built))
	}
	var total *normStats
	count := 0
	for i, b := range batches {
		if b == nil || b.Dims() != shape.Rank() || !keptShape(keras.Shape(b.Shape()), keep).Equal(keptShape(shape, keep)) {
			return fmt.Errorf("Normalization %s: Adapt: %w", l.Name(), keras.ShapeError("batch %d has shape %v, want %v along the kept axes", i, shapeOfDense(b), keptShape(shape, keep)))
		}
		st, n, err := momentsOf(b, keep)
		if err != nil {
			return fmt.Errorf("Normalization %s: Adapt: batch %d: %w", l.Name(), i, err)
		}
		if total == nil {
			total, count = st, n
			continue
		}
		count += n
		w := float64(n) / float64(count) // the batch's weight, as Keras's batch_weight
		for k := range total.mean {
			m := total.mean[k]*(1-w) + st.mean[k]*w
			dOld, dNew := total.mean[k]-m, st.mean[k]-m
			total.variance[k] = (total.variance[k]+dOld*dOld)*(1-w) + (st.variance[k]+dNew*dNew)*w
			total.mean[k] = m
		}
	}
	if l.meanVar == nil {
		l.pending = total
		return nil
	}
	l.store(total)
	return nil
}

// shapeOfDense is a tensor's shape, or nil for a nil tensor, for messages.
func shapeOfDense(t *tensor.Dense) tensor.Shape {
	if t == nil {
		return nil
	}
	return t.Shape()
}

// momentsOf returns the mean and (population) variance of x over every axis but the kept
// ones, per position of the kept axes, and how many values each covers.
func momentsOf(x *tensor.Dense, keep []int) (*normStats, int, error) {
	var vals []float64
	switch d := x.Data().(type) {
	case []float32:
		vals = make([]float64, len(d))
		for i, v := range d {
			vals[i] = float64(v)
		}
	case []float64:
		vals = d
	default:
		return nil, 0, fmt.Errorf("%w: values of dtype %v (want float32 or float64)", keras.ErrDType, x.Dtype())
	}
	shape := x.Shape()
	size := 1
	for _, d := range keep {
		size *= shape[d]
	}
	if size == 0 || len(vals) == 0 {
		return nil, 0, keras.ShapeError("no values in shape %v", shape)
	}
	n := len(vals) / size
	// pos maps a flat index of x to the flat index of its kept coordinates.
	strides := make([]int, len(shape))
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		strides[d] = s
		s *= shape[d]
	}
	pos := func(i int) int {
		p := 0
		for _, d := range keep {
			p = p*shape[d] + (i/strides[d])%shape[d]
		}
		return p
	}
	st := &normStats{mean: make([]float64, size), variance: make([]float64, size)}
	for i, v := range vals {
		st.mean[pos(i)] += v
	}
	for k := range st.mean {
		st.mean[k] /= float64(n)
	}
	for i, v := range vals {
		d := v - st.mean[pos(i)]
		st.variance[pos(i)] += d * d
	}
	for k := range st.variance {
		st.variance[k] /= float64(n)
	}
	return st, n, nil
}
