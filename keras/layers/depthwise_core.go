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

// depthwiseCore is what DepthwiseConv1D/2D and SeparableConv1D/2D share: a depthwise
// convolution (each input channel filtered on its own by depth_multiplier kernels), followed,
// for the separable ones, by a pointwise (1×1) convolution to filters channels; then the bias
// and the activation, as Keras's BaseDepthwiseConv and BaseSeparableConv compute.
type depthwiseCore struct {
	rank            int
	separable       bool
	filters         int // separable only
	depthMultiplier int
	kernelSize      []int
	strides         []int
	dilation        []int
	padding         string
	activation      string
	useBias         bool
	depthwiseInit   initializers.Initializer
	pointwiseInit   initializers.Initializer // separable only
	biasInit        initializers.Initializer
	depthwise       *keras.Variable // (k..., in, depth_multiplier)
	pointwise       *keras.Variable // (1..., in·depth_multiplier, filters), separable only
	bias            *keras.Variable // (in·depth_multiplier,) or (filters,)
}

// depthwiseFromOptions records a depthwise or separable convolution's arguments and options,
// unchecked: the layer's made checks them, as it checks a saved config's. class names the
// layer for the options it refuses.
func depthwiseFromOptions(class string, separable bool, filters int, kernelSize []int, o *options) (depthwiseCore, error) {
	c := depthwiseCore{separable: separable, filters: filters, depthMultiplier: o.depthMultiplier,
		kernelSize: kernelSize, strides: o.strides, dilation: o.dilation, padding: o.padding,
		activation: o.activation, useBias: o.useBias}
	refused := []string{"KernelInitializer", "OutputPadding"}
	if !separable {
		refused = append(refused, "PointwiseInitializer")
	}
	errs := []error{refuseOptions(o, class, refused...)}
	var err error
	c.depthwiseInit, err = initializerOf("DepthwiseInitializer", o.depthwiseInit)
	errs = append(errs, err)
	if separable {
		c.pointwiseInit, err = initializerOf("PointwiseInitializer", o.pointwiseInit)
		errs = append(errs, err)
	}
	c.biasInit, err = initializerOf("BiasInitializer", o.biasInitializer)
	errs = append(errs, err)
	return c, errors.Join(errs...)
}

// depthwiseKeys is the Keras config of DepthwiseConv1D and DepthwiseConv2D.
func depthwiseKeys[L any](core func(*L) *depthwiseCore) configKeys[L] {
	return configKeys[L]{
		intKey("depth_multiplier", func(l *L) *int { return &core(l).depthMultiplier }, 1),
		windowKey("kernel_size", func(l *L) *[]int { return &core(l).kernelSize }).req(),
		windowKey("strides", func(l *L) *[]int { return &core(l).strides }),
		stringKey("padding", func(l *L) *string { return &core(l).padding }, "valid"),
		constKey[L]("data_format", "channels_last"),
		windowKey("dilation_rate", func(l *L) *[]int { return &core(l).dilation }),
		activationKey("activation", func(l *L) *string { return &core(l).activation }),
		boolKey("use_bias", func(l *L) *bool { return &core(l).useBias }, true),
		initializerKey("depthwise_initializer", func(l *L) *initializers.Initializer { return &core(l).depthwiseInit }, initializers.GlorotUniform),
		initializerKey("bias_initializer", func(l *L) *initializers.Initializer { return &core(l).biasInit }, initializers.Zeros),
		nullKey[L]("depthwise_regularizer"),
		nullKey[L]("bias_regularizer"),
		nullKey[L]("activity_regularizer"),
		nullKey[L]("depthwise_constraint"),
		nullKey[L]("bias_constraint"),
	}
}

