package layers

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file holds what the convolution, pooling and padding layers share: their Keras config
// keys (one table for Conv1D and Conv2D, one for the four poolings), the checks and window
// expansion their made methods run, and Keras's output-length and padding rules. The Gorgonia ops they emit are
// in internal/ops (conv.go, pool.go, pad.go).

// spatialInts expands a window option or config value given as one value (for every spatial
// axis) or one value per axis, as Keras's standardize_tuple does. def is used when the value
// was not given (nil); an empty list is refused.
func spatialInts(opt string, vals []int, rank int, def []int) ([]int, error) {
	switch {
	case vals == nil && def == nil:
		return nil, fmt.Errorf("%w: %s is missing", keras.ErrInvalidArgument, opt)
	case vals == nil:
		return append([]int(nil), def...), nil
	case len(vals) == 1:
		out := make([]int, rank)
		for i := range out {
			out[i] = vals[0]
		}
		vals = out
	case len(vals) != rank:
		if rank == 1 {
			return nil, fmt.Errorf("%w: %s takes 1 value for 1 spatial axis, got %v", keras.ErrInvalidArgument, opt, vals)
		}
		return nil, fmt.Errorf("%w: %s takes 1 value or %d (one per spatial axis), got %v", keras.ErrInvalidArgument, opt, rank, vals)
	}
	for _, v := range vals {
		if v <= 0 {
			return nil, fmt.Errorf("%w: %s must be positive, got %v", keras.ErrInvalidArgument, opt, vals)
		}
	}
	return append([]int(nil), vals...), nil
}

