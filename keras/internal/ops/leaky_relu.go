package ops

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// leakyReluOp is x where x ≥ 0 and slope·x elsewhere, as one op with a hand-written gradient
// (leakyReluGradOp): 1 where x ≥ 0, slope elsewhere, so 1 at exactly 0 as JAX's
// jnp.where(x >= 0, x, slope * x) (Keras 3's leaky_relu) gives. Built from Gorgonia's
// Rectify as relu(x) − slope·relu(−x), the gradient at 0 would be 1 + slope, since Rectify's
// is 1 there on both sides; inputs of exactly 0 are common after a relu or zero padding.
type leakyReluOp struct {
	Base
	slope float64
}

var _ G.SDOp = leakyReluOp{}

// newLeakyReluOp names the slope in the hash, so two LeakyReLUs of different slopes on one
// node stay two nodes.
func newLeakyReluOp(slope float64) leakyReluOp {
	return leakyReluOp{Base{Name: "leaky_relu", Params: fmt.Sprintf("negative_slope=%v", slope), Inputs: 1}, slope}
}

// LeakyRelu returns x where x ≥ 0 and slope·x elsewhere, for any finite slope (max(x,
// slope·x) would hold only for slope ≤ 1). x must be a float32 or float64 tensor.
func LeakyRelu(x *G.Node, slope float64) (*G.Node, error) {
	op := newLeakyReluOp(slope)
	if math.IsNaN(slope) || math.IsInf(slope, 0) {
		return nil, fmt.Errorf("%v: the slope must be finite", op)
	}
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
func (leakyReluOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a) }

// DiffWRT: differentiable with respect to its one input.
func (leakyReluOp) DiffWRT(int) []bool { return []bool{true} }

// InferShape returns the input's shape.
func (leakyReluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[0]) }

// Do computes the values.
func (op leakyReluOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, err := dense(op, in[0])
	if err != nil {
		return nil, err
	}
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape().Clone()...))
	if x.Dtype() == tensor.Float32 {
		leakyRelu(data[float32](x), data[float32](out), float32(op.slope))
	} else {
		leakyRelu(data[float64](x), data[float64](out), op.slope)
	}
	return out, nil
}

// SymDiff adds the backward op, which reads the input (the output's sign does not tell x ≥ 0
// apart when the slope is 0) and the output's gradient.
func (op leakyReluOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	g := leakyReluGradOp{Base{Name: "leaky_relu_grad", Params: op.Params, Inputs: 2}, op.slope}
	dx, err := G.ApplyOp(g, in[0], grad)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	return G.Nodes{dx}, nil
}

func leakyRelu[T float](x, out []T, slope T) {
	out = out[:len(x)]
	for i, v := range x {
		if v >= 0 {
			out[i] = v
		} else {
			out[i] = slope * v // also NaN, which fails v ≥ 0, as in JAX
		}
	}
}

// leakyReluGradOp is leakyReluOp's backward op: inputs (x, dy), output dy where x ≥ 0 and
// slope·dy elsewhere.
type leakyReluGradOp struct {
	Base
	slope float64
}

// Type returns x → dy → dx.
func (leakyReluGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

// InferShape returns the gradient's shape.
func (leakyReluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return shapeOf(in[1]) }

// Do computes the input's gradient.
func (op leakyReluGradOp) Do(in ...G.Value) (_ G.Value, err error) {
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
		leakyReluGrad(data[float32](x), data[float32](dy), data[float32](dx), float32(op.slope))
	} else {
		leakyReluGrad(data[float64](x), data[float64](dy), data[float64](dx), op.slope)
	}
	return dx, nil
}

func leakyReluGrad[T float](x, dy, dx []T, slope T) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		if v >= 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = slope * dy[i]
		}
	}
}
