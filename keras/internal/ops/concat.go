package ops

import (
	"fmt"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// concatOp joins float tensors along one axis, with a hand-written gradient: one part op per
// input that copies its block of the output's gradient. Gorgonia's Concat cuts its gradient
// with G.Slice, whose hash keeps only the low byte of each bound: two parts of equal width
// whose offsets agree modulo 256 (InceptionV3's mixed10: channels [320:1088] and [1088:1856])
// hash alike, Gorgonia keeps one node for both, and the later input trains on the earlier
// one's gradient. Every op here carries a number of its own, so no two are merged.
type concatOp struct {
	Base
	axis   int
	shapes []tensor.Shape
	out    tensor.Shape // the output's shape, computed once: a new one per run was an allocation
}

var concatOpCount atomic.Int64

// Type returns a → a → … → a for the op's arity.
func (op *concatOp) Type() hm.Type {
	t := G.TensorType{Dims: len(op.shapes[0]), Of: hm.TypeVariable('a')}
	ts := make(hm.Types, len(op.shapes)+1)
	for i := range ts {
		ts[i] = t
	}
	return hm.NewFnType(ts...)
}

// InferShape returns the inputs' shape with the axis summed.
func (op *concatOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.out.Clone(), nil }

// joinedShape is the shape of the inputs joined along axis.
func joinedShape(axis int, shapes []tensor.Shape) tensor.Shape {
	s := shapes[0].Clone()
	s[axis] = 0
	for _, in := range shapes {
		s[axis] += in[axis]
	}
	return s
}

// DiffWRT: differentiable with respect to every input.
func (op *concatOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

// Do joins the inputs into a new tensor.
func (op *concatOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo joins the inputs into prealloc; every element is written.
func (op *concatOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op *concatOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(in) != len(op.shapes) {
		return nil, fmt.Errorf("%v takes %d inputs, got %d", op, len(op.shapes), len(in))
	}
	xs := make([]*tensor.Dense, len(in))
	for i, v := range in {
		if xs[i], err = dense(op, v); err != nil {
			return nil, err
		}
		if !xs[i].Shape().Eq(op.shapes[i]) || xs[i].Dtype() != xs[0].Dtype() {
			return nil, fmt.Errorf("%v: input %d is %v %v, want %v %v", op, i, xs[i].Dtype(), xs[i].Shape(), xs[0].Dtype(), op.shapes[i])
		}
	}
	out, err := output(op, prealloc, xs[0].Dtype(), op.out)
	if err != nil {
		return nil, err
	}
	if out.Dtype() == tensor.Float32 {
		joinBlocks(data[float32](out), op.axis, op.shapes, func(i int) []float32 { return data[float32](xs[i]) })
	} else {
		joinBlocks(data[float64](out), op.axis, op.shapes, func(i int) []float64 { return data[float64](xs[i]) })
	}
	return out, nil
}

// joinBlocks writes the inputs into out (row-major): for every index of the axes before axis,
// each input's block of shape[axis]·(size of the later axes) values in turn.
func joinBlocks[T float](out []T, axis int, shapes []tensor.Shape, in func(i int) []T) {
	outer := 1
	for _, d := range shapes[0][:axis] {
		outer *= d
	}
	inner := 1
	for _, d := range shapes[0][axis+1:] {
		inner *= d
	}
	pos := 0
	for o := range outer {
		for i, s := range shapes {
			n := s[axis] * inner
			copy(out[pos:pos+n], in(i)[o*n:(o+1)*n])
			pos += n
		}
	}
}

// SymDiff gives each input its block of the gradient, copied by a slice op of its own
// (sliceOp, numbered, so no two parts are merged).
func (op *concatOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(inputs))
	full := op.out.Clone()
	off := 0
	for i, s := range op.shapes {
		part := newSliceOp(fmt.Sprintf("∂concat part %d at %d of %s", i, off, op.Params), full, full, op.axis, off, s, s)
		var err error
		if res[i], err = G.ApplyOp(part, grad); err != nil {
			return nil, err
		}
		off += s[op.axis]
	}
	return res, nil
}

// partBlocks copies the block of positions [off, off+shape[axis]) along axis of g (shape
// full) into out (shape).
func partBlocks[T any](out, g []T, axis, off int, full, shape tensor.Shape) {
	outer := 1
	for _, d := range full[:axis] {
		outer *= d
	}
	inner := 1
	for _, d := range full[axis+1:] {
		inner *= d
	}
	n, m := shape[axis]*inner, full[axis]*inner
	for o := range outer {
		copy(out[o*n:(o+1)*n], g[o*m+off*inner:o*m+off*inner+n])
	}
}

// Concat joins float tensors of one dtype and rank along axis (negative counts from the
// end), as Gorgonia's Concat does, with a gradient that cannot be merged with another
// (concatOp). Other dtypes go through Gorgonia's Concat; one input is returned as it is.
func Concat(axis int, xs ...*G.Node) (*G.Node, error) {
	if len(xs) == 0 {
		return nil, fmt.Errorf("concat: no inputs")
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	dt := xs[0].Dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return G.Concat(axis, xs...)
	}
	r := xs[0].Dims()
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= r {
		return nil, fmt.Errorf("concat: axis out of range for inputs of rank %d", r)
	}
	shapes := make([]tensor.Shape, len(xs))
	for i, x := range xs {
		s := x.Shape()
		if x.Dtype() != dt || s.Dims() != r {
			return nil, fmt.Errorf("concat: input %d is %v %v, input 0 %v of rank %d", i, x.Dtype(), s, dt, r)
		}
		for k := range r {
			if k != axis && s[k] != xs[0].Shape()[k] {
				return nil, fmt.Errorf("concat: input %d has shape %v, input 0 %v: they may differ on axis %d only", i, s, xs[0].Shape(), axis)
			}
		}
		shapes[i] = s.Clone()
	}
	op := &concatOp{Base: Base{Name: "concat", Params: fmt.Sprintf("axis=%d #%d", axis, concatOpCount.Add(1)), Inputs: len(xs)}, axis: axis, shapes: shapes, out: joinedShape(axis, shapes)}
	return G.ApplyOp(op, xs...)
}
