package optimizers

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// w0 and steps are the starting weights and the gradients of three steps used by the
// reference sequences. The weights are split into two parameters of shapes (3) and (1, 1).
var (
	w0    = []float64{1.0, -2.0, 3.0, 0.5}
	steps = [][]float64{
		{0.1, -0.2, 0.3, -0.4},
		{0.5, 0.25, -0.125, 1.0},
		{-0.3, 0.7, 0.0, 0.2},
	}
)

// split turns 4 values into the two parameters (3) and (1, 1) of the given dtype.
func split(vals []float64, dt tensor.Dtype) []*tensor.Dense {
	return []*tensor.Dense{dense(dt, vals[:3], 3), dense(dt, vals[3:], 1, 1)}
}

// dense makes a tensor of dtype dt from float64 values.
func dense(dt tensor.Dtype, vals []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		d := make([]float32, len(vals))
		for i, v := range vals {
			d[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
}

// values flattens float tensors into float64s.
func values(ts ...*tensor.Dense) []float64 {
	var out []float64
	for _, t := range ts {
		switch t.Dtype() {
		case tensor.Float32:
			for _, v := range t.Float32s() {
				out = append(out, float64(v))
			}
		default:
			out = append(out, t.Float64s()...)
		}
	}
	return out
}

// assertClose fails unless got and want agree to rel (relative to |want|, at least abs).
func assertClose(t *testing.T, what string, got, want []float64, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		tol := math.Max(rel*math.Abs(want[i]), abs)
		if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol {
			t.Errorf("%s[%d] = %.10g, want %.10g (tolerance %.2g)", what, i, got[i], want[i], tol)
		}
	}
}

// variant is one optimizer configuration under test.
type variant struct {
	name string
	make func() Optimizer
}

// variants covers every optimizer and every option that changes the update rule or state.
var variants = []variant{
	{"sgd", func() Optimizer { return SGD() }},
	{"sgd momentum", func() Optimizer { return SGD(LearningRate(0.1), Momentum(0.9)) }},
	{"sgd nesterov", func() Optimizer { return SGD(LearningRate(0.1), Momentum(0.9), Nesterov(true)) }},
	{"adam", func() Optimizer { return Adam() }},
	{"adam amsgrad", func() Optimizer { return Adam(LearningRate(0.01), AMSGrad(true)) }},
	{"adamw", func() Optimizer { return AdamW() }},
	{"lion", func() Optimizer { return Lion(WeightDecay(0.01)) }},
	{"adadelta", func() Optimizer { return Adadelta(WeightDecay(0.01)) }},
	{"nadam", func() Optimizer { return Nadam(WeightDecay(0.01)) }},
	{"adam clipnorm", func() Optimizer { return Adam(ClipNorm(0.5)) }},
	{"sgd global_clipnorm", func() Optimizer { return SGD(GlobalClipNorm(0.5)) }},
	{"rmsprop clipvalue", func() Optimizer { return RMSprop(ClipValue(0.1)) }},
	{"ftrl", func() Optimizer { return Ftrl(L1RegularizationStrength(0.01), Beta(0.1), WeightDecay(0.01)) }},
	{"adamax", func() Optimizer { return Adamax(WeightDecay(0.01)) }},
	{"sgd momentum weight_decay", func() Optimizer { return SGD(Momentum(0.9), WeightDecay(0.1)) }},
	{"rmsprop", func() Optimizer { return RMSprop() }},
	{"rmsprop momentum", func() Optimizer { return RMSprop(LearningRate(0.01), Rho(0.8), Momentum(0.5)) }},
	{"rmsprop centered momentum", func() Optimizer {
		return RMSprop(LearningRate(0.01), Momentum(0.9), Centered(true))
	}},
	{"adagrad", func() Optimizer { return Adagrad() }},
}

var dtypes = []tensor.Dtype{tensor.Float32, tensor.Float64}
