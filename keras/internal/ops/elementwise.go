package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The activations with hand-written gradients (relu and thresholded relu, leaky relu, gelu)
// are the same op but for their arithmetic: one input, an output of its shape computed value
// by value, and a backward op that reads the input (or the output) and the output's gradient.
// elementwiseOp and elementwiseGradOp are that op, written once; each activation supplies only
// its kernels, an elementwiseFuncs.

// elementwiseFuncs is what one elementwise activation computes, in both precisions.
type elementwiseFuncs struct {
	forward32 func(x, y []float32)
	forward64 func(x, y []float64)
	// grad32 and grad64 set dx from the values v the derivative reads and the output's
	// gradient dy: v is the input x, or the output y when fromOutput is set (relu's output is
	// positive exactly where its slope is 1, so the gradient need not keep x).
	grad32     func(v, dy, dx []float32)
	grad64     func(v, dy, dx []float64)
	fromOutput bool
	// grad names the backward op and its parameters, for its hash and messages.
	grad Base
}

// elementwiseOp applies f value by value. f is a pointer so that the op stays comparable, as
// Gorgonia's node bookkeeping needs.
type elementwiseOp struct {
	Base
	f *elementwiseFuncs
}

var _ G.SDOp = elementwiseOp{}

// applyElementwise applies op to x, which must be a float32 or float64 tensor: Gorgonia would
// accept a scalar or integers here and only fail, or panic, when the graph runs.
func applyElementwise(op elementwiseOp, x *G.Node) (*G.Node, error) {
	if x.IsScalar() || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("%v: input %v is a %v %v, want a float32 or float64 tensor", op, x.Name(), x.Dtype(), x.Shape())
	}
	n, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, fmt.Errorf("%v of %v: %w", op, x.Name(), err)
	}
	return n, nil
}

// Type returns a → a.
func (elementwiseOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a) }

// DiffWRT: differentiable with respect to its one input.
func (elementwiseOp) DiffWRT(int) []bool { return []bool{true} }

// InferShape returns the input's shape.
func (elementwiseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do computes the values into a new tensor.
func (op elementwiseOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the values into prealloc; every element is written.
func (op elementwiseOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op elementwiseOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	out, err := output(op, prealloc, x.Dtype(), x.Shape())
	if err != nil {
		return nil, err
	}
	if x.Dtype() == tensor.Float32 {
		op.f.forward32(data[float32](x), data[float32](out))
	} else {
		op.f.forward64(data[float64](x), data[float64](out))
	}
	return out, nil
}

// SymDiff adds the backward op, which reads the input or the output, and the output's
// gradient.
func (op elementwiseOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	v := in[0]
	if op.f.fromOutput {
		v = out
	}
	g := op.gradOp()
	dx, err := G.ApplyOp(g, v, grad)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	return G.Nodes{dx}, nil
}

// gradOp is op's backward op.
func (op elementwiseOp) gradOp() elementwiseGradOp { return elementwiseGradOp{op.f.grad, op.f} }

// elementwiseGradOp is elementwiseOp's backward op: inputs (v, dy), v the forward op's input
// or output (elementwiseFuncs.fromOutput), output dx.
type elementwiseGradOp struct {
	Base
	f *elementwiseFuncs
}

// Type returns v → dy → dx.
func (elementwiseGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

// InferShape returns the gradient's shape.
func (elementwiseGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[1]) }

// Do computes the input's gradient.
func (op elementwiseGradOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the input's gradient into prealloc; every element is written.
func (op elementwiseGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op elementwiseGradOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	v, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense(op, in[1])
	if err != nil {
		return nil, err
	}
	if !v.Shape().Eq(dy.Shape()) || v.Dtype() != dy.Dtype() {
		what := "input"
		if op.f.fromOutput {
			what = "output"
		}
		return nil, fmt.Errorf("%v: %s %v %v and gradient %v %v differ", op, what, v.Dtype(), v.Shape(), dy.Dtype(), dy.Shape())
	}
	dx, err := output(op, prealloc, dy.Dtype(), dy.Shape())
	if err != nil {
		return nil, err
	}
	if v.Dtype() == tensor.Float32 {
		op.f.grad32(data[float32](v), data[float32](dy), data[float32](dx))
	} else {
		op.f.grad64(data[float64](v), data[float64](dy), data[float64](dx))
	}
	return dx, nil
}

// mapFloat sets out[i] = f(x[i]), computed in float64.
func mapFloat[T float](x, out []T, f func(float64) float64) {
	out = out[:len(x)]
	for i, v := range x {
		out[i] = T(f(float64(v)))
	}
}

// shapeOf is the shape a DimSizer stands for.
func shapeOf(d G.DimSizer) (tensor.Shape, error) {
	s, ok := d.(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("expected a shape, got %v", d)
	}
	return s.Clone(), nil
}
