package layers

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
)

// convTransposeCore is what Conv1DTranspose and Conv2DTranspose share. Its hyper-parameters and
// weights are a convolution's (kept in convCore, whose check it reuses), plus output_padding;
// but its kernel is (k..., filters, in_channels), the kernel of the convolution it transposes,
// and its forward pass spreads each input pixel over a window of the output (x·Kᵀ, then
// col2im), as Keras's conv_transpose (JAX's lax.conv_transpose with transpose_kernel) does.
type convTransposeCore struct {
	convCore
	outputPadding []int // one per spatial axis; nil is Keras's null
}

// convTransposeKeys is the Keras config of Conv1DTranspose and Conv2DTranspose.
func convTransposeKeys[L any](core func(*L) *convTransposeCore) configKeys[L] {
	c := func(l *L) *convCore { return &core(l).convCore }
	k := specKeys(func(l *L) *convSpec { return &c(l).convSpec })
	return append(configKeys[L]{
		intKey("filters", func(l *L) *int { return &c(l).filters }, 0).req(),
		k.kernelSize, k.strides, k.padding,
		windowKey("output_padding", func(l *L) *[]int { return &core(l).outputPadding }),
		k.dataFormat, k.dilation, k.activation, k.useBias,
		initializerKey("kernel_initializer", func(l *L) *initializers.Initializer { return &c(l).kernelInit }, initializers.GlorotUniform),
		k.biasInit,
	}, nullKeys[L]("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint")...)
}

// check checks the convolution's values as Conv1D/Conv2D's, then output_padding: one value or
// one per axis, each in [0, strides) along its axis, as Keras requires.
func (c *convTransposeCore) check(rank int) error {
	errs := []error{c.convCore.check(rank, "valid", "same")}
	if c.outputPadding != nil {
		op := c.outputPadding
		switch {
		case len(op) == 1:
			op = repeatInt(op[0], rank)
		case len(op) != rank:
			errs = append(errs, fmt.Errorf("%w: output_padding (option OutputPadding) takes 1 value or %d (one per spatial axis), got %v", keras.ErrInvalidArgument, rank, op))
			op = nil
		}
		for i, p := range op {
			if p < 0 || (c.strides != nil && p >= c.strides[i]) {
				errs = append(errs, fmt.Errorf("%w: output_padding (option OutputPadding) %v: each value must be at least 0 and less than the stride along its axis (strides %v)", keras.ErrInvalidArgument, op, c.strides))
				break
			}
		}
		c.outputPadding = op
	}
	return errors.Join(errs...)
}

// build creates the kernel (k..., filters, in) and the bias (filters,).
func (c *convTransposeCore) build(b *keras.LayerBase, in []keras.Shape) error {
	ch, err := c.inChannels(in)
	if err != nil {
		return err
	}
	ks := append(keras.Shape(nil), c.kernelSize...)
	ks = append(ks, c.filters, ch)
	if c.kernel, err = b.AddWeightInit("kernel", ks, c.kernelInit, true); err != nil {
		return err
	}
	return c.buildBias(b, c.filters)
}

// transposePads is Keras's conversion of padding and output_padding to JAX's for axis i: the
// zeros lo and hi around the stride-dilated input that a plain convolution then slides over.
func (c *convTransposeCore) transposePads(i int) (lo, hi int) {
	k, s := internalops.EffectiveKernel(c.kernelSize[i], c.dilation[i]), c.strides[i]
	if c.padding == "valid" {
		op := max(k, s) - k
		if c.outputPadding != nil {
			op = c.outputPadding[i]
		}
		return k - 1, k - 1 + op
	}
	padLen := s + k - 2
	if c.outputPadding != nil {
		padLen = k + k%2 - 2 + c.outputPadding[i]
	}
	lo = min(padLen/2+padLen%2, k-1)
	return lo, padLen - lo
}

// outLen is the output length along axis i for an input of length n (None stays None).
func (c *convTransposeCore) outLen(i, n int) int {
	if n < 0 {
		return keras.None
	}
	lo, hi := c.transposePads(i)
	k := internalops.EffectiveKernel(c.kernelSize[i], c.dilation[i])
	return (n-1)*c.strides[i] + lo + hi - k + 2
}

