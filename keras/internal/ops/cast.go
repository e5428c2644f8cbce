package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/kerago/kerago/keras/internal/errs"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Embedding takes float ids too, as Keras's does (Embedding.call casts any non-integer input
// to int32): the guide's models declare token inputs as keras.Input((None,)) with the default
// float32 dtype. Gorgonia has no cast op and ByIndices takes only tensor.Int indices, so
// idsCastOp converts the float ids to ints inside the graph, truncating toward zero as
// Keras's cast does (2.7 → 2). It has no gradient: ids are not differentiable, and Gorgonia
// never asks for one because ByIndices does not differentiate with respect to its indices.

// idsCastOp converts a float32 or float64 tensor of ids to tensor.Int, checking each against
// the table's size: Gorgonia's ByIndices reads an id beyond the table out of bounds (a silent
// wrong row) and panics on a negative one inside the TapeMachine's own goroutine, where no
// recover of the caller reaches, so the program dies.
type idsCastOp struct {
	Base
	dims  int
	limit int    // ids must lie in [0, limit) once truncated
	layer string // the Embedding the ids are for, named in the error
}

// CastIDs converts the float32 or float64 ids of x to a tensor.Int node, truncating toward
// zero. An id that is NaN or, truncated, outside [0, limit) is an error naming the layer
// when the graph runs; it wraps keras.ErrData, but Gorgonia's TapeMachine wraps an op's error
// in a type without Unwrap, so errors.Is does not reach it from Fit or Predict.
func CastIDs(x *G.Node, limit int, layer string) (*G.Node, error) {
	dims := x.Dims()
	op := idsCastOp{Base: Base{Name: "castIDs", Params: fmt.Sprintf("dims=%d,limit=%d,layer=%q", dims, limit, layer), Inputs: 1},
		dims: dims, limit: limit, layer: layer}
	return G.ApplyOp(op, x)
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
func (op idsCastOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != 1 {
		return nil, fmt.Errorf("castIDs takes 1 input, got %d", len(in))
	}
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	out := make([]int, x.Shape().TotalSize())
	bad := -1
	if x.Dtype() == tensor.Float32 {
		bad = truncateIDs(out, data[float32](x), op.limit)
	} else {
		bad = truncateIDs(out, data[float64](x), op.limit)
	}
	if bad >= 0 {
		v, _ := x.At(Unravel(bad, x.Shape())...)
		return nil, fmt.Errorf("Embedding %s: %w: token id %v at index %v of the ids (shape %v) is outside [0, %d); input_dim must be larger than every id",
			op.layer, errs.Data, v, Unravel(bad, x.Shape()), x.Shape(), op.limit)
	}
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(out)), nil
}

// truncateIDs converts float ids to ints toward zero and returns the flat index of the first
// id that is NaN or, truncated, outside [0, limit), or -1. Converting such an id would give an
// arbitrary index.
func truncateIDs[F float32 | float64](dst []int, src []F, limit int) int {
	for i, f := range src {
		x := float64(f)
		if !(x > -1 && x < float64(limit)) { // also NaN; -0.5 truncates to 0
			return i
		}
		dst[i] = int(x)
	}
	return -1
}

// Unravel returns the coordinates of flat index i in shape, as errors about one element name
// it.
func Unravel(i int, shape tensor.Shape) []int {
	c := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		c[k] = i % shape[k]
		i /= shape[k]
	}
	return c
}
