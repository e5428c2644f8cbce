package ops

import (
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The sigmoid activation is one op with a hand-written gradient, computing exactly what
// Gorgonia's Sigmoid computes: the same cut-offs and the same float64 exponential for either
// dtype (gorgonia v0.9.18 math_nooptim.go, the build without the fastmath tag), and the
// same gradient. That gradient is y ⊙ (1 − y) ⊙ dy as Gorgonia writes it (sigmoidDiffExpr),
// but its stabiliser rewrites 1 − sigmoid(x) into sigmoid(−x) (stabilization.go), so what it
// computes is (sigmoid(x) ⊙ sigmoid(−x)) ⊙ dy, each product rounded: where sigmoid(x)
// rounds to 1 (x > 15 in float32) the gradient is still sigmoid(−x)·dy, not 0. Gorgonia's
// element-wise unary op allocates a new tensor and shape bookkeeping on every run (about 10
// allocations a step for the sigmoid output of the Conv1D text model); this op writes into
// the machine's memory (UsePreallocDo).

var sigmoidFuncs = &elementwiseFuncs{
	forward32: sigmoid32,
	forward64: sigmoid64,
	grad32:    func(x, dy, dx []float32) { sigmoidGrad(x, dy, dx, sigmoidOf32) },
	grad64:    func(x, dy, dx []float64) { sigmoidGrad(x, dy, dx, sigmoidOf64) },
	grad:      Base{Name: "sigmoidGrad", Inputs: 2},
}

// theSigmoid and theSigmoidGrad are the sigmoid's two ops; neither has a parameter.
var (
	theSigmoid     = elementwiseOp{Base{Name: "sigmoid", Inputs: 1}, sigmoidFuncs}
	theSigmoidGrad = theSigmoid.gradOp()
)

// sigmoidOf32 is 1/(1+exp(−x)) for float32 x: 0 below −88, 1 above 15, else computed in
// float64 and rounded, as Gorgonia's _sigmoidf32.
func sigmoidOf32(x float32) float32 {
	switch {
	case x < -88:
		return 0
	case x > 15:
		return 1
	}
	return float32(1 / (1 + math.Exp(float64(-x))))
}

// sigmoidOf64 is 1/(1+exp(−x)) for float64 x: 0 below −709, 1 above 19, as Gorgonia's
// _sigmoidf64.
func sigmoidOf64(x float64) float64 {
	switch {
	case x < -709:
		return 0
	case x > 19:
		return 1
	}
	return 1 / (1 + math.Exp(-x))
}

func sigmoid32(x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = sigmoidOf32(v)
	}
}

func sigmoid64(x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = sigmoidOf64(v)
	}
}

// sigmoidGrad sets dx = (sigmoid(x) ⊙ sigmoid(−x)) ⊙ dy from the input x, each product
// rounded to T in that order, as Gorgonia's stabilised sigmoid gradient computes it.
func sigmoidGrad[T float](x, dy, dx []T, sigmoid func(T) T) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		d := T(sigmoid(v) * sigmoid(-v))
		dx[i] = d * dy[i]
	}
}

// Sigmoid is the "sigmoid" activation: the sigmoid op on float tensors, Gorgonia's Sigmoid
// on anything else (a scalar).
func Sigmoid(x *G.Node) (*G.Node, error) {
	if x.IsScalar() || (x.Dtype() != tensor.Float32 && x.Dtype() != tensor.Float64) {
		return G.Sigmoid(x)
	}
	return applyElementwise(theSigmoid, x)
}
