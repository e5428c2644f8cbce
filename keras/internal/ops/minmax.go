package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// minMaxOp is the element-wise maximum (or minimum) of two tensors of one shape, with a
// hand-written gradient that splits a tie evenly: where a = b each input gets half of the
// output's gradient, as JAX's max and min differentiate (Keras 3's Maximum and Minimum layers
// on its JAX backend). Gorgonia's MaxBetween and MinBetween give all of it to the first
// input, so two branches meeting at a tie were trained differently from Keras.
type minMaxOp struct {
	Base
	max bool
}

var _ G.SDOp = minMaxOp{}

func newMinMaxOp(isMax bool) minMaxOp {
	name := "minimum"
	if isMax {
		name = "maximum"
	}
	return minMaxOp{Base{Name: name, Inputs: 2}, isMax}
}

// Maximum returns the element-wise maximum of a and b, float tensors of one shape and dtype.
func Maximum(a, b *G.Node) (*G.Node, error) { return applyMinMax(newMinMaxOp(true), a, b) }

// Minimum returns the element-wise minimum of a and b, float tensors of one shape and dtype.
func Minimum(a, b *G.Node) (*G.Node, error) { return applyMinMax(newMinMaxOp(false), a, b) }

func applyMinMax(op minMaxOp, a, b *G.Node) (*G.Node, error) {
	if !a.Shape().Eq(b.Shape()) || a.Dtype() != b.Dtype() {
		return nil, fmt.Errorf("%v: inputs %v %v and %v %v differ; want one shape and dtype", op, a.Dtype(), a.Shape(), b.Dtype(), b.Shape())
	}
	if a.IsScalar() || (a.Dtype() != tensor.Float32 && a.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("%v: inputs are %v %v, want float32 or float64 tensors", op, a.Dtype(), a.Shape())
	}
	n, err := G.ApplyOp(op, a, b)
	if err != nil {
		return nil, fmt.Errorf("%v of %v and %v: %w", op, a.Name(), b.Name(), err)
	}
	return n, nil
}

// Type returns a → a → a.
func (minMaxOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a, a) }

// DiffWRT: differentiable with respect to both inputs.
func (minMaxOp) DiffWRT(int) []bool { return []bool{true, true} }

// InferShape returns the first input's shape.
func (minMaxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do computes the values.
func (op minMaxOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	a, b, err := twoOfOneShape(op, in[0], in[1])
	if err != nil {
		return nil, err
	}
	out := tensor.New(tensor.Of(a.Dtype()), tensor.WithShape(a.Shape().Clone()...))
	if a.Dtype() == tensor.Float32 {
		minMax(data[float32](a), data[float32](b), data[float32](out), op.max)
	} else {
		minMax(data[float64](a), data[float64](b), data[float64](out), op.max)
	}
	return out, nil
}

// SymDiff adds one backward op per input.
func (op minMaxOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	var out G.Nodes
	for i, wrt := range []string{"a", "b"} {
		g := minMaxGradOp{Base{Name: op.Name + "_grad", Params: "wrt=" + wrt, Inputs: 3}, op.max, i == 0}
		d, err := G.ApplyOp(g, in[0], in[1], grad)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", g, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func minMax[T float](a, b, out []T, isMax bool) {
	b, out = b[:len(a)], out[:len(a)]
	for i := range a {
		if isMax {
			out[i] = max(a[i], b[i]) // NaN in either gives NaN, as jnp.maximum
		} else {
			out[i] = min(a[i], b[i])
		}
	}
}

// twoOfOneShape reads two inputs of op that must share shape and dtype.
func twoOfOneShape[O fmt.Stringer](op O, x, y G.Value) (a, b *tensor.Dense, err error) {
	if a, err = dense(op, x); err != nil {
		return nil, nil, err
	}
	if b, err = dense(op, y); err != nil {
		return nil, nil, err
	}
	if !a.Shape().Eq(b.Shape()) || a.Dtype() != b.Dtype() {
		return nil, nil, fmt.Errorf("%v: inputs %v %v and %v %v differ", op, a.Dtype(), a.Shape(), b.Dtype(), b.Shape())
	}
	return a, b, nil
}

// minMaxGradOp is minMaxOp's backward op for one input: inputs (a, b, dy), output dy where
// that input wins, dy/2 at a tie, 0 elsewhere.
type minMaxGradOp struct {
	Base
	max, first bool
}

// Type returns a → b → dy → dx.
func (minMaxGradOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a, a, a) }

// InferShape returns the gradient's shape.
func (minMaxGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[2]) }

// Do computes the input's gradient.
func (op minMaxGradOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	a, b, err := twoOfOneShape(op, in[0], in[1])
	if err != nil {
		return nil, err
	}
	dy, err := dense(op, in[2])
	if err != nil {
		return nil, err
	}
	if !dy.Shape().Eq(a.Shape()) || dy.Dtype() != a.Dtype() {
		return nil, fmt.Errorf("%v: gradient %v %v for inputs %v %v", op, dy.Dtype(), dy.Shape(), a.Dtype(), a.Shape())
	}
	if !op.first {
		a, b = b, a // the input differentiated comes first
	}
	dx := tensor.New(tensor.Of(dy.Dtype()), tensor.WithShape(dy.Shape().Clone()...))
	if a.Dtype() == tensor.Float32 {
		minMaxGrad(data[float32](a), data[float32](b), data[float32](dy), data[float32](dx), op.max)
	} else {
		minMaxGrad(data[float64](a), data[float64](b), data[float64](dy), data[float64](dx), op.max)
	}
	return dx, nil
}

// minMaxGrad is the gradient with respect to x of max(x, y) (or min): dy where x wins, dy/2
// where x = y, 0 elsewhere.
func minMaxGrad[T float](x, y, dy, dx []T, isMax bool) {
	y, dy, dx = y[:len(x)], dy[:len(x)], dx[:len(x)]
	for i := range x {
		switch {
		case x[i] == y[i]:
			dx[i] = dy[i] / 2
		case (x[i] > y[i]) == isMax:
			dx[i] = dy[i]
		default:
			dx[i] = 0
		}
	}
}
