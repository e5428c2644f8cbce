package ops

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The reductions along the last axis and their inverse, the broadcast back, are kerago's own
// op (internal/ops SumLast, BroadcastLast), each the other's gradient, on inputs of any rank.
// They were products with constant matrices of ones through Gorgonia's MatMul, whose
// constants of different lengths Gorgonia merged (see filled; TestConvNeXtBlockPredicts in
// keras/layers).

// filled returns a constant rows×cols matrix of the realisation's float dtype, every entry v.
// The constant is named by its shape and value: Gorgonia names an unnamed constant by
// printing its value, which elides the middle of any tensor of more than a few elements
// ("R[1  1  1  1  ... 1  1  1  1]"), and ExprGraph.AddNode replaces a constant by an earlier
// one of the same name. Two constants of ones of different lengths then became one node, and
// the product using the second ran with the first's shape (ConvNeXtTiny's Predict failed with
// "(16, 1) × (1, 96) … Expected (16, 96). Got 3072": TestFilledConstantsKeepTheirShapes).
func (o *Builder) filled(rows, cols int, v float64) *G.Node {
	n := rows * cols
	name := G.WithName(fmt.Sprintf("kerago.filled(%d,%d,%v,%v)", rows, cols, o.ctx.FloatDType(), v))
	if o.ctx.FloatDType() == tensor.Float64 {
		d := make([]float64, n)
		for i := range d {
			d[i] = v
		}
		return G.NewConstant(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(d)), name)
	}
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(v)
	}
	return G.NewConstant(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(d)), name)
}

// MeanLast returns the mean of x along its last axis, kept as an axis of size 1: (…, n) to
// (…, 1), as Keras's ops.mean(x, axis=-1, keepdims=True).
func (o *Builder) MeanLast(x *G.Node) *G.Node {
	if !o.ok("MeanLast", x) {
		return nil
	}
	if x.Dims() < 2 {
		o.fail("MeanLast", fmt.Errorf("%w: want rank ≥ 2 (batch included), got shape %v", keras.ErrShape, x.Shape()))
		return nil
	}
	n := x.Shape()[x.Dims()-1]
	y, err := internalops.SumLast(x, 1/float64(n))
	return o.node("MeanLast", y, err, x)
}

// SumLast returns the sum of x along its last axis, kept as an axis of size 1.
func (o *Builder) SumLast(x *G.Node) *G.Node {
	if !o.ok("SumLast", x) {
		return nil
	}
	if x.Dims() < 2 {
		o.fail("SumLast", fmt.Errorf("%w: want rank ≥ 2 (batch included), got shape %v", keras.ErrShape, x.Shape()))
		return nil
	}
	y, err := internalops.SumLast(x, 1)
	return o.node("SumLast", y, err, x)
}

// BroadcastLast copies x's last axis, of size 1, n times: (…, 1) to (…, n), so that a
// reduction kept by MeanLast meets the tensor it came from in an element-wise operation.
func (o *Builder) BroadcastLast(x *G.Node, n int) *G.Node {
	if !o.ok("BroadcastLast", x) {
		return nil
	}
	if x.Dims() < 2 || x.Shape()[x.Dims()-1] != 1 || n < 1 {
		o.fail("BroadcastLast", fmt.Errorf("%w: cannot broadcast shape %v to %d along its last axis", keras.ErrShape, x.Shape(), n))
		return nil
	}
	y, err := internalops.BroadcastLast(x, n, 1)
	return o.node("BroadcastLast", y, err, x)
}

// Sqrt returns √x.
func (o *Builder) Sqrt(x *G.Node) *G.Node { return o.unary("Sqrt", G.Sqrt, x) }

// Spread returns the vector w, of shape (n), copied to shape (…, n) as the outer product
// 1·wᵀ, so that it meets a tensor of that shape in an element-wise operation of equal shapes.
// Mul and the other broadcasting operators do not need it: they repeat a trailing shape
// themselves.
func (o *Builder) Spread(w *G.Node, shape ...int) *G.Node {
	if !o.ok("Spread", w) {
		return nil
	}
	if w.Dims() != 1 || len(shape) < 1 || shape[len(shape)-1] != w.Shape()[0] {
		o.fail("Spread", fmt.Errorf("%w: cannot spread shape %v to %v", keras.ErrShape, w.Shape(), shape))
		return nil
	}
	n := w.Shape()[0]
	return o.Reshape(o.MatMul(o.filled(tensor.Shape(shape).TotalSize()/n, 1, 1), o.Reshape(w, 1, n)), shape...)
}
