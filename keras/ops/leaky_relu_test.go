package ops_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestLeakyReluGradient: the gradient the kit's LeakyRelu passes back through a training step
// is 1 where the input is exactly 0, as jax.grad of Keras 3's LeakyReLU gives ([1, slope, 1]
// at [0, -1, 1]); built on Gorgonia's Rectify it was 1 + slope there.
func TestLeakyReluGradient(t *testing.T) {
	l := &fn{out: keras.Shape{-1, 3}, weights: []*tensor.Dense{tensor.New(tensor.WithShape(1, 3), tensor.Of(tensor.Float64))},
		f: func(o *ops.Builder, in, w []*G.Node) *G.Node { return o.LeakyRelu(o.Add(in[0], w[0]), 0.2) }}
	l.Init("Fn", "")
	in := keras.Input(keras.Shape{3}, keras.DType("float64"))
	m, err := keras.NewModel([]*keras.Tensor{in}, keras.Outputs(keras.CallOne(l, in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{0, -1, 1}))
	// Targets 1 below the outputs [0, -0.2, 1]: every output's loss gradient is 2/3.
	y := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{-1, -1.2, 0}))
	_, grads, err := m.Gradients(x, y)
	if err != nil {
		t.Fatal(err)
	}
	got := grads[0].Data().([]float64)
	want := []float64{2.0 / 3, 0.2 * 2 / 3, 2.0 / 3}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("gradient %v, want %v", got, want)
		}
	}
}
