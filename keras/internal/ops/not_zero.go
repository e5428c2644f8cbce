package ops

import (
	"fmt"

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

// intMaskOp is notZeroOp for an integer mask (tensor.Int, as kerago feeds integer inputs):
// 1 where x ≠ 0 and 0 elsewhere, in a float dtype. Integer inputs take no gradient, so it has
// none.
type intMaskOp struct {
	Base
	dims int
	out  tensor.Dtype
}

// IntMask returns 1 where the integer tensor x is nonzero and 0 elsewhere, as a float32 or
// float64 tensor: an integer mask cast to bool, in floats.
func IntMask(x *G.Node, out tensor.Dtype) (*G.Node, error) {
	if out != tensor.Float32 && out != tensor.Float64 {
		return nil, fmt.Errorf("int_mask: output dtype %v, want float32 or float64", out)
	}
	op := intMaskOp{Base: Base{Name: "int_mask", Params: fmt.Sprintf("dims=%d,out=%v", x.Dims(), out), Inputs: 1}, dims: x.Dims(), out: out}
	return G.ApplyOp(op, x)
}

// Type returns an integer tensor → a float one of the same rank.
func (op intMaskOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')}, G.TensorType{Dims: op.dims, Of: op.out})
}

// InferShape returns the input's shape.
func (intMaskOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do computes x ≠ 0 as 1 or 0.
func (op intMaskOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, ok := in[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: input is a %T, want a tensor", op, in[0])
	}
	if x.RequiresIterator() {
		if x, ok = x.Materialize().(*tensor.Dense); !ok {
			return nil, fmt.Errorf("%v: cannot copy a strided %v view", op, in[0])
		}
	}
	out := tensor.New(tensor.Of(op.out), tensor.WithShape(x.Shape().Clone()...))
	n := x.Shape().TotalSize()
	nonzero := make([]bool, n)
	switch v := x.Data().(type) {
	case []int:
		for i := range nonzero {
			nonzero[i] = v[i] != 0
		}
	case []int32:
		for i := range nonzero {
			nonzero[i] = v[i] != 0
		}
	case []int64:
		for i := range nonzero {
			nonzero[i] = v[i] != 0
		}
	default:
		return nil, fmt.Errorf("%v: %v values, want integers", op, x.Dtype())
	}
	switch op.out {
	case tensor.Float32:
		fromBools(nonzero, data[float32](out))
	default:
		fromBools(nonzero, data[float64](out))
	}
	return out, nil
}

func fromBools[T float](b []bool, out []T) {
	for i, v := range b {
		if v {
			out[i] = 1
		}
	}
}