// separableKeys is the Keras config of SeparableConv1D and SeparableConv2D.
func separableKeys[L any](core func(*L) *depthwiseCore) configKeys[L] {
	return configKeys[L]{
		intKey("depth_multiplier", func(l *L) *int { return &core(l).depthMultiplier }, 1),
		intKey("filters", func(l *L) *int { return &core(l).filters }, 0).req(),
		windowKey("kernel_size", func(l *L) *[]int { return &core(l).kernelSize }).req(),
		windowKey("strides", func(l *L) *[]int { return &core(l).strides }),
		stringKey("padding", func(l *L) *string { return &core(l).padding }, "valid"),
		constKey[L]("data_format", "channels_last"),
		windowKey("dilation_rate", func(l *L) *[]int { return &core(l).dilation }),
		activationKey("activation", func(l *L) *string { return &core(l).activation }),
		boolKey("use_bias", func(l *L) *bool { return &core(l).useBias }, true),
		initializerKey("depthwise_initializer", func(l *L) *initializers.Initializer { return &core(l).depthwiseInit }, initializers.GlorotUniform),
		initializerKey("pointwise_initializer", func(l *L) *initializers.Initializer { return &core(l).pointwiseInit }, initializers.GlorotUniform),
		initializerKey("bias_initializer", func(l *L) *initializers.Initializer { return &core(l).biasInit }, initializers.Zeros),
		nullKey[L]("depthwise_regularizer"),
		nullKey[L]("pointwise_regularizer"),
		nullKey[L]("bias_regularizer"),
		nullKey[L]("activity_regularizer"),
		nullKey[L]("depthwise_constraint"),
		nullKey[L]("pointwise_constraint"),
		nullKey[L]("bias_constraint"),
	}
}

