package ops

import (
	"fmt"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The embedding lookup as one op: the rows of a (V, D) table at integer ids, in the ids'
// shape plus D, and its gradient, the output gradient's rows added into a (V, D) table of
// zeros. Gorgonia's ByIndices needs the ids flattened and the result reshaped (two more
// tape instructions), and its gradient allocates a fresh V×D table and a copy of the ids
// every step; this op and its gradient keep their memory from run to run (see denseOp for
// why that is safe).

var embedOpCount atomic.Int64

// embedOp looks up ids (any shape, int) in table (V, D).
type embedOp struct {
	Base
	idsDims int
	out     scratch
}

// embedGradOp is the gradient of embedOp with respect to the table: inputs ids and dy.
type embedGradOp struct {
	Base
	fwd  *embedOp
	v, d int
	grad scratch
}

var (
	_ G.SDOp            = (*embedOp)(nil)
	_ G.UsePreallocDoer = (*embedOp)(nil)
	_ G.UsePreallocDoer = (*embedGradOp)(nil)
)

// Embed returns the rows of table (V, D) at ids, an int tensor of any shape: a tensor of the
// ids' shape plus D. An id outside [0, V) is an error when the graph runs.
func Embed(table, ids *G.Node) (*G.Node, error) {
	if table.Dims() != 2 {
		return nil, fmt.Errorf("embedding: want a (vocabulary, dim) table, got shape %v", table.Shape())
	}
	if dt := table.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("embedding: want a float32 or float64 table, got %v", dt)
	}
	if ids.Dtype() != tensor.Int || ids.Dims() < 1 {
		return nil, fmt.Errorf("embedding: want int ids of rank ≥ 1, got %v of shape %v", ids.Dtype(), ids.Shape())
	}
	op := &embedOp{idsDims: ids.Dims()}
	op.Base = Base{Name: "embed", Params: fmt.Sprintf("#%d", embedOpCount.Add(1)), Inputs: 2}
	return G.ApplyOp(op, table, ids)
}

// Type returns table → ids → rows.
func (op *embedOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: op.idsDims, Of: tensor.Int}, G.TensorType{Dims: op.idsDims + 1, Of: a})
}

// InferShape returns the ids' shape plus the table's width.
func (op *embedOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := G.DimSizersToShapes(in)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 || len(s[0]) != 2 {
		return nil, fmt.Errorf("%v: want a (vocabulary, dim) table and ids, got %v", op, s)
	}
	return append(s[1].Clone(), s[0][1]), nil
}

// embedIDs returns the ids of one run, row-major.
func embedIDs(op fmt.Stringer, v G.Value) ([]int, error) {
	t, ok := v.(*tensor.Dense)
	if !ok || t.Dtype() != tensor.Int {
		return nil, fmt.Errorf("%v: ids are a %T of %v, want int", op, v, v.Dtype())
	}
	if t.RequiresIterator() {
		t = t.Materialize().(*tensor.Dense)
	}
	return t.Ints()[:t.Shape().TotalSize()], nil
}

// Do gathers the rows into the op's memory.
func (op *embedOp) Do(vals ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, vals...) }

// UsePreallocDo gathers the rows into prealloc, a tensor of the output's shape and dtype, or
// into the op's memory when prealloc is nil.
func (op *embedOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(vals))
	}
	table, err := dense(op, vals[0])
	if err != nil {
		return nil, err
	}
	ids, err := embedIDs(op, vals[1])
	if err != nil {
		return nil, err
	}
	out, err := op.output(prealloc, table.Dtype(), vals[1].Shape(), table.Shape()[1])
	if err != nil {
		return nil, err
	}
	switch table.Dtype() {
	case tensor.Float32:
		err = gather(op, table.Float32s(), out.Float32s(), ids, table.Shape()[0], table.Shape()[1])
	default:
		err = gather(op, table.Float64s(), out.Float64s(), ids, table.Shape()[0], table.Shape()[1])
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// output returns the tensor the rows go into: the machine's memory (prealloc), whose shape
// the machine took from the node, checked by size only, so that a step builds no shape; else
// the op's own memory in the ids' shape plus d.
func (op *embedOp) output(prealloc G.Value, dt tensor.Dtype, ids tensor.Shape, d int) (*tensor.Dense, error) {
	if prealloc != nil {
		return outputSized(op, prealloc, dt, ids.TotalSize()*d)
	}
	return op.out.dense(dt, false, append(ids.Clone(), d)...), nil
}

func gather[T float](op fmt.Stringer, table, out []T, ids []int, v, d int) error {
	for i, id := range ids {
		if id < 0 || id >= v {
			return fmt.Errorf("%v: id %d at position %d is outside the vocabulary [0, %d)", op, id, i, v)
		}
		copy(out[i*d:(i+1)*d], table[id*d:(id+1)*d])
	}
	return nil
}

// DiffWRT: differentiable with respect to the table, not the ids.
func (op *embedOp) DiffWRT(int) []bool { return []bool{true, false} }

// SymDiff adds the scatter of the output gradient into the table's gradient.
func (op *embedOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	s := inputs[0].Shape()
	gop := &embedGradOp{Base: Base{Name: "∂embed", Params: op.Params, Inputs: 2}, fwd: op, v: s[0], d: s[1]}
	dt, err := G.ApplyOp(gop, inputs[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dt, nil}, nil
}

// Type returns ids → dy → dTable.
func (op *embedGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: op.fwd.idsDims, Of: tensor.Int}, G.TensorType{Dims: op.fwd.idsDims + 1, Of: a}, G.TensorType{Dims: 2, Of: a})
}

// InferShape returns the table's shape.
func (op *embedGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.v, op.d}, nil
}

// Do scatters the gradient into the op's memory.
func (op *embedGradOp) Do(vals ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, vals...) }

// UsePreallocDo adds each output gradient row into the row of its id in prealloc (V, D), or
// in the op's memory when prealloc is nil, cleared first.
func (op *embedGradOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	if len(vals) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(vals))
	}
	ids, err := embedIDs(op, vals[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense(op, vals[1])
	if err != nil {
		return nil, err
	}
	if dy.Shape().TotalSize() != len(ids)*op.d {
		return nil, fmt.Errorf("%v: output gradient %v for %d ids of width %d", op, dy.Shape(), len(ids), op.d)
	}
	var out *tensor.Dense
	if prealloc != nil { // the machine's memory, of the node's shape: checked by size
		out, err = outputSized(op, prealloc, dy.Dtype(), op.v*op.d)
	} else {
		out = op.grad.dense(dy.Dtype(), false, op.v, op.d)
	}
	if err != nil {
		return nil, err
	}
	switch dy.Dtype() {
	case tensor.Float32:
		err = scatterRows(op, out.Float32s(), dy.Float32s(), ids, op.v, op.d)
	default:
		err = scatterRows(op, out.Float64s(), dy.Float64s(), ids, op.v, op.d)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func scatterRows[T float](op fmt.Stringer, dst, dy []T, ids []int, v, d int) error {
	clear(dst)
	for i, id := range ids {
		if id < 0 || id >= v {
			return fmt.Errorf("%v: id %d at position %d is outside the vocabulary [0, %d)", op, id, i, v)
		}
		row := dst[id*d : (id+1)*d]
		for j, g := range dy[i*d : (i+1)*d] {
			row[j] += g
		}
	}
	return nil
}
