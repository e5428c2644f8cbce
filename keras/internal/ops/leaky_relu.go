package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// newLeakyReluOp is x where x ≥ 0 and slope·x elsewhere, as one op with a hand-written
// gradient: 1 where x ≥ 0, slope elsewhere, so 1 at exactly 0 as JAX's
// jnp.where(x >= 0, x, slope * x) (Keras 3's leaky_relu) gives. Built from Gorgonia's
// Rectify as relu(x) − slope·relu(−x), the gradient at 0 would be 1 + slope, since Rectify's
// is 1 there on both sides; inputs of exactly 0 are common after a relu or zero padding.
// The gradient reads the input: the output's sign does not tell x ≥ 0 apart when the slope
// is 0. The slope is named in the hash, so two LeakyReLUs of different slopes on one node
// stay two nodes.
func newLeakyReluOp(slope float64) elementwiseOp {
	params := fmt.Sprintf("negative_slope=%v", slope)
	s32 := float32(slope)
	return elementwiseOp{Base{Name: "leaky_relu", Params: params, Inputs: 1}, &elementwiseFuncs{
		forward32: func(x, y []float32) { leakyRelu(x, y, s32) },
		forward64: func(x, y []float64) { leakyRelu(x, y, slope) },
		grad32:    func(x, dy, dx []float32) { leakyReluGrad(x, dy, dx, s32) },
		grad64:    func(x, dy, dx []float64) { leakyReluGrad(x, dy, dx, slope) },
		grad:      Base{Name: "leaky_relu_grad", Params: params, Inputs: 2},
	}}
}

// LeakyRelu returns x where x ≥ 0 and slope·x elsewhere, for any finite slope (max(x,
// slope·x) would hold only for slope ≤ 1). x must be a float32 or float64 tensor.
func LeakyRelu(x *G.Node, slope float64) (*G.Node, error) {
	op := newLeakyReluOp(slope)
	if math.IsNaN(slope) || math.IsInf(slope, 0) {
		return nil, fmt.Errorf("%v: the slope must be finite", op)
	}
	return applyElementwise(op, x)
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

// leakyReluGrad is dy where x ≥ 0 and slope·dy elsewhere.
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
