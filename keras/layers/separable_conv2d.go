package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// SeparableConv2DLayer is a 2-D depthwise separable convolution over channels-last images: a
// depthwise convolution (each input channel convolved with depth_multiplier kernels of its own)
// followed by a pointwise 1×1 convolution to filters channels, then a bias and an activation.
// Xception is built of it.
//
// # Weights
//
// depthwise_kernel (kernel_h, kernel_w, in_channels, depth_multiplier), pointwise_kernel (1,
// 1, in_channels·depth_multiplier, filters), bias (filters,), as Keras 3 stores them.
//
// # Input shape
//
// (batch, height, width, channels). Height and width may be unknown (None).
//
// # Output shape
//
// (batch, new_height, new_width, filters), each new size as for [Conv2D].
type SeparableConv2DLayer struct {
	keras.LayerBase
	core depthwiseCore
}

var _ keras.Layer = (*SeparableConv2DLayer)(nil)

// SeparableConv2D returns a 2-D separable convolution with filters output channels and a
// kernelSize×kernelSize depthwise kernel. Options: DepthMultiplier (default 1), Activation (none),
// UseBias (true), Strides (1, or one value per axis), Padding ("valid" or "same"), DilationRate (1,
// or one per axis; strides and dilation cannot both exceed 1), KernelSize2D(h, w) for a rectangular
// kernel, DepthwiseInitializer ("glorot_uniform"), PointwiseInitializer ("glorot_uniform"),
// BiasInitializer ("zeros"), Name, Trainable.
func SeparableConv2D(filters, kernelSize int, opts ...Conv2DOption) *SeparableConv2DLayer {
	o := newOptions(opts)
	kernel := []int{kernelSize}
	if o.kernelSize2D != nil {
		kernel = o.kernelSize2D
	}
	l := &SeparableConv2DLayer{}
	var err error
	l.core, err = depthwiseFromOptions("SeparableConv2D", true, filters, kernel, o)
	l.SetErr(err)
	return l.made(o)
}

// separableConv2DKeys is SeparableConv2D's Keras config: Config writes it and LoadModel reads it
// back.
var separableConv2DKeys = separableKeys(func(l *SeparableConv2DLayer) *depthwiseCore { return &l.core })

func init() {
	registerLayer("SeparableConv2D", separableConv2DKeys, func(l *SeparableConv2DLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to SeparableConv2D or read from a saved config.
func (l *SeparableConv2DLayer) made(o *options) *SeparableConv2DLayer {
	initBase(&l.LayerBase, "SeparableConv2D", o)
	l.core.separable = true
	l.SetErr(l.core.check(2, "valid", "same"))
	l.SetErr(l.core.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *SeparableConv2DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "SeparableConv2D".
func (l *SeparableConv2DLayer) ClassName() string { return "SeparableConv2D" }

// Build creates the weights for the input's channel count.
func (l *SeparableConv2DLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error { return l.core.build(&l.LayerBase, in) })
}

// OutputShapes returns (batch, new_height, new_width, filters).
func (l *SeparableConv2DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.core.format.outputShapes(in, func(in []keras.Shape) ([]keras.Shape, error) {
		s, err := l.core.outputShape(in)
		if err != nil {
			return nil, err
		}
		return []keras.Shape{s}, nil
	})
}

// Forward emits the depthwise convolution, the pointwise matrix product, bias and activation.
func (l *SeparableConv2DLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(ctx, in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's SeparableConv2D config.
func (l *SeparableConv2DLayer) Config() map[string]any { return separableConv2DKeys.config(l) }
