package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Output masks of the layers that combine several inputs (Keras 3's compute_mask of
// Concatenate and of the merge layers). A mask is a float node of 1s (valid time step) and 0s
// (padding) whose shape is its tensor's shape without the last (feature) axis: (batch, time)
// for a (batch, time, features) sequence.

// inputMasks returns the mask of every input (nil where an input has none) and whether any
// input has one. A mask whose shape is not its input's shape without the last axis is an
// error naming both shapes.
func inputMasks(ctx *keras.Context, in []*G.Node) (masks []*G.Node, anyMask bool, err error) {
	masks = make([]*G.Node, len(in))
	for i, x := range in {
		m := ctx.Mask(x)
		if m == nil {
			continue
		}
		if want := maskShapeOf(x); !m.Shape().Eq(want) {
			return nil, false, keras.ShapeError("the mask of input %d has shape %v, want %v (the input's shape %v without its last axis)", i, m.Shape(), want, x.Shape())
		}
		masks[i], anyMask = m, true
	}
	return masks, anyMask, nil
}

// maskShapeOf returns the shape of a mask of x: x's shape without its last axis.
func maskShapeOf(x *G.Node) tensor.Shape {
	s := x.Shape()
	return s[:len(s)-1].Clone()
}

// orMasks returns the element-wise OR of masks of one shape (all non-nil): their maximum, as
// the values are 0 or 1. One mask node given several times is used as it is.
func orMasks(masks []*G.Node) (*G.Node, error) {
	acc := masks[0]
	for _, m := range masks[1:] {
		if m == acc {
			continue
		}
		var err error
		if acc, err = G.MaxBetween(acc, m); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// onesMask returns a mask of the given shape that marks every step valid: a constant node of
// the graph's float dtype, named after the layer and the input it stands for.
func onesMask(ctx *keras.Context, layer string, input int, shape tensor.Shape) *G.Node {
	dt := ctx.FloatDType()
	t := tensor.New(tensor.WithShape(shape.Clone()...), tensor.Of(dt))
	fillRange(t, 0, shape.TotalSize(), 1)
	name := fmt.Sprintf("%s/ones_mask_%d_%v", layer, input, shape)
	return G.NewTensor(ctx.Graph(), dt, len(shape), G.WithShape(shape.Clone()...), G.WithValue(t), G.WithName(name))
}
