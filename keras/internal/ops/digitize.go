package ops

import (
	"fmt"
	"sort"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// digitizeOp maps each value to the index of its bin among sorted boundaries, as numpy's and
// JAX's digitize (right=False): i where boundaries[i−1] ≤ x < boundaries[i], 0 below the
// first, len(boundaries) from the last up. Float32 values are compared with the boundaries
// rounded to float32, as JAX converts them. It has no gradient: bins are not differentiable.
type digitizeOp struct {
	Base
	bounds []float64
	dims   int
	dt     tensor.Dtype
}

// Digitize returns the bin index of every value of x (float32 or float64) as a tensor of dtype
// dt (tensor.Int32, Float32 or Float64). boundaries must be sorted.
func Digitize(x *G.Node, boundaries []float64, dt tensor.Dtype) (*G.Node, error) {
	op := digitizeOp{Base: Base{Name: "digitize", Params: fmt.Sprintf("bounds=%v,dtype=%v", boundaries, dt), Inputs: 1},
		bounds: append([]float64(nil), boundaries...), dims: x.Dims(), dt: dt}
	if !sort.Float64sAreSorted(boundaries) {
		return nil, fmt.Errorf("%v: the boundaries are not sorted", op)
	}
	if x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("%v: input %v is a %v %v, want float32 or float64", op, x.Name(), x.Dtype(), x.Shape())
	}
	n, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, fmt.Errorf("%v of %v: %w", op, x.Name(), err)
	}
	return n, nil
}

// Type returns a float tensor → one of dt, of the same rank.
func (op digitizeOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')}, G.TensorType{Dims: op.dims, Of: op.dt})
}

// InferShape returns the input's shape.
func (digitizeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do computes the bin indices.
func (op digitizeOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	n := x.Shape().TotalSize()
	idx := make([]int, n)
	if x.Dtype() == tensor.Float32 {
		b := make([]float32, len(op.bounds))
		for i, v := range op.bounds {
			b[i] = float32(v)
		}
		for i, v := range data[float32](x) {
			idx[i] = sort.Search(len(b), func(k int) bool { return b[k] > v })
		}
	} else {
		for i, v := range data[float64](x) {
			idx[i] = sort.Search(len(op.bounds), func(k int) bool { return op.bounds[k] > v })
		}
	}
	shape := x.Shape().Clone()
	switch op.dt {
	case tensor.Int32:
		out := make([]int32, n)
		for i, k := range idx {
			out[i] = int32(k)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out)), nil
	case tensor.Float64:
		out := make([]float64, n)
		for i, k := range idx {
			out[i] = float64(k)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out)), nil
	default:
		out := make([]float32, n)
		for i, k := range idx {
			out[i] = float32(k)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out)), nil
	}
}
