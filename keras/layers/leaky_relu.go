package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// LeakyReLULayer is a rectified linear unit that lets a small gradient through where it is not
// active: f(x) = x for x ≥ 0 and negative_slope·x otherwise, as Keras's LeakyReLU.
//
// # Input shape
//
// Any. # Output shape: the input's.
type LeakyReLULayer struct {
	keras.LayerBase
	negativeSlope float64
}

var _ keras.Layer = (*LeakyReLULayer)(nil)

// LeakyReLU returns a leaky rectifier with the given negative slope (≥ 0; Keras's default is
// 0.3). Options: Name, Trainable, DType.
func LeakyReLU(negativeSlope float64, opts ...Option) *LeakyReLULayer {
	l := &LeakyReLULayer{negativeSlope: negativeSlope}
	return l.made(newOptions(opts))
}

// leakyReLUKeys is LeakyReLU's Keras config; Keras 3 still reads Keras 2's "alpha".
var leakyReLUKeys = configKeys[LeakyReLULayer]{
	floatKey("negative_slope", func(l *LeakyReLULayer) *float64 { return &l.negativeSlope }, 0.3).or("alpha"),
}

func init() {
	registerLayer("LeakyReLU", leakyReLUKeys, func(l *LeakyReLULayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its slope, given to LeakyReLU or read from a saved config.
func (l *LeakyReLULayer) made(o *options) *LeakyReLULayer {
	initBase(&l.LayerBase, "LeakyReLU", o)
	if !(l.negativeSlope >= 0) {
		l.SetErr(fmt.Errorf("%w: negative_slope must be ≥ 0, got %v", keras.ErrInvalidArgument, l.negativeSlope))
	}
	return l
}

// Call applies the layer to x.
func (l *LeakyReLULayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "LeakyReLU".
func (l *LeakyReLULayer) ClassName() string { return "LeakyReLU" }

// SupportsMasking reports that a mask passes through unchanged.
func (l *LeakyReLULayer) SupportsMasking() bool { return true }

// Build checks the input: the layer has no weights.
func (l *LeakyReLULayer) Build(in []keras.Shape) error { return checkOneInput(in, 1) }

// OutputShapes returns the input shape.
func (l *LeakyReLULayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	if err := checkOneInput(in, 1); err != nil {
		return nil, err
	}
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward applies the leaky rectifier.
func (l *LeakyReLULayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	return o.Result(o.LeakyRelu(in[0], l.negativeSlope))
}

// Config returns Keras 3's LeakyReLU config.
func (l *LeakyReLULayer) Config() map[string]any { return leakyReLUKeys.config(l) }

// PaddingRole reports that each time step is computed on its own and the mask passes through,
// so batches of masked token ids may be bucketed (see keras.PaddingRole).
func (l *LeakyReLULayer) PaddingRole() keras.PaddingRole { return keras.PaddingStepwise }
