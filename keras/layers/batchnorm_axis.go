package layers

import (
	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// BatchNormalization's feature axis need not be the last one: Keras models written with
// data_format="channels_first" normalise axis 1 (BatchNormalization(axis=1)). The layer
// computes over the last axis; for another axis its input is transposed (a copy,
// internal/ops Transpose) to put that axis last, normalised, and transposed back.

// featureAxis returns the axis the layer normalises for an input of shape s (Keras's axis,
// negative counting from the end), refusing the batch axis and one outside the input.
func (l *BatchNormalizationLayer) featureAxis(s keras.Shape) (int, error) {
	a := l.axis
	if a < 0 {
		a += s.Rank()
	}
	if a < 1 || a >= s.Rank() {
		return 0, keras.ShapeError("axis %d is not a feature axis of input %v (1 … %d, or negative from the end)", l.axis, s, s.Rank()-1)
	}
	return a, nil
}

// axisLast returns the permutation moving axis a of a rank-n tensor last, and its inverse;
// nil, nil when a is already last.
func axisLast(a, n int) (perm, inv []int) {
	if a == n-1 {
		return nil, nil
	}
	for i := 0; i < n; i++ {
		if i != a {
			perm = append(perm, i)
		}
	}
	perm = append(perm, a)
	inv = make([]int, n)
	for i, p := range perm {
		inv[p] = i
	}
	return perm, inv
}

// forwardAxis runs fwd, which normalises the last axis, over the layer's feature axis.
func (l *BatchNormalizationLayer) forwardAxis(x *G.Node, fwd func(*G.Node) (*G.Node, error)) (*G.Node, error) {
	a, err := l.featureAxis(keras.Shape(x.Shape()))
	if err != nil {
		return nil, err
	}
	perm, inv := axisLast(a, x.Dims())
	if perm == nil {
		return fwd(x)
	}
	if x, err = internalops.Transpose(x, perm...); err != nil {
		return nil, err
	}
	y, err := fwd(x)
	if err != nil {
		return nil, err
	}
	return internalops.Transpose(y, inv...)
}
