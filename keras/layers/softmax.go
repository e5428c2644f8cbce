package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// SoftmaxLayer is Keras's Softmax layer along the last axis: each row of the last axis is
// exponentiated and normalised to sum to 1, on its own (kerago's row-wise softmax, not
// Gorgonia's, whose rows mix: docs/gorgonia.md).
//
// # Input shape
//
// Any. # Output shape: the input's.
type SoftmaxLayer struct {
	keras.LayerBase
	axis int
}

var _ keras.Layer = (*SoftmaxLayer)(nil)

// Softmax returns a softmax over the last axis (Keras's axis=-1, the only one supported).
// Keras's mask argument is not applied. Options: Name, Trainable, DType.
func Softmax(opts ...Option) *SoftmaxLayer {
	l := &SoftmaxLayer{axis: -1}
	return l.made(newOptions(opts))
}

// softmaxKeys is Softmax's Keras config.
var softmaxKeys = configKeys[SoftmaxLayer]{
	intKey("axis", func(l *SoftmaxLayer) *int { return &l.axis }, -1),
}

func init() {
	registerLayer("Softmax", softmaxKeys, func(l *SoftmaxLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer, given to Softmax or read from a saved config; the axis is checked
// against the input in Build.
func (l *SoftmaxLayer) made(o *options) *SoftmaxLayer {
	initBase(&l.LayerBase, "Softmax", o)
	return l
}

// Call applies the layer to x.
func (l *SoftmaxLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Softmax".
func (l *SoftmaxLayer) ClassName() string { return "Softmax" }

// Build checks the input and the axis: -1, or the last axis counted from the batch's 0 (a
// config saved with axis=2 for a rank-3 input).
func (l *SoftmaxLayer) Build(in []keras.Shape) error {
	if err := checkOneInput(in, 2); err != nil {
		return err
	}
	if l.axis != -1 && l.axis != in[0].Rank()-1 {
		return keras.ShapeError("axis %d is not supported for input shape %v: only the last axis (-1)", l.axis, in[0])
	}
	return nil
}

// OutputShapes returns the input shape.
func (l *SoftmaxLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := l.Build(in); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward applies the softmax along the last axis.
func (l *SoftmaxLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.Softmax(in[0]))
}

// Config returns Keras 3's Softmax config.
func (l *SoftmaxLayer) Config() map[string]any { return softmaxKeys.config(l) }
