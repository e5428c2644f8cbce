package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// reluOp is the relu activation as one Gorgonia op with a hand-written gradient (reluGradOp).
// Gorgonia's Rectify builds x ⊙ (x ≥ 0): a comparison and a product forward and their
// gradients backward, each a pass over the tensor with its own allocation, which profiles of
// the MLP step showed as 13% of Predict. The gradient at exactly 0 is 0, as in JAX (Keras 3's
// backend here) and TensorFlow; Rectify's is 1.
//
// With a threshold θ ≥ 0 the same op computes Keras's thresholded relu, x where x > θ and 0
// elsewhere: its output is positive exactly where x > θ, so reluGradOp serves it unchanged.
type reluOp struct {
	Base
	threshold float64
}

var _ G.SDOp = reluOp{}

// reluOps are the two ops; neither has a parameter.
var (
	theRelu     = reluOp{Base: Base{Name: "relu", Inputs: 1}}
	theReluGrad = reluGradOp{Base{Name: "reluGrad", Inputs: 2}}
)

// Type returns a → a.
func (reluOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a) }

// DiffWRT: relu is differentiable with respect to its one input.
func (reluOp) DiffWRT(int) []bool { return []bool{true} }

// InferShape returns the input's shape.
func (reluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do computes x where x > θ, else 0 (max(x, 0) for θ = 0).
func (op reluOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes relu into prealloc.
func (op reluOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op reluOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	out, err := output(op, prealloc, x.Dtype(), x.Shape())
	if err != nil {
		return nil, err
	}
	switch x.Dtype() {
	case tensor.Float32:
		relu(data[float32](x), data[float32](out), float32(op.threshold))
	default:
		relu(data[float64](x), data[float64](out), op.threshold)
	}
	return out, nil
}

// SymDiff passes the gradient where the output is positive.
func (reluOp) SymDiff(_ G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(theReluGrad, out, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

func relu[T float32 | float64](x, out []T, threshold T) {
	out = out[:len(x)]
	for i, v := range x {
		if v > threshold {
			out[i] = v
		} else {
			out[i] = 0
		}
	}
}

// reluGradOp passes the gradient dy where relu's output y is positive: inputs (y, dy).
type reluGradOp struct{ Base }

// Type returns y → dy → dx.
func (reluGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

// InferShape returns the gradient's shape.
func (reluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[1]) }

// Do computes dy where y > 0, else 0.
func (op reluGradOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the gradient into prealloc.
func (op reluGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op reluGradOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	y, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense(op, in[1])
	if err != nil {
		return nil, err
	}
	if !y.Shape().Eq(dy.Shape()) || y.Dtype() != dy.Dtype() {
		return nil, fmt.Errorf("%v: output %v %v and gradient %v %v differ", op, y.Dtype(), y.Shape(), dy.Dtype(), dy.Shape())
	}
	dx, err := output(op, prealloc, dy.Dtype(), dy.Shape())
	if err != nil {
		return nil, err
	}
	switch dy.Dtype() {
	case tensor.Float32:
		reluGrad(data[float32](y), data[float32](dy), data[float32](dx))
	default:
		reluGrad(data[float64](y), data[float64](dy), data[float64](dx))
	}
	return dx, nil
}

func reluGrad[T float32 | float64](y, dy, dx []T) {
	dy, dx = dy[:len(y)], dx[:len(y)]
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
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

// Relu is the "relu" activation: the relu op on float tensors, Gorgonia's Rectify on
// anything else (a scalar).
func Relu(x *G.Node) (*G.Node, error) {
	if x.IsScalar() || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return G.Rectify(x)
	}
	return G.ApplyOp(theRelu, x)
}

// ThresholdedRelu is x where x > threshold and 0 elsewhere (threshold ≥ 0), as the first step
// of Keras's relu with a threshold; its gradient is 1 where x > threshold and 0 elsewhere.
func ThresholdedRelu(x *G.Node, threshold float64) (*G.Node, error) {
	if !(threshold >= 0) {
		return nil, fmt.Errorf("thresholded relu: threshold must be ≥ 0, got %v", threshold)
	}
	if threshold == 0 {
		return Relu(x)
	}
	if x.IsScalar() || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("thresholded relu: want a float32 or float64 tensor, got %v", x.Dtype())
	}
	op := reluOp{Base: Base{Name: "thresholded_relu", Params: fmt.Sprintf("threshold=%v", threshold), Inputs: 1}, threshold: threshold}
	return G.ApplyOp(op, x)
}