// repeatInt returns n copies of v.
func repeatInt(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// checkPaddingMode lower-cases a padding name (Keras accepts any case) and checks it is one of
// allowed.
func checkPaddingMode(p string, allowed ...string) (string, error) {
	lp := strings.ToLower(p)
	for _, a := range allowed {
		if lp == a {
			return lp, nil
		}
	}
	return "", fmt.Errorf("%w: padding %q (expected one of %q)", keras.ErrInvalidArgument, p, allowed)
}

// windowOutLen is Keras's compute_conv_output_shape / compute_pooling_output_shape for one
// axis: the number of windows over n positions ("valid": floor((n - k_eff)/s) + 1; "same"
// and "causal": floor((n - 1)/s) + 1). None stays None. A result <= 0 means the window does
// not fit.
func windowOutLen(n, k, s, d int, padding string) int {
	if n < 0 {
		return keras.None
	}
	if padding == "valid" {
		keff := internalops.EffectiveKernel(k, d)
		if n < keff {
			return 0
		}
		return (n-keff)/s + 1
	}
	if n == 0 {
		return 0
	}
	return (n-1)/s + 1
}

// windowPads returns the zeros (or, for max pooling, the ignored positions) added before and
// after n positions: none for "valid"; for "same" the total max((out-1)·s + k_eff - n, 0)
// split with the extra one at the end, as TensorFlow, JAX and so Keras do; for "causal" all
// of k_eff - 1 at the start.
func windowPads(n, k, s, d int, padding string) (lo, hi int) {
	keff := internalops.EffectiveKernel(k, d)
	switch padding {
	case "same":
		out := windowOutLen(n, k, s, d, padding)
		total := max((out-1)*s+keff-n, 0)
		return total / 2, total - total/2
	case "causal":
		return keff - 1, 0
	}
	return 0, 0
}

// spatialShapeError explains why a window does not fit an axis.
func spatialShapeError(what string, axis, n, k, s, d int, in keras.Shape) error {
	dil := ""
	if d > 1 {
		dil = fmt.Sprintf(" (dilated to %d)", internalops.EffectiveKernel(k, d))
	}
	return keras.ShapeError("%s %d%s does not fit spatial axis %d of length %d under \"valid\" padding (strides %d): the output would be empty (input shape %v); use a smaller %s or padding \"same\"",
		what, k, dil, axis, n, s, in, what)
}

// checkRank checks that a layer got exactly one input of the given rank (batch included);
// layout names the axes for the message, e.g. "(batch, steps, channels)".
func checkRank(in []keras.Shape, rank int, layout string) error {
	if len(in) != 1 {
		return keras.ShapeError("expects 1 input, got %d", len(in))
	}
	if in[0].Rank() != rank {
		return keras.ShapeError("expects an input of rank %d %s, got shape %v", rank, layout, in[0])
	}
	return nil
}

// layoutOf names the axes of a channels-last input with rank spatial axes.
func layoutOf(rank int) string {
	if rank == 1 {
		return "(batch, steps, channels)"
	}
	return "(batch, height, width, channels)"
}

// convCore is what Conv1D and Conv2D share: the hyper-parameters, the weights, shape
// inference and the forward pass, for rank (1 or 2) spatial axes.
type convCore struct {
	rank       int
	filters    int
	kernelSize []int
	strides    []int
	dilation   []int
	padding    string
	activation string
	useBias    bool
	kernelInit initializers.Initializer
	biasInit   initializers.Initializer
	pen        penalties
	groups     int             // Keras's groups: 1, or the input channels (a depthwise convolution)
	kernel     *keras.Variable // (k..., in/groups, filters)
	bias       *keras.Variable // (filters,)
}

// convFromOptions records a convolution's constructor arguments and options, unchecked: the
// layer's made checks them, as it checks a saved config's. class names the layer for the
// options of the other convolutions it refuses (OutputPadding is the transposed ones' only).
func convFromOptions(class string, filters int, kernelSize []int, o *options) (convCore, error) {
	c := convCore{filters: filters, kernelSize: kernelSize, strides: o.strides, dilation: o.dilation,
		groups: 1, padding: o.padding, activation: o.activation, useBias: o.useBias}
	refused := []string{"DepthMultiplier", "DepthwiseInitializer", "PointwiseInitializer"}
	if !strings.HasSuffix(class, "Transpose") {
		refused = append(refused, "OutputPadding")
	}
	var kErr, bErr error
	c.kernelInit, kErr = initializerOf("KernelInitializer", o.kernelInitializer)
	c.biasInit, bErr = initializerOf("BiasInitializer", o.biasInitializer)
	var pErr error
	c.pen, pErr = penaltiesOf(o)
	return c, errors.Join(refuseOptions(o, class, refused...), kErr, bErr, pErr)
}

// convKeys is the Keras config of Conv1D and Conv2D, whose keys are the same: Config writes
// it and LoadModel reads it back into the layer's core.
func convKeys[L any](core func(*L) *convCore) configKeys[L] {
	return append(configKeys[L]{
		intKey("filters", func(l *L) *int { return &core(l).filters }, 0).req(),
		windowKey("kernel_size", func(l *L) *[]int { return &core(l).kernelSize }).req(),
		windowKey("strides", func(l *L) *[]int { return &core(l).strides }),
		stringKey("padding", func(l *L) *string { return &core(l).padding }, "valid"),
		constKey[L]("data_format", "channels_last"),
		windowKey("dilation_rate", func(l *L) *[]int { return &core(l).dilation }),
		intKey("groups", func(l *L) *int { return &core(l).groups }, 1),
		activationKey("activation", func(l *L) *string { return &core(l).activation }),
		boolKey("use_bias", func(l *L) *bool { return &core(l).useBias }, true),
		initializerKey("kernel_initializer", func(l *L) *initializers.Initializer { return &core(l).kernelInit }, initializers.GlorotUniform),
		initializerKey("bias_initializer", func(l *L) *initializers.Initializer { return &core(l).biasInit }, initializers.Zeros),
	}, penaltyKeys(func(l *L) *penalties { return &core(l).pen })...)
}

// check sets the core's rank, expands its window sizes to one per spatial axis with their
// defaults, and returns every problem with its values, given to the constructor or read from a
// saved config; paddings are the padding modes the layer takes.
func (c *convCore) check(rank int, paddings ...string) error {
	c.rank = rank
	var errs []error
	if c.filters <= 0 {
		errs = append(errs, fmt.Errorf("%w: filters must be positive, got %d", keras.ErrInvalidArgument, c.filters))
	}
	if c.groups == 0 {
		c.groups = 1 // the transposed convolutions, whose cores have no groups key
	}
	if c.groups < 1 || c.filters > 0 && c.filters%c.groups != 0 {
		errs = append(errs, fmt.Errorf("%w: groups must be ≥ 1 and divide filters %d, got %d", keras.ErrInvalidArgument, c.filters, c.groups))
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

// build creates the kernel (k..., in, filters) and the bias (filters,).
func (c *convCore) build(b *keras.LayerBase, in []keras.Shape) error {
	if err := checkRank(in, c.rank+2, layoutOf(c.rank)); err != nil {
		return err
	}
	ch := in[0].Last()
	if ch < 0 {
		return keras.ShapeError("the channel dimension (last axis) of the input must be known, got %v", in[0])
	}
	if c.groups != 1 && c.groups != ch {
		// Keras splits the channels into groups convolved apart; only the depthwise case
		// (one channel a group, as ConvNeXt uses) is implemented.
		return keras.ShapeError("groups=%d with %d input channels (input shape %v): only groups 1 or the number of input channels are supported", c.groups, ch, in[0])
	}
	ks := append(keras.Shape(nil), c.kernelSize...)
	ks = append(ks, ch/c.groups, c.filters)
	var err error
	if c.kernel, err = b.AddWeightInit("kernel", ks, c.kernelInit, true); err != nil {
		return err
	}
	if c.useBias {
		if c.bias, err = b.AddWeightInit("bias", keras.Shape{c.filters}, c.biasInit, true); err != nil {
			return err
		}
	}
	c.pen.attach(c.kernel, c.bias)
	return nil
}

// outputShape is (batch, out..., filters), None where the input length is unknown.
func (c *convCore) outputShape(in []keras.Shape) (keras.Shape, error) {
	if err := checkRank(in, c.rank+2, layoutOf(c.rank)); err != nil {
		return nil, err
	}
	s := in[0]
	if want := c.kernel.Shape()[c.rank] * c.groups; s.Last() != want {
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
	return append(out, c.filters), nil
}

// window returns the sliding window over an h×w image (h = 1 for Conv1D) with the padding
// for these concrete sizes.
func (c *convCore) window(h, w int) internalops.Window {
	win := internalops.Window{KH: 1, KW: c.kernelSize[c.rank-1], SH: 1, SW: c.strides[c.rank-1], DH: 1, DW: c.dilation[c.rank-1]}
	win.Left, win.Right = windowPads(w, win.KW, win.SW, win.DW, c.padding)
	if c.rank == 2 {
		win.KH, win.SH, win.DH = c.kernelSize[0], c.strides[0], c.dilation[0]
		win.Top, win.Bottom = windowPads(h, win.KH, win.SH, win.DH, c.padding)
	}
	return win
}

// forward emits activation(conv(x, kernel) + bias) as im2col and one matrix product, in
// channels-last layout throughout.
func (c *convCore) forward(ctx *keras.Context, x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != c.rank+2 {
		return nil, keras.ShapeError("expects an input of rank %d %s, got shape %v", c.rank+2, layoutOf(c.rank), s)
	}
	b, ch := s[0], s[len(s)-1]
	h, w := 1, s[1]
	if c.rank == 2 {
		h, w = s[1], s[2]
	}
	win := c.window(h, w)
	oh, ow := win.Out(h, w)
	if oh <= 0 || ow <= 0 {
		return nil, keras.ShapeError("kernel size %v (dilation %v) does not fit an input of shape %v under %q padding", c.kernelSize, c.dilation, s, c.padding)
	}
	x4, err := to4D(x, b, h, w, ch)
	if err != nil {
		return nil, err
	}
	if c.groups > 1 {
		return c.grouped(ctx, x4, win, b, oh, ow, ch)
	}
	k := win.KH * win.KW * ch
	var flat *G.Node
	if win.Trivial() {
		// A 1x1 convolution multiplies its input itself, and the product's gradient reads
		// that operand again in the backward pass. Gorgonia's Reshape would make it a view
		// of the input, memory the machine lets a later op overwrite once the view is dead
		// (the input of MobileNetV2's expand convolution is also its residual Add's
		// operand; the kernel's gradient came out wrong): the kit's Reshape copies.
		flat, err = internalops.Reshape(x4, tensor.Shape{b * oh * ow, k})
	} else {
		var cols *G.Node
		if cols, err = internalops.Im2col(x4, win); err == nil {
			flat, err = G.Reshape(cols, tensor.Shape{b * oh * ow, k})
		}
	}
	if err != nil {
		return nil, err
	}
	kmat, err := G.Reshape(ctx.Var(c.kernel), tensor.Shape{k, c.filters})
	if err != nil {
		return nil, err
	}
	z, err := G.Mul(flat, kmat)
	if err != nil {
		return nil, err
	}
	return c.finish(ctx, z, b, oh, ow)
}

// grouped is the convolution with one group per input channel: the kernel (k..., 1,
// filters), output channel c·m + j of channel c, is laid out as a depthwise kernel
// (k..., channels, m), so it runs as a depthwise convolution.
func (c *convCore) grouped(ctx *keras.Context, x4 *G.Node, win internalops.Window, b, oh, ow, ch int) (*G.Node, error) {
	m := c.filters / ch
	k4, err := G.Reshape(ctx.Var(c.kernel), tensor.Shape{win.KH, win.KW, ch, m})
	if err != nil {
		return nil, err
	}
	z, err := internalops.DepthwiseConv(x4, k4, win)
	if err != nil {
		return nil, err
	}
	if z, err = G.Reshape(z, tensor.Shape{b * oh * ow, c.filters}); err != nil {
		return nil, err
	}
	return c.finish(ctx, z, b, oh, ow)
}

// finish adds the bias to z (b·oh·ow, filters), restores the image layout and activates.
func (c *convCore) finish(ctx *keras.Context, z *G.Node, b, oh, ow int) (*G.Node, error) {
	var err error
	if c.useBias {
		if z, err = G.BroadcastAdd(z, ctx.Var(c.bias), nil, []byte{0}); err != nil {
			return nil, err
		}
	}
	out := tensor.Shape{b, ow, c.filters}
	if c.rank == 2 {
		out = tensor.Shape{b, oh, ow, c.filters}
	}
	if z, err = G.Reshape(z, out); err != nil {
		return nil, err
	}
	return activate(ctx, c.activation, z)
}

// poolCore is what the 1-D and 2-D max and average poolings share.
type poolCore struct {
	rank     int
	avg      bool
	poolSize []int
	strides  []int
	padding  string
}

// poolingKeys is the Keras config of the 1-D and 2-D max and average poolings: Config writes
// it and LoadModel reads it back into the layer's core.
func poolingKeys[L any](core func(*L) *poolCore) configKeys[L] {
	return configKeys[L]{
		windowKey("pool_size", func(l *L) *[]int { return &core(l).poolSize }).req(),
		windowKey("strides", func(l *L) *[]int { return &core(l).strides }),
		stringKey("padding", func(l *L) *string { return &core(l).padding }, "valid"),
		constKey[L]("data_format", "channels_last"),
	}
}

// check sets the core's rank and kind, expands its window sizes to one per spatial axis
// (strides default to the pool size), and returns the first problem with its values, given
// to the constructor or read from a saved config.
func (p *poolCore) check(rank int, avg bool) error {
	p.rank, p.avg = rank, avg
	var err error
	if p.poolSize, err = spatialInts("pool_size", p.poolSize, rank, nil); err != nil {
		return err
	}
	if rank == 2 && p.poolSize[0] != p.poolSize[1] {
		return fmt.Errorf("%w: pool_size %v: only square pools are supported", keras.ErrInvalidArgument, p.poolSize)
	}
	if p.strides, err = spatialInts("strides (option Strides)", p.strides, rank, p.poolSize); err != nil {
		return err
	}
	if p.padding, err = checkPaddingMode(p.padding, "valid", "same"); err != nil {
		return err
	}
	return nil
}

// outputShape is (batch, out..., channels), None where the input length is unknown.
func (p *poolCore) outputShape(in []keras.Shape) (keras.Shape, error) {
	if err := checkRank(in, p.rank+2, layoutOf(p.rank)); err != nil {
		return nil, err
	}
	s := in[0]
	out := keras.Shape{s[0]}
	for i := 0; i < p.rank; i++ {
		n := windowOutLen(s[1+i], p.poolSize[i], p.strides[i], 1, p.padding)
		if n == 0 {
			return nil, spatialShapeError("pool size", 1+i, s[1+i], p.poolSize[i], p.strides[i], 1, s)
		}
		out = append(out, n)
	}
	return append(out, s.Last()), nil
}

// forward emits the pooling of x, reshaped to (batch, 1, steps, channels) in the 1-D case.
func (p *poolCore) forward(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != p.rank+2 {
		return nil, keras.ShapeError("expects an input of rank %d %s, got shape %v", p.rank+2, layoutOf(p.rank), s)
	}
	b, ch := s[0], s[len(s)-1]
	h, w := 1, s[1]
	if p.rank == 2 {
		h, w = s[1], s[2]
	}
	win := internalops.Window{KH: 1, KW: p.poolSize[p.rank-1], SH: 1, SW: p.strides[p.rank-1], DH: 1, DW: 1}
	win.Left, win.Right = windowPads(w, win.KW, win.SW, 1, p.padding)
	if p.rank == 2 {
		win.KH, win.SH = p.poolSize[0], p.strides[0]
		win.Top, win.Bottom = windowPads(h, win.KH, win.SH, 1, p.padding)
	}
	oh, ow := win.Out(h, w)
	if oh <= 0 || ow <= 0 {
		return nil, keras.ShapeError("pool size %v does not fit an input of shape %v under %q padding", p.poolSize, s, p.padding)
	}
	x4, err := to4D(x, b, h, w, ch)
	if err != nil {
		return nil, err
	}
	y, err := internalops.Pool2D(x4, win, p.avg)
	if err != nil {
		return nil, err
	}
	if p.rank == 1 {
		return G.Reshape(y, tensor.Shape{b, ow, ch})
	}
	return y, nil
}

// to4D views a (batch, steps, channels) input as (batch, 1, steps, channels); 4-D inputs pass.
func to4D(x *G.Node, b, h, w, ch int) (*G.Node, error) {
	if x.Dims() == 4 {
		return x, nil
	}
	return G.Reshape(x, tensor.Shape{b, h, w, ch})
}
