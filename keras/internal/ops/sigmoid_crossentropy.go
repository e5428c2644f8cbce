package ops

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SigmoidCrossEntropy returns, value by value, the binary cross-entropy of the targets y
// against sigmoid(logits), computed from the logits z as softplus(z) − y·z, which is finite
// for every z. It is one op with a hand-written gradient: the chain it replaces (Gorgonia's
// Softplus, HadamardProd and Sub, and backward Neg, two HadamardProds, Sigmoid and Add)
// allocated tensors and shape bookkeeping in every op on every run, and computed a gradient
// for the targets that nothing reads. The arithmetic is that chain's, rounded at the same
// points, so results are bit for bit the same:
//
//   - forward: softplus(z) with Gorgonia's cut-offs and float64 log1p(exp(z)) (gorgonia
//     v0.9.18 math.go), minus the product y·z rounded on its own;
//   - backward, for the loss's gradient g: y·(−g) + sigmoid(z)·g, each product rounded on
//     its own, the sigmoid as Gorgonia's (sigmoid.go).
//
// logits and y must have one shape and one float dtype. The targets get no gradient.
func SigmoidCrossEntropy(logits, y *G.Node) (*G.Node, error) {
	op := sigmoidXentOp{Base{Name: "sigmoid_cross_entropy", Inputs: 2}}
	if logits.IsScalar() || (logits.Dtype() != tensor.Float32 && logits.Dtype() != tensor.Float64) {
		return nil, fmt.Errorf("%v: logits %v are a %v %v, want a float32 or float64 tensor", op, logits.Name(), logits.Dtype(), logits.Shape())
	}
	if err := checkTargets(op, "logits", logits, y); err != nil {
		return nil, err
	}
	n, err := G.ApplyOp(op, logits, y)
	if err != nil {
		return nil, fmt.Errorf("%v of %v: %w", op, logits.Name(), err)
	}
	return n, nil
}

// sigmoidXentOp is SigmoidCrossEntropy: inputs logits and targets, output the loss of every
// value.
type sigmoidXentOp struct{ Base }

var _ G.SDOp = sigmoidXentOp{}

// Type returns a → a → a.
func (sigmoidXentOp) Type() hm.Type { a := hm.TypeVariable('a'); return hm.NewFnType(a, a, a) }

// InferShape returns the logits' shape.
func (op sigmoidXentOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(in))
	}
	return shapeOf(in[0])
}

// Do computes the loss into a new tensor.
func (op sigmoidXentOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the loss into prealloc; every element is written.
func (op sigmoidXentOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op sigmoidXentOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	z, y, err := sameShaped(op, in, 2)
	if err != nil {
		return nil, err
	}
	out, err := output(op, prealloc, z.Dtype(), z.Shape())
	if err != nil {
		return nil, err
	}
	if z.Dtype() == tensor.Float32 {
		sigmoidXent(data[float32](z), data[float32](y), data[float32](out), softplusOf32)
	} else {
		sigmoidXent(data[float64](z), data[float64](y), data[float64](out), softplusOf64)
	}
	return out, nil
}

// sameShaped reads the first two of n inputs, float tensors of one shape and dtype.
func sameShaped[O fmt.Stringer](op O, in []G.Value, n int) (a, b *tensor.Dense, err error) {
	if len(in) != n {
		return nil, nil, fmt.Errorf("%v takes %d inputs, got %d", op, n, len(in))
	}
	if a, err = dense(op, in[0]); err != nil {
		return nil, nil, err
	}
	if b, err = dense(op, in[1]); err != nil {
		return nil, nil, err
	}
	if !a.Shape().Eq(b.Shape()) || a.Dtype() != b.Dtype() {
		return nil, nil, fmt.Errorf("%v: inputs %v %v and %v %v: want one shape and one dtype", op, a.Shape(), a.Dtype(), b.Shape(), b.Dtype())
	}
	return a, b, nil
}

func sigmoidXent[T float](z, y, out []T, softplus func(T) T) {
	y, out = y[:len(z)], out[:len(z)]
	for i, v := range z {
		// The conversion rounds the product on its own, as Gorgonia's HadamardProd does,
		// and keeps the compiler from fusing it into the subtraction.
		out[i] = softplus(v) - T(y[i]*v)
	}
}

// softplusOf32 is log(1+exp(x)) for float32 x: 0 below −103, x above 14, else computed in
// float64 and rounded, as Gorgonia's _softplusf32.
func softplusOf32(x float32) float32 {
	switch {
	case x < -103:
		return 0
	case x > 14:
		return x
	}
	return float32(math.Log1p(math.Exp(float64(x))))
}

// softplusOf64 is log(1+exp(x)) for float64 x: 0 below −708, x above 16, as Gorgonia's
// _softplusf64.
func softplusOf64(x float64) float64 {
	switch {
	case x < -708:
		return 0
	case x > 16:
		return x
	}
	return math.Log1p(math.Exp(x))
}

// DiffWRT: differentiable with respect to the logits, not the targets.
func (sigmoidXentOp) DiffWRT(int) []bool { return []bool{true, false} }

// SymDiff adds the backward op on the logits, the targets and the loss's gradient.
func (op sigmoidXentOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v takes 2 inputs, got %d", op, len(in))
	}
	g := sigmoidXentGradOp{Base{Name: op.Name + "_grad", Inputs: 3}}
	dz, err := G.ApplyOp(g, in[0], in[1], grad)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", g, err)
	}
	return G.Nodes{dz, nil}, nil
}

// sigmoidXentGradOp is sigmoidXentOp's backward op: inputs logits, targets and the loss's
// gradient, all of one shape; output the logits' gradient.
type sigmoidXentGradOp struct{ Base }

// Type returns a → a → a → a.
func (sigmoidXentGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}

// InferShape returns the logits' shape.
func (op sigmoidXentGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v takes 3 inputs, got %d", op, len(in))
	}
	return shapeOf(in[0])
}

// Do computes the logits' gradient into a new tensor.
func (op sigmoidXentGradOp) Do(in ...G.Value) (G.Value, error) { return op.do(nil, in) }

// UsePreallocDo computes the logits' gradient into prealloc; every element is written.
func (op sigmoidXentGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	return op.do(prealloc, in)
}

func (op sigmoidXentGradOp) do(prealloc G.Value, in []G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	z, y, err := sameShaped(op, in, 3)
	if err != nil {
		return nil, err
	}
	g, err := dense(op, in[2])
	if err != nil {
		return nil, err
	}
	if !g.Shape().Eq(z.Shape()) || g.Dtype() != z.Dtype() {
		return nil, fmt.Errorf("%v: loss gradient %v %v for logits %v %v", op, g.Shape(), g.Dtype(), z.Shape(), z.Dtype())
	}
	dz, err := output(op, prealloc, z.Dtype(), z.Shape())
	if err != nil {
		return nil, err
	}
	if z.Dtype() == tensor.Float32 {
		sigmoidXentGrad(data[float32](z), data[float32](y), data[float32](g), data[float32](dz), sigmoidOf32)
	} else {
		sigmoidXentGrad(data[float64](z), data[float64](y), data[float64](g), data[float64](dz), sigmoidOf64)
	}
	return dz, nil
}

func sigmoidXentGrad[T float](z, y, g, dz []T, sigmoid func(T) T) {
	y, g, dz = y[:len(z)], g[:len(z)], dz[:len(z)]
	for i, v := range z {
		// Both products rounded on their own before the sum, as the chain's HadamardProds
		// and Add round them.
		dz[i] = T(y[i]*-g[i]) + T(sigmoid(v)*g[i])
	}
}
