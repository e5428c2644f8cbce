package ops

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MatMul returns x·w contracted over the last axis of x, for x of any rank ≥ 2 (batch, ...,
// in) and a matrix w (in, out): the result is (batch, ..., out), as Keras's ops.matmul with a
// kernel. Gorgonia's product takes matrices only, so x is reshaped to (rows, in) and back.
func (o *Builder) MatMul(x, w *G.Node) *G.Node {
	if !o.ok("MatMul", x, w) {
		return nil
	}
	xs, ws := x.Shape(), w.Shape()
	if x.Dims() < 2 || w.Dims() != 2 || xs[len(xs)-1] != ws[0] {
		o.fail("MatMul", fmt.Errorf("%w: want x (..., n) and w (n, m), got x %v and w %v", keras.ErrShape, xs, ws))
		return nil
	}
	if x.Dims() == 2 {
		y, err := G.Mul(x, w)
		return o.node("MatMul", y, err, x, w)
	}
	flat := o.Reshape(x, xs[:len(xs)-1].TotalSize(), ws[0])
	if flat == nil {
		return nil
	}
	y, err := G.Mul(flat, w)
	if o.node("MatMul", y, err, flat, w) == nil {
		return nil
	}
	out := append(xs[:len(xs)-1:len(xs)-1], ws[1])
	return o.Reshape(y, out...)
}

// Reshape returns x with a new shape of the same size (all dimensions given, batch
// included).
func (o *Builder) Reshape(x *G.Node, shape ...int) *G.Node {
	if !o.ok("Reshape", x) {
		return nil
	}
	if tensor.Shape(shape).TotalSize() != x.Shape().TotalSize() {
		o.fail("Reshape", fmt.Errorf("%w: cannot reshape %v (%d values) to %v", keras.ErrShape, x.Shape(), x.Shape().TotalSize(), shape))
		return nil
	}
	y, err := internalops.Reshape(x, tensor.Shape(shape))
	return o.node("Reshape", y, err, x)
}

// Flatten returns x as (batch, everything else).
func (o *Builder) Flatten(x *G.Node) *G.Node {
	if !o.ok("Flatten", x) {
		return nil
	}
	s := x.Shape()
	if x.Dims() < 1 || s[0] == 0 {
		o.fail("Flatten", fmt.Errorf("%w: cannot flatten shape %v", keras.ErrShape, s))
		return nil
	}
	return o.Reshape(x, s[0], s.TotalSize()/s[0])
}

// Concat joins xs along axis (negative counts from the end), as Keras's ops.concatenate.
func (o *Builder) Concat(axis int, xs ...*G.Node) *G.Node {
	if !o.ok("Concat", xs...) {
		return nil
	}
	if len(xs) == 0 {
		o.fail("Concat", fmt.Errorf("%w: no operands", keras.ErrShape))
		return nil
	}
	if axis < 0 {
		axis += xs[0].Dims()
	}
	if axis < 0 || axis >= xs[0].Dims() {
		o.fail("Concat", fmt.Errorf("%w: axis out of range for shape %v", keras.ErrShape, xs[0].Shape()))
		return nil
	}
	if len(xs) == 1 {
		// Gorgonia's Concat of one tensor returns that tensor's memory in a register of
		// its own, where a later in-place operator would write into the operand
		// (docs/gorgonia.md); the operand itself is the same values without the alias.
		return xs[0]
	}
	// Not Gorgonia's Concat: its gradient cuts the output's gradient with G.Slice, whose hash
	// keeps one byte of each bound, so two parts of equal width at offsets equal modulo 256
	// (Concat of two 256-wide tensors, Tile with 257 copies) were one node and the later
	// operand trained on the earlier one's gradient (internal/ops.Concat).
	y, err := internalops.Concat(axis, xs...)
	return o.node("Concat", y, err, xs...)
}

// Tile returns n copies of x joined along axis (negative counts from the end), as Keras's
// ops.tile with one repeat count: a (2, 1, 3) x tiled 4 times along axis 1 is (2, 4, 3). The
// gradient of the copies is summed back into x.
func (o *Builder) Tile(x *G.Node, axis, n int) *G.Node {
	if !o.ok("Tile", x) {
		return nil
	}
	if n < 1 {
		o.fail("Tile", fmt.Errorf("%w: %d copies of shape %v", keras.ErrShape, n, x.Shape()))
		return nil
	}
	if n == 1 {
		return x
	}
	xs := make([]*G.Node, n)
	for i := range xs {
		xs[i] = x
	}
	return o.Concat(axis, xs...)
}

// Transpose returns x with its axes permuted: axis i of the result is axis axes[i] of x, as
// Keras's ops.transpose. axes must be a permutation of 0 … rank−1.
func (o *Builder) Transpose(x *G.Node, axes ...int) *G.Node {
	if !o.ok("Transpose", x) {
		return nil
	}
	seen := make([]bool, x.Dims())
	for _, a := range axes {
		if len(axes) != x.Dims() || a < 0 || a >= x.Dims() || seen[a] {
			o.fail("Transpose", fmt.Errorf("%w: axes %v are not a permutation of the axes of shape %v", keras.ErrShape, axes, x.Shape()))
			return nil
		}
		seen[a] = true
	}
	y, err := G.Transpose(x, axes...)
	return o.node("Transpose", y, err, x)
}

// Slice returns x[…, start:end, …] along axis (negative counts from the end), every other
// axis whole, as Keras's ops.slice on one axis.
func (o *Builder) Slice(x *G.Node, axis, start, end int) *G.Node {
	if !o.ok("Slice", x) {
		return nil
	}
	if axis < 0 {
		axis += x.Dims()
	}
	if axis < 0 || axis >= x.Dims() || start < 0 || end > x.Shape()[axis] || start >= end {
		o.fail("Slice", fmt.Errorf("%w: [%d:%d] along axis %d of shape %v", keras.ErrShape, start, end, axis, x.Shape()))
		return nil
	}
	if start == 0 && end == x.Shape()[axis] {
		return x
	}
	// Not Gorgonia's Slice: its hash keeps one byte of each bound, so two slices of equal
	// width at offsets equal modulo 256 became one node (internal/ops.Slice).
	y, err := internalops.Slice(x, axis, start, end)
	return o.node("Slice", y, err, x)
}
