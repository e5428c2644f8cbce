package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// Conv2DLayer is a 2-D convolution (a cross-correlation, as in Keras) over channels-last
// images, followed by a bias and an activation.
//
// # Weights
//
// kernel (kernel_h, kernel_w, in_channels, filters), bias (filters,), as Keras 3 stores them.
//
// # Input shape
//
// (batch, height, width, channels). Height and width may be unknown (None).
//
// # Output shape
//
// (batch, new_height, new_width, filters), each new size computed as for [Conv1D] along its
// axis ("valid" or "same" padding; "same" pads half of max((out-1)·strides + k_eff - size, 0)
// before and the rest after, so an even kernel's extra row or column is at the bottom or
// right, as in Keras).
type Conv2DLayer struct {
	keras.LayerBase
	core convCore
}

var _ keras.Layer = (*Conv2DLayer)(nil)

// Conv2D returns a 2-D convolution layer with filters output channels and a square kernel
// of kernelSize×kernelSize; KernelSize2D(h, w) gives a rectangular one instead. Options:
// Activation (default none), UseBias (true), Strides (1, or one value per axis), Padding
// ("valid" or "same"), DilationRate (1, or one per axis; strides and dilation cannot both
// exceed 1), KernelSize2D, KernelInitializer ("glorot_uniform"), BiasInitializer ("zeros"),
// Name, Trainable.
func Conv2D(filters, kernelSize int, opts ...Conv2DOption) *Conv2DLayer {
	o := newOptions(opts)
	kernel := []int{kernelSize}
	if o.kernelSize2D != nil {
		kernel = o.kernelSize2D
	}
	l := &Conv2DLayer{}
	var err error
	l.core, err = convFromOptions("Conv2D", filters, kernel, o)
	l.SetErr(err)
	return l.made(o)
}

// conv2DKeys is Conv2D's Keras config: Config writes it and LoadModel reads it back.
var conv2DKeys = convKeys(func(l *Conv2DLayer) *convCore { return &l.core })

func init() {
	registerLayer("Conv2D", conv2DKeys, func(l *Conv2DLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to Conv2D or read from a saved config.
func (l *Conv2DLayer) made(o *options) *Conv2DLayer {
	initBase(&l.LayerBase, "Conv2D", o)
	l.SetErr(l.core.check(2, "valid", "same"))
	l.SetErr(l.core.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *Conv2DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor { return keras.CallOne(l, inputs...) }

// ClassName returns "Conv2D".
func (l *Conv2DLayer) ClassName() string { return "Conv2D" }

// Build creates the kernel and bias for the input's channel count.
func (l *Conv2DLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error { return l.core.build(&l.LayerBase, in) })
}

// OutputShapes returns (batch, new_height, new_width, filters).
func (l *Conv2DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.core.format.outputShapes(in, func(in []keras.Shape) ([]keras.Shape, error) {
		s, err := l.core.outputShape(in)
		if err != nil {
			return nil, err
		}
		return []keras.Shape{s}, nil
	})
}

// Forward emits the convolution as patches (im2col) times the kernel matrix.
func (l *Conv2DLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(ctx, in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's Conv2D config.
func (l *Conv2DLayer) Config() map[string]any { return conv2DKeys.config(l) }

// Conv2DOption is an option Conv2D takes: Conv1D's and KernelSize2D.
type Conv2DOption interface {
	applier
	conv2D()
}

// conv2DOnly carries the options only Conv2D takes.
type conv2DOnly struct{ setter }

func (conv2DOnly) conv2D() {}

// KernelSize2D gives a Conv2D a rectangular kernel (height, width) instead of the square one
// of its positional argument.
func KernelSize2D(h, w int) Conv2DOption {
	return conv2DOnly{func(o *options) { o.mark("KernelSize2D"); o.kernelSize2D = []int{h, w} }}
}
