package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// Conv1DLayer is a 1-D convolution (a cross-correlation, as in Keras: the kernel is not
// flipped) over the steps of a channels-last sequence, followed by a bias and an activation.
//
// # Weights
//
// kernel (kernel_size, in_channels, filters), bias (filters,), as Keras 3 stores them.
//
// # Input shape
//
// (batch, steps, channels). The number of steps may be unknown (None).
//
// # Output shape
//
// (batch, new_steps, filters), where new_steps is floor((steps - dilation·(kernel_size-1) - 1)
// / strides) + 1 with "valid" padding and ceil(steps / strides) with "same" or "causal"
// padding; None when steps is None.
type Conv1DLayer struct {
	keras.LayerBase
	core convCore
}

var _ keras.Layer = (*Conv1DLayer)(nil)

// Conv1D returns a 1-D convolution layer with filters output channels and a kernel of
// kernelSize steps. Options: Activation (default none), UseBias (true), Strides (1),
// Padding ("valid"; also "same", and "causal", which pads only at the start so that output t
// sees inputs up to t), DilationRate (1; strides and dilation cannot both exceed 1),
// KernelInitializer ("glorot_uniform"), BiasInitializer ("zeros"), Name, Trainable.
func Conv1D(filters, kernelSize int, opts ...Conv1DOption) *Conv1DLayer {
	o := newOptions(opts)
	l := &Conv1DLayer{}
	var err error
	l.core, err = convFromOptions("Conv1D", filters, []int{kernelSize}, o)
	l.SetErr(err)
	return l.made(o)
}

// conv1DKeys is Conv1D's Keras config: Config writes it and LoadModel reads it back.
var conv1DKeys = convKeys(func(l *Conv1DLayer) *convCore { return &l.core })

func init() {
	registerLayer("Conv1D", conv1DKeys, func(l *Conv1DLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to Conv1D or read from a saved config.
func (l *Conv1DLayer) made(o *options) *Conv1DLayer {
	initBase(&l.LayerBase, "Conv1D", o)
	l.SetErr(l.core.check(1, "valid", "same", "causal"))
	l.SetErr(l.core.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *Conv1DLayer) Call(inputs ...*keras.Tensor) *keras.Tensor { return keras.CallOne(l, inputs...) }

// ClassName returns "Conv1D".
func (l *Conv1DLayer) ClassName() string { return "Conv1D" }

// Build creates the kernel and bias for the input's channel count.
func (l *Conv1DLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error { return l.core.build(&l.LayerBase, in) })
}

// OutputShapes returns (batch, new_steps, filters).
func (l *Conv1DLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.core.format.outputShapes(in, func(in []keras.Shape) ([]keras.Shape, error) {
		s, err := l.core.outputShape(in)
		if err != nil {
			return nil, err
		}
		return []keras.Shape{s}, nil
	})
}

// Forward emits the convolution as patches (im2col) times the kernel matrix.
func (l *Conv1DLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(ctx, in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's Conv1D config.
func (l *Conv1DLayer) Config() map[string]any { return conv1DKeys.config(l) }

// Conv1DOption is an option Conv1D takes: Activation, UseBias, KernelInitializer,
// BiasInitializer, Strides, Padding, DilationRate and the common options.
type Conv1DOption interface {
	applier
	conv1D()
}
