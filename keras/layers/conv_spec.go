package layers

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convSpec is what every convolution core (convCore, its transposed form, depthwiseCore)
// shares: the sliding window over rank spatial axes (kernel size, strides, dilation,
// padding), the activation and the bias. It is written once here, with the checks, config
// keys, output shape and the forward pass's first and last steps that follow from it; a core
// embeds it and adds its kernels.
type convSpec struct {
	rank       int
	kernelSize []int
	strides    []int
	dilation   []int
	padding    string
	format     dataFormat // data_format.go
	activation string
	useBias    bool
	biasInit   initializers.Initializer
	bias       *keras.Variable // (output channels,)
}

// specFromOptions records the window, activation and bias options, unchecked (check checks
// them); the error is a bad BiasInitializer.
func specFromOptions(kernelSize []int, o *options) (convSpec, error) {
	s := convSpec{kernelSize: kernelSize, strides: o.strides, dilation: o.dilation,
		padding: o.padding, activation: o.activation, useBias: o.useBias}
	var err error
	s.biasInit, err = initializerOf("BiasInitializer", o.biasInitializer)
	return s, err
}

// convSpecKeys are the Keras config keys of a convolution's window, activation and bias, for
// each layer's table to place in Keras's order among its own keys.
type convSpecKeys[L any] struct {
	kernelSize, strides, padding, dataFormat, dilation, activation, useBias, biasInit configKey[L]
}

// specKeys returns the config keys of the convSpec that spec finds in a layer.
func specKeys[L any](spec func(*L) *convSpec) convSpecKeys[L] {
	return convSpecKeys[L]{
		kernelSize: windowKey("kernel_size", func(l *L) *[]int { return &spec(l).kernelSize }).req(),
		strides:    windowKey("strides", func(l *L) *[]int { return &spec(l).strides }),
		padding:    stringKey("padding", func(l *L) *string { return &spec(l).padding }, "valid"),
		dataFormat: dataFormatKey(func(l *L) *dataFormat { return &spec(l).format }),
		dilation:   windowKey("dilation_rate", func(l *L) *[]int { return &spec(l).dilation }),
		activation: activationKey("activation", func(l *L) *string { return &spec(l).activation }),
		useBias:    boolKey("use_bias", func(l *L) *bool { return &spec(l).useBias }, true),
		biasInit:   initializerKey("bias_initializer", func(l *L) *initializers.Initializer { return &spec(l).biasInit }, initializers.Zeros),
	}
}

// nullKeys are keys Keras writes as null that this library does not implement (nullKey), in
// the order given.
func nullKeys[L any](names ...string) []configKey[L] {
	ks := make([]configKey[L], len(names))
	for i, n := range names {
		ks[i] = nullKey[L](n)
	}
	return ks
}

