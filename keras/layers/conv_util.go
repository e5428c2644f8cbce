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
// expansion their made methods run, and Keras's output-length and padding rules; what every
// convolution core shares beyond that (window, activation, bias) is convSpec (conv_spec.go).
// The Gorgonia ops they emit are in internal/ops (conv.go, depthwise.go, pool.go, pad.go).

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
	convSpec
	filters    int
	kernelInit initializers.Initializer
	pen        penalties
	groups     int             // Keras's groups: 1, or the input channels (a depthwise convolution)
	kernel     *keras.Variable // (k..., in/groups, filters)
}

// convFromOptions records a convolution's constructor arguments and options, unchecked: the
// layer's made checks them, as it checks a saved config's. class names the layer for the
// options of the other convolutions it refuses (OutputPadding is the transposed ones' only).
func convFromOptions(class string, filters int, kernelSize []int, o *options) (convCore, error) {
	spec, bErr := specFromOptions(kernelSize, o)
	c := convCore{convSpec: spec, filters: filters, groups: 1}
	refused := []string{"DepthMultiplier", "DepthwiseInitializer", "PointwiseInitializer"}
	if !strings.HasSuffix(class, "Transpose") {
		refused = append(refused, "OutputPadding")
	}
	var kErr error
	c.kernelInit, kErr = initializerOf("KernelInitializer", o.kernelInitializer)
	var pErr error
	c.pen, pErr = penaltiesOf(o)
	return c, errors.Join(refuseOptions(o, class, refused...), kErr, bErr, pErr)
}

// convKeys is the Keras config of Conv1D and Conv2D, whose keys are the same: Config writes
// it and LoadModel reads it back into the layer's core.
func convKeys[L any](core func(*L) *convCore) configKeys[L] {
	k := specKeys(func(l *L) *convSpec { return &core(l).convSpec })
	return append(configKeys[L]{
		intKey("filters", func(l *L) *int { return &core(l).filters }, 0).req(),
		k.kernelSize, k.strides, k.padding, k.dataFormat, k.dilation,
		intKey("groups", func(l *L) *int { return &core(l).groups }, 1),
		k.activation, k.useBias,
		initializerKey("kernel_initializer", func(l *L) *initializers.Initializer { return &core(l).kernelInit }, initializers.GlorotUniform),
		k.biasInit,
	}, penaltyKeys(func(l *L) *penalties { return &core(l).pen })...)
}

// check sets the core's rank, expands its window sizes to one per spatial axis with their
// defaults, and returns every problem with its values, given to the constructor or read from a
// saved config; paddings are the padding modes the layer takes.
func (c *convCore) check(rank int, paddings ...string) error {
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
	return joinChecks(errs, c.convSpec.check(rank, paddings...))
}

// build creates the kernel (k..., in, filters) and the bias (filters,).
func (c *convCore) build(b *keras.LayerBase, in []keras.Shape) error {
	ch, err := c.inChannels(in)
	if err != nil {
		return err
	}
	if c.groups != 1 && c.groups != ch {
		// Keras splits the channels into groups convolved apart; only the depthwise case
		// (one channel a group, as ConvNeXt uses) is implemented.
		return keras.ShapeError("groups=%d with %d input channels (input shape %v): only groups 1 or the number of input channels are supported", c.groups, ch, in[0])
	}
	ks := append(keras.Shape(nil), c.kernelSize...)
	ks = append(ks, ch/c.groups, c.filters)
	if c.kernel, err = b.AddWeightInit("kernel", ks, c.kernelInit, true); err != nil {
		return err
	}
	if err := c.buildBias(b, c.filters); err != nil {
		return err
	}
	c.pen.attach(c.kernel, c.bias)
	return nil
}

// outputShape is (batch, out..., filters), None where the input length is unknown.
func (c *convCore) outputShape(in []keras.Shape) (keras.Shape, error) {
	return c.convSpec.outputShape(in, c.kernel.Shape()[c.rank]*c.groups, c.filters)
}

