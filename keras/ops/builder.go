package ops

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
)

// Builder emits the Gorgonia nodes of one layer call on a [keras.Context] and keeps the first
// error. Its methods return nil once an error is recorded, and accept the nil results of
// earlier failed operations, so a Forward chains them and checks once, in [Builder.Result].
// A Builder is used by one Forward call, from one goroutine.
type Builder struct {
	ctx *keras.Context
	err error
}

// New returns a Builder on ctx, the context a layer's Forward receives.
func New(ctx *keras.Context) *Builder { return &Builder{ctx: ctx} }

// Context returns the context the Builder emits into.
func (o *Builder) Context() *keras.Context { return o.ctx }

// Err returns the first error recorded, or nil.
func (o *Builder) Err() error { return o.err }

// Fail records err (the first one wins) so that Result returns it; a layer uses it for its own
// checks inside a chain of operations. Fail(nil) does nothing.
func (o *Builder) Fail(err error) {
	if o.err == nil && err != nil {
		o.err = err
	}
}

// Result returns the outputs of a Forward, or the first error recorded.
func (o *Builder) Result(outputs ...*G.Node) ([]*G.Node, error) {
	if o.err != nil {
		return nil, o.err
	}
	for i, y := range outputs {
		if y == nil {
			return nil, fmt.Errorf("%w: ops: output %d is nil", keras.ErrInternal, i)
		}
	}
	return outputs, nil
}

// Var returns the node of a layer weight in this realisation (see [keras.Context.Var]).
func (o *Builder) Var(v *keras.Variable) *G.Node {
	if o.err != nil {
		return nil
	}
	if v == nil {
		o.fail("Var", errors.New("nil weight (was it created in Build?)"))
		return nil
	}
	return o.ctx.Var(v)
}

// Constant returns a scalar constant of the realisation's float dtype.
func (o *Builder) Constant(v float64) *G.Node { return o.ctx.Constant(v) }

// ok reports whether an operation may run: no earlier error and no nil operand (the result of
// a failed operation). A nil operand without an error is a bug in the layer and is recorded.
func (o *Builder) ok(op string, xs ...*G.Node) bool {
	if o.err != nil {
		return false
	}
	for i, x := range xs {
		if x == nil {
			o.fail(op, fmt.Errorf("operand %d is nil", i))
			return false
		}
	}
	return true
}

// fail records the error of operation op, naming it and wrapping keras.ErrShape when Gorgonia
// rejected the operands.
func (o *Builder) fail(op string, err error) {
	if o.err == nil {
		o.err = fmt.Errorf("ops.%s: %w", op, err)
	}
}

// node records the error of a Gorgonia call, naming the operation and its operands' shapes.
func (o *Builder) node(op string, y *G.Node, err error, xs ...*G.Node) *G.Node {
	if err != nil {
		o.fail(op, fmt.Errorf("%w: operands of shapes %s: %v", keras.ErrShape, shapesOf(xs), err))
		return nil
	}
	return y
}

// shapesOf formats the shapes of nodes for an error message.
func shapesOf(xs []*G.Node) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " and "
		}
		s += fmt.Sprint(x.Shape())
	}
	return s
}
