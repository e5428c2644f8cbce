package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SquaredError returns (pred − y)², value by value: the mean squared error before its mean.
// It is one op with a hand-written gradient: the chain it replaces (Gorgonia's Sub and
// Square, and backward two HadamardProds and the Neg of the targets' gradient) allocated
// tensors and shape bookkeeping in every op on every run. The arithmetic is that chain's,
// rounded at the same points, so results are bit for bit the same: forward d = pred − y,
// then d·d; backward, for the incoming gradient g, (d·2)·g, as Gorgonia's Square gradient
// (squareDiffExpr) computes it. The targets get no gradient.
//
// pred and y must have one shape and one float dtype.
func SquaredError(pred, y *G.Node) (*G.Node, error) {
	op := squaredErrorOp{Base{Name: "squared_error", Inputs: 2}}
	if pred.IsScalar() || (pred.Dtype() != tensor.Float32 && pred.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("%v: predictions %v are a %v %v, want a float32 or float64 tensor", op, pred.Name(), pred.Dtype(), pred.Shape())
	}
	if err := checkTargets(op, "predictions", pred, y); err != nil {
		return nil, err
	}
	n, err := G.ApplyOp(op, pred, y)
	if err != nil {
		return nil, fmt.Errorf("%v of %v: %w", op, pred.Name(), err)
	}
	return n, nil
}

// squaredErrorOp is SquaredError: inputs predictions and targets, output the squared error
// of every value.
type squaredErrorOp struct{ Base }

var _ G.SDOp = squaredErrorOp{}

// Type returns a → a → a.
func (squaredErrorOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a, a) }

// InferShape returns the predictions' shape.
func (op squaredErrorOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(in))
	}
	return shapeOf(in[0])
}

// Do computes the squared errors into a new tensor.
func (op squaredErrorOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the squared errors into prealloc; every element is written.
func (op squaredErrorOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op squaredErrorOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	p, y, err := sameShaped(op, in, 2)
	if err != nil {
		return nil, err
	}
	out, err := output(op, prealloc, p.Dtype(), p.Shape())
	if err != nil {
		return nil, err
	}
	if p.Dtype() == tensor.Float32 {
		squaredError(data[float32](p), data[float32](y), data[float32](out))
	} else {
		squaredError(data[float64](p), data[float64](y), data[float64](out))
	}
	return out, nil
}

func squaredError[T float](p, y, out []T) {
	y, out = y[:len(p)], out[:len(p)]
	for i, v := range p {
		d := v - y[i]
		out[i] = d * d
	}
}

// DiffWRT: differentiable with respect to the predictions, not the targets.
func (squaredErrorOp) DiffWRT(int) []bool { return []bool{true, false} }

// SymDiff adds the backward op on the predictions, the targets and the incoming gradient.
func (op squaredErrorOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(in))
	}
	g := squaredErrorGradOp{Base{Name: op.Name + "_grad", Inputs: 3}}
	dp, err := G.ApplyOp(g, in[0], in[1], grad)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	return G.Nodes{dp, nil}, nil
}

// squaredErrorGradOp is squaredErrorOp's backward op: inputs predictions, targets and the
// incoming gradient, all of one shape; output the predictions' gradient.
type squaredErrorGradOp struct{ Base }

// Type returns a → a → a → a.
func (squaredErrorGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}

// InferShape returns the predictions' shape.
func (op squaredErrorGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v takes 3 inputs, got %d", op, len(in))
	}
	return shapeOf(in[0])
}

// Do computes the predictions' gradient into a new tensor.
func (op squaredErrorGradOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the predictions' gradient into prealloc; every element is written.
func (op squaredErrorGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op squaredErrorGradOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	p, y, err := sameShaped(op, in, 3)
	if err != nil {
		return nil, err
	}
	g, err := dense(op, in[2])
	if err != nil {
		return nil, err
	}
	if !g.Shape().Eq(p.Shape()) || g.Dtype() != p.Dtype() {
		return nil, fmt.Errorf("%v: incoming gradient %v %v for predictions %v %v", op, g.Shape(), g.Dtype(), p.Shape(), p.Dtype())
	}
	dp, err := output(op, prealloc, p.Dtype(), p.Shape())
	if err != nil {
		return nil, err
	}
	if p.Dtype() == tensor.Float32 {
		squaredErrorGrad(data[float32](p), data[float32](y), data[float32](g), data[float32](dp))
	} else {
		squaredErrorGrad(data[float64](p), data[float64](y), data[float64](g), data[float64](dp))
	}
	return dp, nil
}

func squaredErrorGrad[T float](p, y, g, dp []T) {
	y, g, dp = y[:len(p)], g[:len(p)], dp[:len(p)]
	for i, v := range p {
		d := v - y[i]
		dp[i] = T(d*2) * g[i] // each product rounded on its own, as the chain's two HadamardProds
	}
}
