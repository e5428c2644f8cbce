package layers

import (
	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// Conv2DTransposeLayer is a 2-D transposed convolution (sometimes called deconvolution) over
// channels-last images: the gradient of a Conv2D with respect to its input, used to upsample (the
// decoder of an autoencoder, a U-Net), followed by a bias and an activation.
//
// # Weights
//
// kernel (kernel_h, kernel_w, filters, in_channels), bias (filters,), as Keras 3 stores them:
// the kernel of the Conv2D from filters to in_channels channels that this layer transposes.
//
// # Input shape
//
// (batch, height, width, channels). Height and width may be unknown (None).
//
// # Output shape
//
// (batch, new_height, new_width, filters): "valid" padding gives (n−1)·strides + max(k_eff,
// strides) along an axis of length n, "same" gives n·strides; with OutputPadding(p), "valid"
// gives (n−1)·strides + k_eff + p and "same" (n−1)·strides + k_eff mod 2 + p, as in Keras (k_eff
// is the dilated kernel size).
type Conv2DTransposeLayer struct {
	keras.LayerBase
	core convTransposeCore
}

var _ keras.Layer = (*Conv2DTransposeLayer)(nil)

// Conv2DTranspose returns a 2-D transposed convolution with filters output channels and a
// kernelSize×kernelSize kernel. Options: Activation (default none), UseBias (true), Strides (1, or
// one value per axis), Padding ("valid" or "same"), OutputPadding (Keras's null), DilationRate (1,
// or one value per axis; strides and dilation cannot both exceed 1), KernelSize2D(h, w) for a
// rectangular kernel, KernelInitializer ("glorot_uniform"), BiasInitializer ("zeros"), Name,
// Trainable.
func Conv2DTranspose(filters, kernelSize int, opts ...Conv2DOption) *Conv2DTransposeLayer {
	o := newOptions(opts)
	kernel := []int{kernelSize}
	if o.kernelSize2D != nil {
		kernel = o.kernelSize2D
	}
	l := &Conv2DTransposeLayer{}
	var err error
	l.core.convCore, err = convFromOptions("Conv2DTranspose", filters, kernel, o)
	l.core.outputPadding = o.outputPadding
	l.SetErr(err)
	return l.made(o)
}

// conv2DTransposeKeys is Conv2DTranspose's Keras config: Config writes it and LoadModel reads it
// back.
var conv2DTransposeKeys = convTransposeKeys(func(l *Conv2DTransposeLayer) *convTransposeCore { return &l.core })

func init() {
	registerLayer("Conv2DTranspose", conv2DTransposeKeys, func(l *Conv2DTransposeLayer, o *options) keras.Layer { return l.made(o) })
}

// made names the layer and checks its values, given to Conv2DTranspose or read from a saved config.
func (l *Conv2DTransposeLayer) made(o *options) *Conv2DTransposeLayer {
	initBase(&l.LayerBase, "Conv2DTranspose", o)
	l.SetErr(l.core.check(2))
	l.SetErr(l.core.format.made(o))
	return l
}

// Call applies the layer to x.
func (l *Conv2DTransposeLayer) Call(inputs ...*keras.Tensor) *keras.Tensor {
	return keras.CallOne(l, inputs...)
}

// ClassName returns "Conv2DTranspose".
func (l *Conv2DTransposeLayer) ClassName() string { return "Conv2DTranspose" }

// Build creates the kernel and bias for the input's channel count.
func (l *Conv2DTransposeLayer) Build(in []keras.Shape) error {
	return l.core.format.build(in, func(in []keras.Shape) error { return l.core.build(&l.LayerBase, in) })
}

// OutputShapes returns (batch, new_height, new_width, filters).
func (l *Conv2DTransposeLayer) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
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
func (l *Conv2DTransposeLayer) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	return l.core.format.forward(in, func(in []*G.Node) ([]*G.Node, error) {
		y, err := l.core.forward(ctx, in[0])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	})
}

// Config returns Keras 3's Conv2DTranspose config.
func (l *Conv2DTransposeLayer) Config() map[string]any { return conv2DTransposeKeys.config(l) }