// check sets the core's rank, expands its window sizes with their defaults and returns every
// problem with its values; paddings are the padding modes the layer takes.
func (c *depthwiseCore) check(rank int, paddings ...string) error {
	c.rank = rank
	var errs []error
	if c.separable && c.filters <= 0 {
		errs = append(errs, fmt.Errorf("%w: filters must be positive, got %d", keras.ErrInvalidArgument, c.filters))
	}
	if c.depthMultiplier <= 0 {
		errs = append(errs, fmt.Errorf("%w: depth_multiplier (option DepthMultiplier) must be positive, got %d", keras.ErrInvalidArgument, c.depthMultiplier))
	}
	var err error
	if c.kernelSize, err = spatialInts("kernel_size", c.kernelSize, rank, nil); err != nil {
		errs = append(errs, err)
	}
	if c.strides, err = spatialInts("strides (option Strides)", c.strides, rank, repeatInt(1, rank)); err != nil {
		errs = append(errs, err)
	}
	if c.dilation, err = spatialInts("dilation_rate (option DilationRate)", c.dilation, rank, repeatInt(1, rank)); err != nil {
		errs = append(errs, err)
	}
	if c.padding, err = checkPaddingMode(c.padding, paddings...); err != nil {
		errs = append(errs, err)
	}
	if c.strides != nil && c.dilation != nil {
		for i := range c.strides {
			if c.strides[i] > 1 && c.dilation[i] > 1 {
				errs = append(errs, fmt.Errorf("%w: strides > 1 not supported in conjunction with dilation_rate > 1: got strides %v and dilation_rate %v", keras.ErrInvalidArgument, c.strides, c.dilation))
				break
			}
		}
	}
	if err := checkActivation(c.activation); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// outChannels is the number of output channels for in input channels.
func (c *depthwiseCore) outChannels(in int) int {
	if c.separable {
		return c.filters
	}
	return in * c.depthMultiplier
}

// build creates the depthwise kernel (k..., in, depth_multiplier), for the separable layers the
// pointwise kernel (1..., in·depth_multiplier, filters), and the bias, in Keras's order.
func (c *depthwiseCore) build(b *keras.LayerBase, in []keras.Shape) error {
	if err := checkRank(in, c.rank+2, layoutOf(c.rank)); err != nil {
		return err
	}
	ch := in[0].Last()
	if ch < 0 {
		return keras.ShapeError("the channel dimension (last axis) of the input must be known, got %v", in[0])
	}
	ks := append(keras.Shape(nil), c.kernelSize...)
	ks = append(ks, ch, c.depthMultiplier)
	name := "kernel" // Keras's DepthwiseConv names its depthwise kernel "kernel"
	if c.separable {
		name = "depthwise_kernel"
	}
	var err error
	if c.depthwise, err = b.AddWeightInit(name, ks, c.depthwiseInit, true); err != nil {
		return err
	}
	if c.separable {
		ps := append(keras.Shape(nil), repeatInt(1, c.rank)...)
		ps = append(ps, ch*c.depthMultiplier, c.filters)
		if c.pointwise, err = b.AddWeightInit("pointwise_kernel", ps, c.pointwiseInit, true); err != nil {
			return err
		}
	}
	if c.useBias {
		if c.bias, err = b.AddWeightInit("bias", keras.Shape{c.outChannels(ch)}, c.biasInit, true); err != nil {
			return err
		}
	}
	return nil
}

// outputShape is (batch, out..., channels out), None where the input length is unknown.
func (c *depthwiseCore) outputShape(in []keras.Shape) (keras.Shape, error) {
	if err := checkRank(in, c.rank+2, layoutOf(c.rank)); err != nil {
		return nil, err
	}
	s := in[0]
	if want := c.depthwise.Shape()[c.rank]; s.Last() != want {
		return nil, keras.ShapeError("input has %d channels, the layer was built for %d (input shape %v)", s.Last(), want, s)
	}
	out := keras.Shape{s[0]}
	for i := 0; i < c.rank; i++ {
		n := windowOutLen(s[1+i], c.kernelSize[i], c.strides[i], c.dilation[i], c.padding)
		if n == 0 {
			return nil, spatialShapeError("kernel size", 1+i, s[1+i], c.kernelSize[i], c.strides[i], c.dilation[i], s)
		}
		out = append(out, n)
	}
	return append(out, c.outChannels(s.Last())), nil
}

// convWindow returns the sliding window of a rank-1 or rank-2 convolution over an h×w image
// (h = 1 in the 1-D case) with the padding for these concrete sizes.
func convWindow(rank int, kernel, strides, dilation []int, padding string, h, w int) internalops.Window {
	win := internalops.Window{KH: 1, KW: kernel[rank-1], SH: 1, SW: strides[rank-1], DH: 1, DW: dilation[rank-1]}
	win.Left, win.Right = windowPads(w, win.KW, win.SW, win.DW, padding)
	if rank == 2 {
		win.KH, win.SH, win.DH = kernel[0], strides[0], dilation[0]
		win.Top, win.Bottom = windowPads(h, win.KH, win.SH, win.DH, padding)
	}
	return win
}

// forward emits activation(pointwise(depthwise(x)) + bias), the pointwise product only for
// the separable layers, in channels-last layout throughout; a 1-D input runs as an image of
// height 1.
func (c *depthwiseCore) forward(ctx *keras.Context, x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != c.rank+2 {
		return nil, keras.ShapeError("expects an input of rank %d %s, got shape %v", c.rank+2, layoutOf(c.rank), s)
	}
	b, ch := s[0], s[len(s)-1]
	h, w := 1, s[1]
	if c.rank == 2 {
		h, w = s[1], s[2]
	}
	win := convWindow(c.rank, c.kernelSize, c.strides, c.dilation, c.padding, h, w)
	oh, ow := win.Out(h, w)
	if oh <= 0 || ow <= 0 {
		return nil, keras.ShapeError("kernel size %v (dilation %v) does not fit an input of shape %v under %q padding", c.kernelSize, c.dilation, s, c.padding)
	}
	x4, err := to4D(x, b, h, w, ch)
	if err != nil {
		return nil, err
	}
	k4 := ctx.Var(c.depthwise)
	if c.rank == 1 {
		// A view of the kernel is safe: kerago's depthwise op and its gradient only read it.
		if k4, err = G.Reshape(k4, tensor.Shape{1, win.KW, ch, c.depthMultiplier}); err != nil {
			return nil, err
		}
	}
	z, err := internalops.DepthwiseConv(x4, k4, win)
	if err != nil {
		return nil, err
	}
	cm := ch * c.depthMultiplier
	outCh := c.outChannels(ch)
	// Views of z and of the pointwise kernel are safe: nothing but this reshape reads the
	// depthwise result, and the pointwise kernel's readers are matrix products, which never
	// write into an operand.
	if z, err = G.Reshape(z, tensor.Shape{b * oh * ow, cm}); err != nil {
		return nil, err
	}
	if c.separable {
		pmat, err := G.Reshape(ctx.Var(c.pointwise), tensor.Shape{cm, c.filters})
		if err != nil {
			return nil, err
		}
		if z, err = G.Mul(z, pmat); err != nil {
			return nil, err
		}
	}
	if c.useBias {
		// Safe: the broadcast operand (a view) is only read; the in-place write goes to this layer's own z.
		if z, err = G.BroadcastAdd(z, ctx.Var(c.bias), nil, []byte{0}); err != nil {
			return nil, err
		}
	}
	out := tensor.Shape{b, ow, outCh}
	if c.rank == 2 {
		out = tensor.Shape{b, oh, ow, outCh}
	}
	// A view of z is safe: nothing else reads it (see convCore.finish).
	if z, err = G.Reshape(z, out); err != nil {
		return nil, err
	}
	return activate(ctx, c.activation, z)
}
