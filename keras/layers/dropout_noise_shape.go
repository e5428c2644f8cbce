package layers

import (
	"math"
	"math/rand/v2"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// Dropout's noise_shape (Keras's argument) is the shape of the random keep mask, batch axis
// first, None (kept here as -1) standing for the input's dimension: an axis of size 1 drops
// whole slices together. EfficientNet drops whole samples' residual branches with
// noise_shape (None, 1, 1, 1).

// noiseShapeKey reads and writes noise_shape: null, or a list of positive integers and nulls.
func noiseShapeKey() configKey[DropoutLayer] {
	return configKey[DropoutLayer]{name: "noise_shape", own: true,
		write: func(l *DropoutLayer) any {
			if l.noiseShape == nil {
				return nil
			}
			out := make([]any, len(l.noiseShape))
			for i, d := range l.noiseShape {
				if d > 0 {
					out[i] = d
				}
			}
			return out
		},
		read: func(r *configReader, key string, l *DropoutLayer) {
			list, ok := r.cfg[key].([]any)
			if !ok || len(list) == 0 {
				r.fail("%s %v: want null or a list of integers and nulls", key, r.cfg[key])
				return
			}
			l.noiseShape = make([]int, len(list))
			for i, v := range list {
				switch x := v.(type) {
				case nil:
					l.noiseShape[i] = -1
				case float64:
					if x < 1 || x != math.Trunc(x) || x > MaxConfigInt {
						r.fail("%s %v: dimension %v is not a positive integer", key, list, x)
						return
					}
					l.noiseShape[i] = int(x)
				default:
					r.fail("%s %v: dimension %v is not an integer or null", key, list, v)
					return
				}
			}
		}}
}

// NoiseShape sets the shape of a Dropout's keep mask, batch axis first, keras.None for the
// input's dimension (Keras's noise_shape): an axis of size 1 is dropped all together. The
// default, no noise shape, draws one number per entry.
func NoiseShape(s keras.Shape) DropoutOption {
	return dropoutOnly{func(o *options) { o.mark("NoiseShape"); o.noiseShape = append([]int(nil), s...) }}
}

// checkNoiseShape checks the noise shape against the input: one rank, and each dimension
// the input's or 1.
func (l *DropoutLayer) checkNoiseShape(in keras.Shape) error {
	if l.noiseShape == nil {
		return nil
	}
	if len(l.noiseShape) != in.Rank() {
		return keras.ShapeError("noise_shape %v must have the rank of input shape %v", keras.Shape(l.noiseShape), in)
	}
	for i, d := range l.noiseShape {
		if d > 0 && d != 1 && in[i] >= 0 && d != in[i] {
			return keras.ShapeError("noise_shape %v does not broadcast to input shape %v (axis %d)", keras.Shape(l.noiseShape), in, i)
		}
	}
	return nil
}

// fillNoiseMask fills t (the input's shape) with a keep mask drawn in noise shape (1/keep
// with probability keep, else 0) and repeated along the axes where the noise shape is 1.
func fillNoiseMask(t *tensor.Dense, noise []int, keep float64, rng *rand.Rand) {
	shape := t.Shape()
	ns := make([]int, len(shape)) // the noise shape resolved against this input
	size := 1
	for i, d := range noise {
		ns[i] = shape[i]
		if d == 1 {
			ns[i] = 1
		}
		size *= ns[i]
	}
	draw := make([]float64, size)
	for i := range draw {
		if rng.Float64() < keep {
			draw[i] = 1 / keep
		}
	}
	idx := make([]int, len(shape))
	n := shape.TotalSize()
	for flat := 0; flat < n; flat++ {
		// The noise entry of this element: its index with each size-1 noise axis at 0.
		at := 0
		for i := range shape {
			at *= ns[i]
			if ns[i] != 1 {
				at += idx[i]
			}
		}
		switch d := t.Data().(type) {
		case []float32:
			d[flat] = float32(draw[at])
		case []float64:
			d[flat] = draw[at]
		}
		for i := len(shape) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
	}
}
