package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// reshapeOp is a reshape whose result owns its memory. Gorgonia's Reshape returns a shallow
// clone of its input (ReturnsPtr true): the tape machine then treats the result's register as
// free once its last reader ran and lets a later op write into the value still held there,
// which is the input's own memory. When that input is read again by a backward op (relu's
// output by its gradient, a product's operand by the product's gradient), the backward op
// reads another op's numbers and the gradient is silently wrong. Copying costs one pass over
// the tensor and makes the register reuse harmless.
type reshapeOp struct {
	Base
	from, to tensor.Shape
}

var _ G.SDOp = reshapeOp{}

// Type maps a tensor of from's rank to one of to's rank (a scalar stands for rank 0).
func (op reshapeOp) Type() hm.Type { return hm.NewFnType(rankType(len(op.from)), rankType(len(op.to))) }

func rankType(n int) hm.Type {
	if n == 0 {
		return hm.TypeVariable('a')
	}
	return G.TensorType{Dims: n, Of: hm.TypeVariable('a')}
}

// DiffWRT: reshape is differentiable with respect to its one input.
func (reshapeOp) DiffWRT(int) []bool { return []bool{true} }

// InferShape returns the target shape.
func (op reshapeOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }

// Do copies the input's values into a new tensor of the target shape.
func (op reshapeOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo copies the values into prealloc; every element is written.
func (op reshapeOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op reshapeOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	if x.Shape().TotalSize() != op.to.TotalSize() {
		return nil, fmt.Errorf("%v: input of shape %v has %d values, want %d", op, x.Shape(), x.Shape().TotalSize(), op.to.TotalSize())
	}
	out, err := output(op, prealloc, x.Dtype(), op.to)
	if err != nil {
		return nil, err
	}
	switch x.Dtype() {
	case tensor.Float32:
		copy(data[float32](out), data[float32](x))
	default:
		copy(data[float64](out), data[float64](x))
	}
	return out, nil
}

// SymDiff reshapes the gradient back to the input's shape, with the same copying op.
func (op reshapeOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := Reshape(grad, op.from)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// Reshape returns x with the given shape (same number of values), as a new tensor: see
// reshapeOp for why Gorgonia's Reshape, which shares the input's memory, is not used on float
// tensors. Other values (a scalar, an integer tensor) go through Gorgonia's Reshape.
func Reshape(x *G.Node, shape tensor.Shape) (*G.Node, error) {
	if x.IsScalar() || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return G.Reshape(x, shape.Clone())
	}
	from := x.Shape().Clone()
	if from.TotalSize() != shape.TotalSize() {
		return nil, fmt.Errorf("reshape: cannot reshape %v (%d values) to %v", from, from.TotalSize(), shape)
	}
	op := reshapeOp{Base: Base{Name: "reshape", Params: fmt.Sprintf("from=%v,to=%v", []int(from), []int(shape)), Inputs: 1}, from: from, to: shape.Clone()}
	return G.ApplyOp(op, x)
}
