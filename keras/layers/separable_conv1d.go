package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// SeparableConv1DLayer is a 1-D depthwise separable convolution over channels-last sequences: a
// depthwise convolution (each input channel convolved with depth_multiplier kernels of its own)
// followed by a pointwise convolution of size 1 to filters channels, then a bias and an activation.
//
// # Weights
//
// depthwise_kernel (kernel_size, in_channels, depth_multiplier), pointwise_kernel (1,
// in_channels·depth_multiplier, filters), bias (filters,), as Keras 3 stores them.
//
// # Input shape
//
// (batch, steps, channels). The number of steps may be unknown (None).
//
// # Output shape
//
// (batch, new_steps, filters), new_steps as for [Conv1D].
type SeparableConv1DLayer struct {
	keras.LayerBase
	core depthwiseCore
}

var _ keras.Layer = (*SeparableConv1DLayer)(nil)

// SeparableConv1D returns a 1-D separable convolution with filters output channels and a depthwise
// kernel of kernelSize steps. Options: DepthMultiplier (default 1), Activation (none), UseBias
// (true), Strides (1), Padding ("valid" or "same"), DilationRate (1; strides and dilation cannot
// both exceed 1), DepthwiseInitializer ("glorot_uniform"), PointwiseInitializer ("glorot_uniform"),
// BiasInitializer ("zeros"), Name, Trainable.
func SeparableConv1D(filters, kernelSize int, opts ...Conv1DOption) *SeparableConv1DLayer {
	o := newOptions(opts)
	kernel := []int{kernelSize}
	l := &SeparableConv1DLayer{}
	var err error
	l.core, err = depthwiseFromOptions("SeparableConv1D", true, filters, kernel, o)
	l.SetErr(err)
	return l.made(o)
}

// separableConv1DKeys is SeparableConv1D's Keras config: Config writes it and LoadModel reads it
// back.
var separableConv1DKeys = separableKeys(func(l *SeparableConv1DLayer) *depthwiseCore { return &l.core })

func init() {
	registerLayer("SeparableConv1D", separableConv1DKeys, func(l *SeparableConv1DLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to SeparableConv1D or read from a saved config.
func (l *SeparableConv1DLayer) made(o *options) *SeparableConv1DLayer {
	initBase(&l.LayerBase, "SeparableConv1D", o)
	l.core.separable = true
	l.SetErr(l.core.check(1, "valid", "same"))
	l.SetErr(l.core.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *SeparableConv1DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "SeparableConv1D".
func (l *SeparableConv1DLayer) ClassName() string { return "SeparableConv1D" }

// Build creates the weights for the input's channel count.
func (l *SeparableConv1DLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error { return l.core.build(&l.LayerBase, in) })
}

// OutputShapes returns (batch, new_steps, filters).
func (l *SeparableConv1DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.core.format.outputShapes(in, func(in []keras.Shape) ([]keras.Shape, error) {
		s, err := l.core.outputShape(in)
		if err != nil {
			return nil, err
		}
		return []keras.Shape{s}, nil
	})
}

// Forward emits the depthwise convolution, the pointwise matrix product, bias and activation.
func (l *SeparableConv1DLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(ctx, in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's SeparableConv1D config.
func (l *SeparableConv1DLayer) Config() map[string]any { return separableConv1DKeys.config(l) }
