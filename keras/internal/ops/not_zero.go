package ops

import (
	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// notZeroOp is Keras's cast of a mask to bool, in floats: 1 where x ≠ 0 and 0 elsewhere
// (NaN counts as nonzero, as in a cast). Its gradient is 0 everywhere: a step function's,
// written as an op (zerosLikeOp) rather than left out, because a mask may be computed from
// weights (or from the gradient check's probe of every input), and Gorgonia's Grad needs
// every path to a weight to be differentiable.
type notZeroOp struct{ Base }

var _ G.SDOp = notZeroOp{}

var (
	theNotZero   = notZeroOp{Base{Name: "not_zero", Inputs: 1}}
	theZerosLike = zerosLikeOp{Base{Name: "zeros_like", Inputs: 1}}
)

// NotZero returns 1 where x is nonzero and 0 elsewhere, of x's shape and float dtype, with a
// zero gradient: the float form of a mask's cast to bool.
func NotZero(x *G.Node) (*G.Node, error) { return G.ApplyOp(theNotZero, x) }

// Type returns a → a.
func (notZeroOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a) }

// DiffWRT: the gradient is taken (and is zero).
func (notZeroOp) DiffWRT(int) []bool { return []bool{true} }

// InferShape returns the input's shape.
func (notZeroOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do computes x ≠ 0 as 1 or 0.
func (op notZeroOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape().Clone()...))
	switch x.Dtype() {
	case tensor.Float32:
		notZero(data[float32](x), data[float32](out))
	default:
		notZero(data[float64](x), data[float64](out))
	}
	return out, nil
}

// SymDiff returns a zero gradient.
func (notZeroOp) SymDiff(in G.Nodes, _, _ *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(theZerosLike, in[0])
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

func notZero[T float](x, out []T) {
	out = out[:len(x)]
	for i, v := range x {
		if v != 0 {
			out[i] = 1
		} else {
			out[i] = 0
		}
	}
}

// zerosLikeOp returns zeros of its input's shape and dtype: notZeroOp's gradient.
type zerosLikeOp struct{ Base }

// Type returns a → a.
func (zerosLikeOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a) }

// InferShape returns the input's shape.
func (zerosLikeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do returns a new tensor of zeros.
func (op zerosLikeOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	return tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape().Clone()...)), nil
}