// check sets the rank, expands the window sizes to one per spatial axis with their defaults,
// and returns every problem with its values, given to the constructor or read from a saved
// config; paddings are the padding modes the layer takes.
func (s *convSpec) check(rank int, paddings ...string) []error {
	s.rank = rank
	var errs []error
	var err error
	if s.kernelSize, err = spatialInts("kernel_size", s.kernelSize, rank, nil); err != nil {
		errs = append(errs, err)
	}
	if s.strides, err = spatialInts("strides (option Strides)", s.strides, rank, repeatInt(1, rank)); err != nil {
		errs = append(errs, err)
	}
	if s.dilation, err = spatialInts("dilation_rate (option DilationRate)", s.dilation, rank, repeatInt(1, rank)); err != nil {
		errs = append(errs, err)
	}
	if s.padding, err = checkPaddingMode(s.padding, paddings...); err != nil {
		errs = append(errs, err)
	}
	if s.strides != nil && s.dilation != nil {
		for i := range s.strides {
			if s.strides[i] > 1 && s.dilation[i] > 1 {
				errs = append(errs, fmt.Errorf("%w: strides > 1 not supported in conjunction with dilation_rate > 1: got strides %v and dilation_rate %v", keras.ErrInvalidArgument, s.strides, s.dilation))
				break
			}
		}
	}
	if err := checkActivation(s.activation); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// inChannels checks that the layer got one input of the spec's rank and returns its channel
// count, which must be known to build the kernels.
func (s *convSpec) inChannels(in []keras.Shape) (int, error) {
	if err := checkRank(in, s.rank+2, layoutOf(s.rank)); err != nil {
		return 0, err
	}
	ch := in[0].Last()
	if ch < 0 {
		return 0, keras.ShapeError("the channel dimension (last axis) of the input must be known, got %v", in[0])
	}
	return ch, nil
}

// buildBias creates the bias (n,) when the layer uses one.
func (s *convSpec) buildBias(b *keras.LayerBase, n int) error {
	if !s.useBias {
		return nil
	}
	var err error
	s.bias, err = b.AddWeightInit("bias", keras.Shape{n}, s.biasInit, true)
	return err
}

// outputShape is (batch, out..., outCh) for an input with builtCh channels, the number the
// layer was built for; None where the input length is unknown.
func (s *convSpec) outputShape(in []keras.Shape, builtCh, outCh int) (keras.Shape, error) {
	if err := checkRank(in, s.rank+2, layoutOf(s.rank)); err != nil {
		return nil, err
	}
	x := in[0]
	if x.Last() != builtCh {
		return nil, keras.ShapeError("input has %d channels, the layer was built for %d (input shape %v)", x.Last(), builtCh, x)
	}
	out := keras.Shape{x[0]}
	for i := 0; i < s.rank; i++ {
		n := windowOutLen(x[1+i], s.kernelSize[i], s.strides[i], s.dilation[i], s.padding)
		if n == 0 {
			return nil, spatialShapeError("kernel size", 1+i, x[1+i], s.kernelSize[i], s.strides[i], s.dilation[i], x)
		}
		out = append(out, n)
	}
	return append(out, outCh), nil
}

// window returns the sliding window over an h×w image (h = 1 in the 1-D case) with the
// padding for these concrete sizes.
func (s *convSpec) window(h, w int) internalops.Window {
	r := s.rank
	win := internalops.Window{KH: 1, KW: s.kernelSize[r-1], SH: 1, SW: s.strides[r-1], DH: 1, DW: s.dilation[r-1]}
	win.Left, win.Right = windowPads(w, win.KW, win.SW, win.DW, s.padding)
	if r == 2 {
		win.KH, win.SH, win.DH = s.kernelSize[0], s.strides[0], s.dilation[0]
		win.Top, win.Bottom = windowPads(h, win.KH, win.SH, win.DH, s.padding)
	}
	return win
}

// convInput is a convolution's input seen as an image: x4 is (b, h, w, ch), a 1-D input
// being an image of height 1, and win the window over it, giving oh×ow positions.
type convInput struct {
	x4           *G.Node
	win          internalops.Window
	b, ch        int
	h, w, oh, ow int
}

// image views the input x as an image and places the window over it, refusing an input of
// the wrong rank or one the window does not fit.
func (s *convSpec) image(x *G.Node) (convInput, error) {
	sh := x.Shape()
	if sh.Dims() != s.rank+2 {
		return convInput{}, keras.ShapeError("expects an input of rank %d %s, got shape %v", s.rank+2, layoutOf(s.rank), sh)
	}
	in := convInput{b: sh[0], ch: sh[len(sh)-1], h: 1, w: sh[1]}
	if s.rank == 2 {
		in.h, in.w = sh[1], sh[2]
	}
	in.win = s.window(in.h, in.w)
	in.oh, in.ow = in.win.Out(in.h, in.w)
	if in.oh <= 0 || in.ow <= 0 {
		return convInput{}, keras.ShapeError("kernel size %v (dilation %v) does not fit an input of shape %v under %q padding", s.kernelSize, s.dilation, sh, s.padding)
	}
	var err error
	if in.x4, err = to4D(x, in.b, in.h, in.w, in.ch); err != nil {
		return convInput{}, err
	}
	return in, nil
}

// finish adds the bias to z (b·oh·ow, outCh), restores the input's layout and activates.
func (s *convSpec) finish(ctx *keras.Context, z *G.Node, in convInput, outCh int) (*G.Node, error) {
	var err error
	if s.useBias {
		if z, err = G.BroadcastAdd(z, ctx.Var(s.bias), nil, []byte{0}); err != nil {
			return nil, err
		}
	}
	out := tensor.Shape{in.b, in.ow, outCh}
	if s.rank == 2 {
		out = tensor.Shape{in.b, in.oh, in.ow, outCh}
	}
	if z, err = G.Reshape(z, out); err != nil {
		return nil, err
	}
	return activate(ctx, s.activation, z)
}

// joinChecks joins a core's own problems with its spec's, in that order.
func joinChecks(own []error, spec []error) error { return errors.Join(append(own, spec...)...) }
