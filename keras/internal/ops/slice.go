package ops

import (
	"fmt"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sliceOp copies the block of positions [off, off+part[axis]) along axis out of its input,
// read as a row-major tensor of shape full, and returns it with shape out (part's shape, or
// another of the same size). It replaces Gorgonia's Slice, whose hash keeps only the low byte
// of each bound: two slices of one tensor of equal width whose offsets agree modulo 256 hash
// alike, Gorgonia keeps one node for both, and the later slice silently reads the earlier
// one's numbers (forward) or gradient (backward). Every sliceOp carries a number of its own,
// so no two are merged.
type sliceOp struct {
	Base
	axis, off       int
	full, part, out tensor.Shape
	in              tensor.Shape // the input's own shape (full's size)
}

var sliceOpCount atomic.Int64

// newSliceOp numbers a slice op; what describes the call for errors and graphs.
func newSliceOp(what string, in, full tensor.Shape, axis, off int, part, out tensor.Shape) *sliceOp {
	return &sliceOp{
		Base: Base{Name: "slice", Params: fmt.Sprintf("%s #%d", what, sliceOpCount.Add(1)), Inputs: 1},
		axis: axis, off: off, full: full.Clone(), part: part.Clone(), out: out.Clone(), in: in.Clone(),
	}
}

// Type maps a tensor of the input's rank to one of the output's rank.
func (op *sliceOp) Type() hm.Type { return hm.NewFnType(rankType(len(op.in)), rankType(len(op.out))) }

// InferShape returns the output's shape.
func (op *sliceOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.out.Clone(), nil }

// DiffWRT: differentiable with respect to its input.
func (op *sliceOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff places the gradient in a zero tensor of the input's shape (sliceGradOp).
func (op *sliceOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g := &sliceGradOp{
		Base:  Base{Name: "∂slice", Params: op.Params, Inputs: 1},
		slice: op,
	}
	dx, err := G.ApplyOp(g, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// Do copies the block into a new tensor.
func (op *sliceOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo copies the block into prealloc; every element is written.
func (op *sliceOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op *sliceOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if d, ok := in[0].(*tensor.Dense); ok && d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64 {
		if prealloc != nil {
			return nil, fmt.Errorf("%v: %v values are sliced into new memory only", op, d.Dtype())
		}
		return op.doBytes(d)
	}
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(op.in) {
		return nil, fmt.Errorf("%v: input of shape %v, want %v", op, x.Shape(), op.in)
	}
	out, err := output(op, prealloc, x.Dtype(), op.out)
	if err != nil {
		return nil, err
	}
	if x.Dtype() == tensor.Float32 {
		partBlocks(data[float32](out), data[float32](x), op.axis, op.off, op.full, op.part)
	} else {
		partBlocks(data[float64](out), data[float64](x), op.axis, op.off, op.full, op.part)
	}
	return out, nil
}

// doBytes slices a tensor of any other dtype (integers, bools) byte by byte: each element is
// an extra innermost axis of its size in bytes.
func (op *sliceOp) doBytes(x *tensor.Dense) (G.Value, error) {
	if !x.Shape().Eq(op.in) || x.RequiresIterator() || !x.IsNativelyAccessible() {
		return nil, fmt.Errorf("%v: input of shape %v, want a contiguous %v tensor", op, x.Shape(), op.in)
	}
	out := tensor.New(tensor.WithShape(op.out.Clone()...), tensor.Of(x.Dtype()))
	size := int(x.Dtype().Size())
	bytesOf := func(d *tensor.Dense) []byte {
		return d.Header.Raw[:d.Shape().TotalSize()*size]
	}
	full := append(op.full.Clone(), size)
	part := append(op.part.Clone(), size)
	partBlocks(bytesOf(out), bytesOf(x), op.axis, op.off, full, part)
	return out, nil
}

// sliceGradOp is a slice's gradient: the slice's gradient in its block, zeros elsewhere, as a
// tensor of the slice's input's shape.
type sliceGradOp struct {
	Base
	slice *sliceOp
}

// Type maps a tensor of the slice's output rank to one of its input's rank.
func (op *sliceGradOp) Type() hm.Type {
	return hm.NewFnType(rankType(len(op.slice.out)), rankType(len(op.slice.in)))
}

// InferShape returns the slice's input shape.
func (op *sliceGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.slice.in.Clone(), nil
}

// DiffWRT: differentiable with respect to its input (the graph is not differentiated twice).
func (op *sliceGradOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff is not implemented: kerago differentiates a graph once.
func (op *sliceGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: second derivatives are not supported", op)
}

// Do places the gradient in a new zero tensor.
func (op *sliceGradOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo clears prealloc and places the gradient in it.
func (op *sliceGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op *sliceGradOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	g, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	s := op.slice
	if !g.Shape().Eq(s.out) {
		return nil, fmt.Errorf("%v: gradient of shape %v, want %v", op, g.Shape(), s.out)
	}
	out, err := output(op, prealloc, g.Dtype(), s.in)
	if err != nil {
		return nil, err
	}
	if g.Dtype() == tensor.Float32 {
		o := data[float32](out)
		clear(o)
		placeBlocks(o, data[float32](g), s.axis, s.off, s.full, s.part)
	} else {
		o := data[float64](out)
		clear(o)
		placeBlocks(o, data[float64](g), s.axis, s.off, s.full, s.part)
	}
	return out, nil
}

// placeBlocks is partBlocks's adjoint: it writes part (shape) into the block of positions
// [off, off+shape[axis]) along axis of out (shape full), leaving the rest as it is.
func placeBlocks[T float](out, part []T, axis, off int, full, shape tensor.Shape) {
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
		copy(out[o*m+off*inner:o*m+off*inner+n], part[o*n:(o+1)*n])
	}
}

// Slice returns positions [start, end) along axis of x (every other axis whole) as a new
// tensor, with a gradient of its own: see sliceOp for why Gorgonia's Slice is not used.
// Any dtype; only float slices have a gradient.
func Slice(x *G.Node, axis, start, end int) (*G.Node, error) {
	s := x.Shape()
	if axis < 0 {
		axis += s.Dims()
	}
	if axis < 0 || axis >= s.Dims() || start < 0 || end > s[axis] || start >= end {
		return nil, fmt.Errorf("slice: [%d:%d] along axis %d of shape %v", start, end, axis, s)
	}
	part := s.Clone()
	part[axis] = end - start
	op := newSliceOp(fmt.Sprintf("axis=%d [%d:%d] of %v", axis, start, end, s), s, s, axis, start, part, part)
	return G.ApplyOp(op, x)
}

// SliceFlat returns the size(shape) consecutive values of x from offset from, reading x
// row-major, as a new tensor of the given shape (e.g. one state's rows out of a recurrent
// op's packed output). Float tensors only.
func SliceFlat(x *G.Node, from int, shape ...int) (*G.Node, error) {
	s := x.Shape()
	out := tensor.Shape(shape)
	n, total := out.TotalSize(), s.TotalSize()
	if from < 0 || n <= 0 || from+n > total {
		return nil, fmt.Errorf("slice: %d values from %d out of %d (shape %v)", n, from, total, s)
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("slice: %v values are not supported (float32, float64)", dt)
	}
	op := newSliceOp(fmt.Sprintf("[%d:%d] of %v as %v", from, from+n, s, out), s, tensor.Shape{total}, 0, from, tensor.Shape{n}, out)
	return G.ApplyOp(op, x)
}
