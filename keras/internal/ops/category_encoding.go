package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// categoryEncodingOp turns token ids into one-hot, multi-hot or count vectors of depth
// entries, as Keras's CategoryEncoding on JAX: an id matches entry k when it equals k, so an
// id outside [0, depth) (or a float id that is not whole) sets no entry, as jax.nn.one_hot
// leaves such rows zero. It has no gradient: ids are not differentiable, as in Keras.
type categoryEncodingOp struct {
	Base
	mode  string // "one_hot", "multi_hot" or "count"
	depth int
	in    int // the ids' rank
	out   tensor.Shape
	dt    tensor.Dtype
}

// CategoryEncoding encodes the ids of x (any float or integer dtype) as mode ("one_hot":
// an axis of depth entries replaces a last axis of 1, or is appended; "multi_hot" and
// "count": x is (batch, ids) and the result (batch, depth), each id's entry 1, or the number
// of times it occurs) into a tensor of dtype dt.
func CategoryEncoding(x *G.Node, mode string, depth int, dt tensor.Dtype) (*G.Node, error) {
	s := x.Shape()
	var out tensor.Shape
	switch mode {
	case "one_hot":
		out = append(tensor.Shape(nil), s...)
		if len(s) > 1 && s[len(s)-1] == 1 {
			out = out[:len(out)-1]
		}
		out = append(out, depth)
	case "multi_hot", "count":
		if len(s) != 2 {
			return nil, fmt.Errorf("category encoding %s: ids of shape %v, want (batch, ids)", mode, s)
		}
		out = tensor.Shape{s[0], depth}
	default:
		return nil, fmt.Errorf("category encoding: unknown output mode %q", mode)
	}
	op := categoryEncodingOp{Base: Base{Name: "category_encoding", Params: fmt.Sprintf("mode=%s,depth=%d,out=%v,dtype=%v", mode, depth, out, dt), Inputs: 1},
		mode: mode, depth: depth, in: len(s), out: out, dt: dt}
	n, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, fmt.Errorf("%v of %v: %w", op, x.Name(), err)
	}
	return n, nil
}

// Type returns a tensor of any element type → one of dt.
func (op categoryEncodingOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: op.in, Of: hm.TypeVariable('a')}, G.TensorType{Dims: len(op.out), Of: op.dt})
}

// InferShape returns the encoded shape.
func (op categoryEncodingOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.out.Clone(), nil
}

// Do encodes the ids.
func (op categoryEncodingOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, ok := in[0].(*tensor.Dense) // any dtype: dense() takes floats only
	if !ok {
		return nil, fmt.Errorf("%v: input is a %T, want a tensor", op, in[0])
	}
	if x.RequiresIterator() {
		if x, ok = x.Materialize().(*tensor.Dense); !ok {
			return nil, fmt.Errorf("%v: cannot copy a strided view", op)
		}
	}
	ids, err := idValues(op, x)
	if err != nil {
		return nil, err
	}
	counts := make([]float64, op.out.TotalSize())
	per := len(ids) // ids per output row
	if rows := op.out.TotalSize() / op.depth; rows > 0 {
		per = len(ids) / rows
	}
	for i, id := range ids {
		k := int(id)
		if float64(k) != id || k < 0 || k >= op.depth {
			continue
		}
		j := (i/per)*op.depth + k
		if op.mode == "count" {
			counts[j]++
		} else {
			counts[j] = 1
		}
	}
	if op.dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(op.out.Clone()...), tensor.WithBacking(counts)), nil
	}
	f := make([]float32, len(counts))
	for i, c := range counts {
		f[i] = float32(c)
	}
	return tensor.New(tensor.WithShape(op.out.Clone()...), tensor.WithBacking(f)), nil
}

// idValues reads a tensor of ids of any float or integer dtype as float64s.
func idValues(op fmt.Stringer, x *tensor.Dense) ([]float64, error) {
	n := x.Shape().TotalSize()
	out := make([]float64, n)
	switch d := x.Data().(type) {
	case []float32:
		for i := range out {
			out[i] = float64(d[i])
		}
	case []float64:
		copy(out, d[:n])
	case []int32:
		for i := range out {
			out[i] = float64(d[i])
		}
	case []int64:
		for i := range out {
			out[i] = float64(d[i])
		}
	case []int:
		for i := range out {
			out[i] = float64(d[i])
		}
	default:
		return nil, fmt.Errorf("%v: ids of dtype %v are not supported", op, x.Dtype())
	}
	return out, nil
}
