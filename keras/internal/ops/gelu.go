package ops

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// geluOp is Keras 3's default gelu (approximate=False): x·Φ(x) = x/2·(1 + erf(x/√2)), as one
// op with a hand-written gradient (geluGradOp): Φ(x) + x·φ(x). Gorgonia has no erf; each
// value is computed in float64 for either dtype, so float32 results are the exact value
// rounded once.
type geluOp struct{ Base }

var _ G.SDOp = geluOp{}

// Gelu returns x·Φ(x), Φ the standard normal distribution function. x must be a float32 or
// float64 tensor.
func Gelu(x *G.Node) (*G.Node, error) {
	op := geluOp{Base{Name: "gelu", Params: "approximate=false", Inputs: 1}}
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
func (geluOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a) }

// DiffWRT: differentiable with respect to its one input.
func (geluOp) DiffWRT(int) []bool { return []bool{true} }

// InferShape returns the input's shape.
func (geluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do computes the values.
func (op geluOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape().Clone()...))
	if x.Dtype() == tensor.Float32 {
		mapFloat(data[float32](x), data[float32](out), gelu)
	} else {
		mapFloat(data[float64](x), data[float64](out), gelu)
	}
	return out, nil
}

// SymDiff adds the backward op, which reads the input and the output's gradient.
func (op geluOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g := geluGradOp{Base{Name: "gelu_grad", Params: op.Params, Inputs: 2}}
	dx, err := G.ApplyOp(g, in[0], grad)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	return G.Nodes{dx}, nil
}

// gelu is x·Φ(x).
func gelu(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }

// geluSlope is gelu's derivative, Φ(x) + x·φ(x).
func geluSlope(x float64) float64 {
	return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
}

// mapFloat sets out[i] = f(x[i]), computed in float64.
func mapFloat[T float](x, out []T, f func(float64) float64) {
	out = out[:len(x)]
	for i, v := range x {
		out[i] = T(f(float64(v)))
	}
}

// geluGradOp is geluOp's backward op: inputs (x, dy), output dy·gelu'(x).
type geluGradOp struct{ Base }

// Type returns x → dy → dx.
func (geluGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

// InferShape returns the gradient's shape.
func (geluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[1]) }

// Do computes the input's gradient.
func (op geluGradOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	dy, err := dense(op, in[1])
	if err != nil {
		return nil, err
	}
	if !x.Shape().Eq(dy.Shape()) || x.Dtype() != dy.Dtype() {
		return nil, fmt.Errorf("%v: input %v %v and gradient %v %v differ", op, x.Dtype(), x.Shape(), dy.Dtype(), dy.Shape())
	}
	dx := tensor.New(tensor.Of(dy.Dtype()), tensor.WithShape(dy.Shape().Clone()...))
	if x.Dtype() == tensor.Float32 {
		geluGrad(data[float32](x), data[float32](dy), data[float32](dx))
	} else {
		geluGrad(data[float64](x), data[float64](dy), data[float64](dx))
	}
	return dx, nil
}

func geluGrad[T float](x, dy, dx []T) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		dx[i] = T(float64(dy[i]) * geluSlope(float64(v)))
	}
}
