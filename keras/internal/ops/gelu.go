package ops

import (
	"math"

	G "gorgonia.org/gorgonia"
)

// geluFuncs is Keras 3's default gelu (approximate=False): x·Φ(x) = x/2·(1 + erf(x/√2)), as one
// op with a hand-written gradient: Φ(x) + x·φ(x). Gorgonia has no erf; each value is computed
// in float64 for either dtype, so float32 results are the exact value rounded once.
var geluFuncs = &elementwiseFuncs{
	forward32: func(x, y []float32) { mapFloat(x, y, gelu) },
	forward64: func(x, y []float64) { mapFloat(x, y, gelu) },
	grad32:    geluGrad[float32],
	grad64:    geluGrad[float64],
	grad:      Base{Name: "gelu_grad", Params: "approximate=false", Inputs: 2},
}

// theGelu is the gelu op; it has no parameter.
var theGelu = elementwiseOp{Base{Name: "gelu", Params: "approximate=false", Inputs: 1}, geluFuncs}

// Gelu returns x·Φ(x), Φ the standard normal distribution function. x must be a float32 or
// float64 tensor.
func Gelu(x *G.Node) (*G.Node, error) { return applyElementwise(theGelu, x) }

// gelu is x·Φ(x).
func gelu(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }

// geluSlope is gelu's derivative, Φ(x) + x·φ(x).
func geluSlope(x float64) float64 {
	return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
}

func geluGrad[T float](x, dy, dx []T) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		dx[i] = T(float64(dy[i]) * geluSlope(float64(v)))
	}
}
