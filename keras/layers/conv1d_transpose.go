package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// Conv1DTransposeLayer is a 1-D transposed convolution over channels-last sequences: the gradient
// of a Conv1D with respect to its input, used to upsample a sequence, followed by a bias and an
// activation.
//
// # Weights
//
// kernel (kernel_size, filters, in_channels), bias (filters,), as Keras 3 stores them.
//
// # Input shape
//
// (batch, steps, channels). The number of steps may be unknown (None).
//
// # Output shape
//
// (batch, new_steps, filters): "valid" padding gives (n−1)·strides + max(k_eff, strides) along
// an axis of length n, "same" gives n·strides; with OutputPadding(p), "valid" gives
// (n−1)·strides + k_eff + p and "same" (n−1)·strides + k_eff mod 2 + p, as in Keras (k_eff is
// the dilated kernel size).
type Conv1DTransposeLayer struct {
	keras.LayerBase
	core convTransposeCore
}

var _ keras.Layer = (*Conv1DTransposeLayer)(nil)

// Conv1DTranspose returns a 1-D transposed convolution with filters output channels and a kernel of
// kernelSize steps. Options: Activation (default none), UseBias (true), Strides (1), Padding
// ("valid" or "same"), OutputPadding (Keras's null), DilationRate (1; strides and dilation cannot
// both exceed 1), KernelInitializer ("glorot_uniform"), BiasInitializer ("zeros"), Name, Trainable.
func Conv1DTranspose(filters, kernelSize int, opts ...Conv1DOption) *Conv1DTransposeLayer {
	o := newOptions(opts)
	kernel := []int{kernelSize}
	l := &Conv1DTransposeLayer{}
	var err error
	l.core.convCore, err = convFromOptions("Conv1DTranspose", filters, kernel, o)
	l.core.outputPadding = o.outputPadding
	l.SetErr(err)
	return l.made(o)
}

// conv1DTransposeKeys is Conv1DTranspose's Keras config: Config writes it and LoadModel reads it
// back.
var conv1DTransposeKeys = convTransposeKeys(func(l *Conv1DTransposeLayer) *convTransposeCore { return &l.core })

func init() {
	registerLayer("Conv1DTranspose", conv1DTransposeKeys, func(l *Conv1DTransposeLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to Conv1DTranspose or read from a saved config.
func (l *Conv1DTransposeLayer) made(o *options) *Conv1DTransposeLayer {
	initBase(&l.LayerBase, "Conv1DTranspose", o)
	l.SetErr(l.core.check(1))
	l.SetErr(l.core.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *Conv1DTransposeLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Conv1DTranspose".
func (l *Conv1DTransposeLayer) ClassName() string { return "Conv1DTranspose" }

// Build creates the kernel and bias for the input's channel count.
func (l *Conv1DTransposeLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error { return l.core.build(&l.LayerBase, in) })
}

// OutputShapes returns (batch, new_steps, filters).
func (l *Conv1DTransposeLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return l.core.format.outputShapes(in, func(in []keras.Shape) ([]keras.Shape, error) {
		s, err := l.core.outputShape(in)
		if err != nil {
			return nil, err
		}
		return []keras.Shape{s}, nil
	})
}

// Forward emits the input times the transposed kernel matrix, spread over the output by
// col2im, then the bias and the activation.
func (l *Conv1DTransposeLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(ctx, in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's Conv1DTranspose config.
func (l *Conv1DTransposeLayer) Config() map[string]any { return conv1DTransposeKeys.config(l) }