// outputShape is (batch, out..., filters).
func (c *convTransposeCore) outputShape(in []keras.Shape) (keras.Shape, error) {
	if err := checkRank(in, c.rank+2, layoutOf(c.rank)); err != nil {
		return nil, err
	}
	s := in[0]
	if want := c.kernel.Shape()[c.rank+1]; s.Last() != want {
		return nil, keras.ShapeError("input has %d channels, the layer was built for %d (input shape %v)", s.Last(), want, s)
	}
	out := keras.Shape{s[0]}
	for i := 0; i < c.rank; i++ {
		n := c.outLen(i, s[1+i])
		if n == 0 {
			return nil, keras.ShapeError("spatial axis %d of length 0 gives an empty output (input shape %v)", 1+i, s)
		}
		out = append(out, n)
	}
	return append(out, c.filters), nil
}

// window returns the window of the convolution this layer transposes, over the output image
// (oh×ow) for an h×w input: the output row of input row y and kernel row i is y·s − Top + i·d.
// Bottom and Right make the window fit exactly h×w positions; they are negative when
// output_padding adds rows that no window reaches.
func (c *convTransposeCore) window(h, w, oh, ow int) internalops.Window {
	axis := func(i, n, out int) (k, s, d, top, bottom int) {
		k, s, d = c.kernelSize[i], c.strides[i], c.dilation[i]
		keff := internalops.EffectiveKernel(k, d)
		lo, _ := c.transposePads(i)
		top = keff - 1 - lo
		return k, s, d, top, (n-1)*s + keff - out - top
	}
	win := internalops.Window{KH: 1, SH: 1, DH: 1}
	win.KW, win.SW, win.DW, win.Left, win.Right = axis(c.rank-1, w, ow)
	if c.rank == 2 {
		win.KH, win.SH, win.DH, win.Top, win.Bottom = axis(0, h, oh)
	}
	return win
}

// forward emits activation(col2im(x·Kᵀ) + bias) in channels-last layout; a 1-D input runs as
// an image of height 1.
func (c *convTransposeCore) forward(ctx *keras.Context, x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != c.rank+2 {
		return nil, keras.ShapeError("expects an input of rank %d %s, got shape %v", c.rank+2, layoutOf(c.rank), s)
	}
	b, ch := s[0], s[len(s)-1]
	h, w, oh := 1, s[1], 1
	ow := c.outLen(c.rank-1, w)
	if c.rank == 2 {
		h, w = s[1], s[2]
		oh, ow = c.outLen(0, h), c.outLen(1, w)
	}
	if oh <= 0 || ow <= 0 {
		return nil, keras.ShapeError("input of shape %v gives an empty output", s)
	}
	win := c.window(h, w, oh, ow)
	k := win.KH * win.KW * c.filters
	o := ops.New(ctx)
	flat := o.Reshape(x, b*h*w, ch)
	kt := o.Transpose(o.Reshape(ctx.Var(c.kernel), k, ch), 1, 0)
	cols := o.Reshape(o.MatMul(flat, kt), b, h, w, k)
	if err := o.Err(); err != nil {
		return nil, err
	}
	y, err := internalops.Col2im(cols, win, oh, ow, c.filters)
	if err != nil {
		return nil, err
	}
	if c.useBias {
		z := o.Reshape(y, b*oh*ow, c.filters)
		if err := o.Err(); err != nil {
			return nil, err
		}
		// Safe: the broadcast operand (a view) is only read; the in-place write goes to this layer's own z.
		if y, err = G.BroadcastAdd(z, ctx.Var(c.bias), nil, []byte{0}); err != nil {
			return nil, err
		}
	}
	if c.rank == 1 {
		y = o.Reshape(y, b, ow, c.filters)
	} else {
		y = o.Reshape(y, b, oh, ow, c.filters)
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	return activate(ctx, c.activation, y)
}
