package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// DepthwiseConv2DLayer is a 2-D depthwise convolution over channels-last images: each input channel
// is convolved with depth_multiplier kernels of its own (output channel c·depth_multiplier + m),
// then a bias and an activation are applied. MobileNet, EfficientNet and Xception are built of it.
//
// # Weights
//
// kernel (kernel_h, kernel_w, in_channels, depth_multiplier), bias
// (in_channels·depth_multiplier,), as Keras 3 stores them.
//
// # Input shape
//
// (batch, height, width, channels). Height and width may be unknown (None).
//
// # Output shape
//
// (batch, new_height, new_width, channels·depth_multiplier), each new size as for [Conv2D].
type DepthwiseConv2DLayer struct {
	keras.LayerBase
	core depthwiseCore
}

var _ keras.Layer = (*DepthwiseConv2DLayer)(nil)

// DepthwiseConv2D returns a 2-D depthwise convolution with a kernelSize×kernelSize kernel. Options:
// DepthMultiplier (default 1), Activation (none), UseBias (true), Strides (1, or one value per
// axis), Padding ("valid" or "same"), DilationRate (1, or one per axis; strides and dilation
// cannot both exceed 1), KernelSize2D(h, w) for a rectangular kernel, DepthwiseInitializer
// ("glorot_uniform"), BiasInitializer ("zeros"), Name, Trainable.
func DepthwiseConv2D(kernelSize int, opts ...Conv2DOption) *DepthwiseConv2DLayer {
	o := newOptions(opts)
	kernel := []int{kernelSize}
	if o.kernelSize2D != nil {
		kernel = o.kernelSize2D
	}
	l := &DepthwiseConv2DLayer{}
	var err error
	l.core, err = depthwiseFromOptions("DepthwiseConv2D", false, 0, kernel, o)
	l.SetErr(err)
	return l.made(o)
}

// depthwiseConv2DKeys is DepthwiseConv2D's Keras config: Config writes it and LoadModel reads it
// back.
var depthwiseConv2DKeys = depthwiseKeys(func(l *DepthwiseConv2DLayer) *depthwiseCore { return &l.core })

func init() {
	registerLayer("DepthwiseConv2D", depthwiseConv2DKeys, func(l *DepthwiseConv2DLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to DepthwiseConv2D or read from a saved config.
func (l *DepthwiseConv2DLayer) made(o *options) *DepthwiseConv2DLayer {
	initBase(&l.LayerBase, "DepthwiseConv2D", o)
	l.core.separable = false
	l.SetErr(l.core.check(2, "valid", "same"))
	l.SetErr(l.core.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *DepthwiseConv2DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "DepthwiseConv2D".
func (l *DepthwiseConv2DLayer) ClassName() string { return "DepthwiseConv2D" }

// Build creates the weights for the input's channel count.
func (l *DepthwiseConv2DLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error { return l.core.build(&l.LayerBase, in) })
}

// OutputShapes returns (batch, new_height, new_width, channels·depth_multiplier).
func (l *DepthwiseConv2DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
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
func (l *DepthwiseConv2DLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(ctx, in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's DepthwiseConv2D config.
func (l *DepthwiseConv2DLayer) Config() map[string]any { return depthwiseConv2DKeys.config(l) }
