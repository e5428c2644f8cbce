package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// DepthwiseConv1DLayer is a 1-D depthwise convolution over channels-last sequences: each input
// channel is convolved with depth_multiplier kernels of its own (output channel c·depth_multiplier
// + m), then a bias and an activation are applied.
//
// # Weights
//
// kernel (kernel_size, in_channels, depth_multiplier), bias (in_channels·depth_multiplier,), as
// Keras 3 stores them.
//
// # Input shape
//
// (batch, steps, channels). The number of steps may be unknown (None).
//
// # Output shape
//
// (batch, new_steps, channels·depth_multiplier), new_steps as for [Conv1D].
type DepthwiseConv1DLayer struct {
	keras.LayerBase
	core depthwiseCore
}

var _ keras.Layer = (*DepthwiseConv1DLayer)(nil)

// DepthwiseConv1D returns a 1-D depthwise convolution with a kernel of kernelSize steps. Options:
// DepthMultiplier (default 1), Activation (none), UseBias (true), Strides (1), Padding
// ("valid" or "same"), DilationRate (1; strides and dilation cannot both exceed 1),
// DepthwiseInitializer ("glorot_uniform"), BiasInitializer ("zeros"), Name, Trainable.
func DepthwiseConv1D(kernelSize int, opts ...Conv1DOption) *DepthwiseConv1DLayer {
	o := newOptions(opts)
	kernel := []int{kernelSize}
	l := &DepthwiseConv1DLayer{}
	var err error
	l.core, err = depthwiseFromOptions("DepthwiseConv1D", false, 0, kernel, o)
	l.SetErr(err)
	return l.made(o)
}

// depthwiseConv1DKeys is DepthwiseConv1D's Keras config: Config writes it and LoadModel reads it
// back.
var depthwiseConv1DKeys = depthwiseKeys(func(l *DepthwiseConv1DLayer) *depthwiseCore { return &l.core })

func init() {
	registerLayer("DepthwiseConv1D", depthwiseConv1DKeys, func(l *DepthwiseConv1DLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to DepthwiseConv1D or read from a saved config.
func (l *DepthwiseConv1DLayer) made(o *options) *DepthwiseConv1DLayer {
	initBase(&l.LayerBase, "DepthwiseConv1D", o)
	l.core.separable = false
	l.SetErr(l.core.check(1, "valid", "same"))
	l.SetErr(l.core.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *DepthwiseConv1DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "DepthwiseConv1D".
func (l *DepthwiseConv1DLayer) ClassName() string { return "DepthwiseConv1D" }

// Build creates the weights for the input's channel count.
func (l *DepthwiseConv1DLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error { return l.core.build(&l.LayerBase, in) })
}

// OutputShapes returns (batch, new_steps, channels·depth_multiplier).
func (l *DepthwiseConv1DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.core.format.outputShapes(in, func(in []keras.Shape) ([]keras.Shape, error) {
		s, err := l.core.outputShape(in)
		if err != nil {
			return nil, err
		}
		return []keras.Shape{s}, nil
	})
}

// Forward emits the depthwise convolution (direct loops, one op with a hand-written backward pass),
// bias and activation.
func (l *DepthwiseConv1DLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(ctx, in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's DepthwiseConv1D config.
func (l *DepthwiseConv1DLayer) Config() map[string]any { return depthwiseConv1DKeys.config(l) }