// forward emits activation(conv(x, kernel) + bias), in channels-last layout throughout. On
// float inputs the patches, the matrix product, the bias and a linear, relu or tanh
// activation are one op with a hand-written gradient (internal/ops.Conv), which reads a 1-D
// input as it is; other activations follow it as ops of their own.
func (c *convCore) forward(ctx *keras.Context, x *G.Node) (*G.Node, error) {
	in, err := c.image(x)
	if err != nil {
		return nil, err
	}
	if c.groups > 1 {
		return c.grouped(ctx, in)
	}
	if dt := x.Dtype(); dt == tensor.Float32 || dt == tensor.Float64 {
		act, fused := internalops.DenseActOf(c.activation)
		var bias *G.Node
		if c.useBias {
			bias = ctx.Var(c.bias)
		}
		y, err := internalops.Conv(x, ctx.Var(c.kernel), bias, in.win, act)
		if err != nil {
			return nil, keras.ShapeError("%v", err)
		}
		if fused {
			return y, nil
		}
		return activate(ctx, c.activation, y)
	}
	cols := in.x4
	if !in.win.Trivial() {
		if cols, err = internalops.Im2col(in.x4, in.win); err != nil {
			return nil, err
		}
	}
	k := in.win.KH * in.win.KW * in.ch
	// A view of the patches is safe: nothing but this reshape reads them, so the view takes
	// over their register and memory. A 1×1 image convolution has no patches and would view
	// the layer's input itself, which the product's gradient reads while later layers may
	// write into it in place (docs/gorgonia.md): that case copies.
	reshape := G.Reshape
	if cols == x {
		reshape = internalops.Reshape
	}
	flat, err := reshape(cols, tensor.Shape{in.b * in.oh * in.ow, k})
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
	return c.finish(ctx, z, in, c.filters)
}

// grouped is the convolution with one group per input channel: the kernel (k..., 1,
// filters), output channel c·m + j of channel c, is laid out as a depthwise kernel
// (k..., channels, m), so it runs as a depthwise convolution.
func (c *convCore) grouped(ctx *keras.Context, in convInput) (*G.Node, error) {
	m := c.filters / in.ch
	k4, err := G.Reshape(ctx.Var(c.kernel), tensor.Shape{in.win.KH, in.win.KW, in.ch, m})
	if err != nil {
		return nil, err
	}
	z, err := internalops.DepthwiseConv(in.x4, k4, in.win)
	if err != nil {
		return nil, err
	}
	if z, err = G.Reshape(z, tensor.Shape{in.b * in.oh * in.ow, c.filters}); err != nil {
		return nil, err
	}
	return c.finish(ctx, z, in, c.filters)
}

// poolCore is what the 1-D and 2-D max and average poolings share.
type poolCore struct {
	rank     int
	avg      bool
	poolSize []int
	strides  []int
	padding  string
	format   dataFormat // data_format.go
}

// poolingKeys is the Keras config of the 1-D and 2-D max and average poolings: Config writes
// it and LoadModel reads it back into the layer's core.
func poolingKeys[L any](core func(*L) *poolCore) configKeys[L] {
	return configKeys[L]{
		windowKey("pool_size", func(l *L) *[]int { return &core(l).poolSize }).req(),
		windowKey("strides", func(l *L) *[]int { return &core(l).strides }),
		stringKey("padding", func(l *L) *string { return &core(l).padding }, "valid"),
		dataFormatKey(func(l *L) *dataFormat { return &core(l).format }),
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

// forward emits the pooling of x.
func (p *poolCore) forward(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != p.rank+2 {
		return nil, keras.ShapeError("expects an input of rank %d %s, got shape %v", p.rank+2, layoutOf(p.rank), s)
	}
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
	// A 1-D pooling runs on its (batch, steps, channels) input as it is and returns
	// (batch, out steps, channels): no copy to 4-D and back, forward or backward.
	return internalops.Pool2D(x, win, p.avg)
}

// to4D returns a (batch, steps, channels) input as (batch, 1, steps, channels); 4-D inputs
// pass. It copies: Gorgonia's Reshape would be a view of the layer's input, which the
// convolutions' and max pooling's gradients read, while a later layer reading the input may
// write into it in place (DepthwiseConv1D's kernel gradient came out wrong by 0.33,
// docs/gorgonia.md).
func to4D(x *G.Node, b, h, w, ch int) (*G.Node, error) {
	if x.Dims() == 4 {
		return x, nil
	}
	return internalops.Reshape(x, tensor.Shape{b, h, w, ch})
}
