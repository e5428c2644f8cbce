package ops

import (
	"fmt"
	"slices"

	"github.com/kerago/kerago/keras"
	internalops "github.com/kerago/kerago/keras/internal/ops"
	G "gorgonia.org/gorgonia"
)

// binary is a Gorgonia element-wise operator on operands of one shape.
type binary func(a, b *G.Node) (*G.Node, error)

// noBroadcast marks an operator Builder does not broadcast.
const noBroadcast internalops.Arith = -1

// Add returns a + b element by element. b may also have the trailing shape of a (a bias over
// a batch); it is then added to every leading position, as in Keras.
func (o *Builder) Add(a, b *G.Node) *G.Node {
	return o.elementwise("Add", G.Add, internalops.Add, a, b)
}

// Sub returns a - b element by element, broadcasting b as Add does.
func (o *Builder) Sub(a, b *G.Node) *G.Node {
	return o.elementwise("Sub", G.Sub, internalops.Sub, a, b)
}

// Mul returns a ⊙ b element by element, broadcasting b as Add does.
func (o *Builder) Mul(a, b *G.Node) *G.Node {
	return o.elementwise("Mul", G.HadamardProd, internalops.Mul, a, b)
}

// Div returns a / b element by element, broadcasting b as Add does.
func (o *Builder) Div(a, b *G.Node) *G.Node {
	return o.elementwise("Div", G.HadamardDiv, internalops.Div, a, b)
}

// Maximum returns the element-wise maximum of two tensors of one shape. Its gradient splits
// a tie evenly between a and b, as Keras 3's (JAX's) maximum does (internal/ops.Maximum);
// Gorgonia's MaxBetween would give all of it to a.
func (o *Builder) Maximum(a, b *G.Node) *G.Node {
	return o.elementwise("Maximum", internalops.Maximum, noBroadcast, a, b)
}

// Minimum returns the element-wise minimum of two tensors of one shape, its gradient split
// at a tie as Maximum's is.
func (o *Builder) Minimum(a, b *G.Node) *G.Node {
	return o.elementwise("Minimum", internalops.Minimum, noBroadcast, a, b)
}

// Scale returns c·x for a constant c.
func (o *Builder) Scale(x *G.Node, c float64) *G.Node {
	if !o.ok("Scale", x) {
		return nil
	}
	y, err := G.HadamardProd(x, o.ctx.Constant(c))
	return o.node("Scale", y, err, x)
}

// Shift returns x + c for a constant c.
func (o *Builder) Shift(x *G.Node, c float64) *G.Node {
	if !o.ok("Shift", x) {
		return nil
	}
	y, err := G.Add(x, o.ctx.Constant(c))
	return o.node("Shift", y, err, x)
}

// Neg returns -x.
func (o *Builder) Neg(x *G.Node) *G.Node {
	if !o.ok("Neg", x) {
		return nil
	}
	y, err := G.Neg(x)
	return o.node("Neg", y, err, x)
}

// Sum returns the element-wise sum of two or more tensors of one shape.
func (o *Builder) Sum(xs ...*G.Node) *G.Node { return o.fold("Sum", o.Add, xs) }

// Fold combines two or more tensors pairwise, left to right, with f (o.Add, o.Maximum ...).
func (o *Builder) Fold(f func(a, b *G.Node) *G.Node, xs ...*G.Node) *G.Node {
	return o.fold("Fold", f, xs)
}

func (o *Builder) fold(op string, f func(a, b *G.Node) *G.Node, xs []*G.Node) *G.Node {
	if !o.ok(op, xs...) {
		return nil
	}
	if len(xs) == 0 {
		o.fail(op, fmt.Errorf("%w: no operands", keras.ErrShape))
		return nil
	}
	acc := xs[0]
	for _, x := range xs[1:] {
		acc = f(acc, x)
	}
	return acc
}

// elementwise applies f to operands of one shape, or broadcasts b when it has the trailing
// shape of a, with kerago's own op (internal/ops.Trailing): Gorgonia's broadcasting operators
// on a reshaped operand gave silently wrong gradients (docs/gorgonia.md).
func (o *Builder) elementwise(op string, f binary, kind internalops.Arith, a, b *G.Node) *G.Node {
	if !o.ok(op, a, b) {
		return nil
	}
	as, bs := a.Shape(), b.Shape()
	if slices.Equal(as, bs) {
		y, err := f(a, b)
		return o.node(op, y, err, a, b)
	}
	if kind == noBroadcast || b.Dims() >= a.Dims() || b.Dims() == 0 || !slices.Equal(as[a.Dims()-b.Dims():], bs) {
		o.fail(op, fmt.Errorf("%w: operands of shapes %v and %v (the second must have the first's shape or its trailing dimensions)", keras.ErrShape, as, bs))
		return nil
	}
	y, err := internalops.Trailing(kind, a, b)
	return o.node(op, y, err, a, b)
}
