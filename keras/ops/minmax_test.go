package ops_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMaximumSplitsTies: through a training step, the kit's Maximum gives each input half
// the gradient where the two are equal, as jax.grad of Keras 3's Maximum layer does; on
// Gorgonia's MaxBetween the first input took all of it. Inputs a = x + w0 = [0, 1] and b =
// x + w1 = [0, 2] for x = [0, 1]; every output's loss gradient is 1.
func TestMaximumSplitsTies(t *testing.T) {
	w := func(v ...float64) *tensor.Dense { return tensor.New(tensor.WithShape(1, 2), tensor.WithBacking(v)) }
	l := &fn{out: keras.Shape{-1, 2}, weights: []*tensor.Dense{w(0, 0), w(0, 1)},
		f: func(o *ops.Builder, in, w []*G.Node) *G.Node {
			return o.Maximum(o.Add(in[0], w[0]), o.Add(in[0], w[1]))
		}}
	l.Init("Fn", "")
	in := keras.Input(keras.Shape{2}, keras.DType("float64"))
	m, err := keras.NewModel([]*keras.Tensor{in}, keras.Outputs(keras.CallOne(l, in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	// Outputs [0, 2]; targets 1 below them make each output's mse gradient 2·1/2 = 1.
	_, grads, err := m.Gradients(w(0, 1), w(-1, 1))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]float64{{0.5, 0}, {0.5, 1}} {
		got := grads[i].Data().([]float64)
		if got[0] != want[0] || got[1] != want[1] {
			t.Errorf("gradient of w%d = %v, want %v", i, got, want)
		}
	}
}
