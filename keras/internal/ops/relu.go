package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The relu activation is one op with a hand-written gradient. Gorgonia's Rectify builds
// x ⊙ (x ≥ 0): a comparison and a product forward and their gradients backward, each a pass
// over the tensor with its own allocation, which profiles of the MLP step showed as 13% of
// Predict. The gradient at exactly 0 is 0, as in JAX (Keras 3's backend here) and
// TensorFlow; Rectify's is 1.
//
// With a threshold θ ≥ 0 the same op computes Keras's thresholded relu, x where x > θ and 0
// elsewhere: its output is positive exactly where x > θ, so the gradient, which reads the
// output, serves it unchanged.

// reluFuncs returns relu's kernels for threshold θ; every threshold shares one backward op.
func reluFuncs(threshold float64) *elementwiseFuncs {
	t32 := float32(threshold)
	return &elementwiseFuncs{
		forward32:  func(x, y []float32) { relu(x, y, t32) },
		forward64:  func(x, y []float64) { relu(x, y, threshold) },
		grad32:     reluGrad[float32],
		grad64:     reluGrad[float64],
		fromOutput: true,
		grad:       Base{Name: "reluGrad", Inputs: 2},
	}
}

// theRelu and theReluGrad are relu's two ops; neither has a parameter.
var (
	theRelu     = elementwiseOp{Base{Name: "relu", Inputs: 1}, reluFuncs(0)}
	theReluGrad = theRelu.gradOp()
)

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

// reluGrad passes the gradient dy where relu's output y is positive, 0 elsewhere.
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
	op := elementwiseOp{Base{Name: "thresholded_relu", Params: fmt.Sprintf("threshold=%v", threshold), Inputs: 1}, reluFuncs(threshold)}
	return G.ApplyOp(op, x)
}
