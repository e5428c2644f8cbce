package ops

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Embedding takes float ids too, as Keras's does (Embedding.call casts any non-integer input
// to int32): the guide's models declare token inputs as keras.Input((None,)) with the default
// float32 dtype. Gorgonia has no cast op and ByIndices takes only tensor.Int indices, so
// idsCastOp converts the float ids to ints inside the graph, truncating toward zero as
// Keras's cast does (2.7 → 2). It has no gradient: ids are not differentiable, and Gorgonia
// never asks for one because ByIndices does not differentiate with respect to its indices.

// idsCastOp converts a float32 or float64 tensor of ids to tensor.Int.
type idsCastOp struct {
	Base
	dims int
}

// CastIDs converts the float32 or float64 ids of x to a tensor.Int node, truncating toward
// zero; a NaN, infinite or out-of-range id is an error when the graph runs.
func CastIDs(x *G.Node) (*G.Node, error) {
	dims := x.Dims()
	return G.ApplyOp(idsCastOp{Base: Base{Name: "castIDs", Params: fmt.Sprint(dims), Inputs: 1}, dims: dims}, x)
}

// Type returns a dims-dimensional float tensor → the same of ints.
func (op idsCastOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')}, G.TensorType{Dims: op.dims, Of: tensor.Int})
}

// InferShape returns the input's shape.
func (op idsCastOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("castIDs takes 1 input, got %d", len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("castIDs: input shape is %T", in[0])
	}
	return s.Clone(), nil
}

// Do truncates the ids toward zero, rejecting NaN, infinite and out-of-range ones.
func (op idsCastOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("castIDs takes 1 input, got %d", len(in))
	}
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	out := make([]int, x.Shape().TotalSize())
	if x.Dtype() == tensor.Float32 {
		err = truncateIDs(out, data[float32](x))
	} else {
		err = truncateIDs(out, data[float64](x))
	}
	if err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(out)), nil
}

// truncateIDs converts float ids to ints toward zero. A NaN or infinite id, or one beyond
// the int range, is an error: converting it would give an arbitrary index.
func truncateIDs[F float32 | float64](dst []int, src []F) error {
	for i, f := range src {
		x := float64(f)
		if math.IsNaN(x) || math.Abs(x) >= 1<<62 {
			return fmt.Errorf("castIDs: id %v at flat index %d is not a number Embedding can look up", x, i)
		}
		dst[i] = int(x)
	}
	return nil
}
