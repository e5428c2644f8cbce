package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MeanAll returns the mean of every element of x as a scalar node: the sum of the elements
// in order, in x's dtype, divided by their count, which is exactly what G.Mean(x) computes
// (tensor's sum is a sequential loop, and G.Mean divides by the product of the axes' sizes).
// It is one op with a one-op gradient where G.Mean is a sum, a size per axis, their product and
// a division forward, and five scalar ops, a reshape and a repeat backward, each allocating
// its result every step: the losses' sum_over_batch_size uses it. A scalar x is returned as
// it is, as G.Mean does.
func MeanAll(x *G.Node) (*G.Node, error) {
	if x.IsScalar() {
		return x, nil
	}
	n := x.Shape().TotalSize()
	if n <= 0 {
		return nil, fmt.Errorf("mean of a tensor of shape %v: no elements", x.Shape())
	}
	op := &meanOp{Base: Base{Name: "mean_all", Params: fmt.Sprintf("dims=%d,n=%d", x.Dims(), n), Inputs: 1}, dims: x.Dims(), n: n}
	return G.ApplyOp(op, x)
}

// meanOp is the mean of every element of a tensor. It keeps its scalar result from run to
// run, as a value of its own: it is read only by later ops of the same run, and copied out by
// G.Read.
type meanOp struct {
	Base
	dims, n int
	out     G.Value // *G.F32 or *G.F64, once computed
}

// Type returns a tensor of a → a.
func (op *meanOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(tensorType(op.dims, a), a)
}

// InferShape returns a scalar's shape.
func (op *meanOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }

// Do sums the elements in order and divides by their count.
func (op *meanOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != 1 {
		return nil, fmt.Errorf("%v takes 1 input, got %d", op, len(in))
	}
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	if x.Shape().TotalSize() != op.n {
		return nil, fmt.Errorf("%v: input of shape %v, want %d elements", op, x.Shape(), op.n)
	}
	switch x.Dtype() {
	case tensor.Float32:
		var s float32
		for _, v := range data[float32](x) {
			s += v
		}
		f, ok := op.out.(*G.F32)
		if !ok {
			f = new(G.F32)
			op.out = f
		}
		*f = G.F32(s / float32(op.n))
		return f, nil
	default:
		var s float64
		for _, v := range data[float64](x) {
			s += v
		}
		f, ok := op.out.(*G.F64)
		if !ok {
			f = new(G.F64)
			op.out = f
		}
		*f = G.F64(s / float64(op.n))
		return f, nil
	}
}

// DiffWRT: differentiable with respect to its input.
func (op *meanOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff spreads the gradient evenly: every element gets g / n.
func (op *meanOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g := meanGradOp{Base: Base{Name: "mean_all_grad", Params: op.Params, Inputs: 2}, dims: op.dims, n: op.n}
	dx, err := G.ApplyOp(g, in[0], grad)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	return G.Nodes{dx}, nil
}

// meanGradOp is the gradient of meanOp. Inputs: the forward input x (for its shape and
// dtype) and the scalar gradient g of the mean. Output: a tensor of x's shape filled with
// g / n, the value Gorgonia's division and repeat give.
type meanGradOp struct {
	Base
	dims, n int
}

// Type returns x → a → x.
func (op meanGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := tensorType(op.dims, a)
	return hm.NewFnType(t, a, t)
}

// InferShape returns x's shape.
func (op meanGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do fills a new tensor.
func (op meanGradOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo fills prealloc.
func (op meanGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op meanGradOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(in))
	}
	x, ok := in[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: input is a %T, want a tensor", op, in[0])
	}
	out, err := output(op, prealloc, x.Dtype(), x.Shape())
	if err != nil {
		return nil, err
	}
	switch g := in[1].(type) {
	case *G.F32:
		if x.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("%v: a float32 gradient for a %v input", op, x.Dtype())
		}
		fill(out.Float32s(), float32(*g)/float32(op.n))
	case *G.F64:
		if x.Dtype() != tensor.Float64 {
			return nil, fmt.Errorf("%v: a float64 gradient for a %v input", op, x.Dtype())
		}
		fill(out.Float64s(), float64(*g)/float64(op.n))
	default:
		return nil, fmt.Errorf("%v: gradient is a %T, want a float scalar", op, in[1])
	}
	return out, nil
}

func fill[T float](s []T, v T) {
	for i := range s {
		s[i] = v
	}
}
