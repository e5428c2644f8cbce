package keras_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestOutputsOfOneLayerHaveTheirOwnTargets: a layer called twice (weights shared by two
// branches) gives two model outputs of one name and shape. Their target inputs were named
// after the output's name alone, and Gorgonia merged the two into one node, so both outputs
// trained against the same targets: Gradients with the model's own predictions as targets
// gave a loss of 1.97 instead of 0, and a weighted Evaluate 2.17.
func TestOutputsOfOneLayerHaveTheirOwnTargets(t *testing.T) {
	keras.SetRandomSeed(5)
	a, b := keras.Input(keras.Shape{3}), keras.Input(keras.Shape{3})
	shared := layers.Dense(2)
	m, err := keras.NewModel(keras.Inputs(a, b), keras.Outputs(shared.Call(a), shared.Call(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	x := []*tensor.Dense{
		tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, -1, 0, 1})),
		tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{4, 5, 6, 2, -3, 1})),
	}
	y, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss, _, err := m.Gradients(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if loss != 0 {
		t.Errorf("Gradients against the model's own predictions: loss %g, want 0", loss)
	}
	logs, err := m.Evaluate(x, y, keras.Verbose(0), keras.SampleWeight([]float32{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	if l := logs["loss"]; math.Abs(l) > 1e-12 {
		t.Errorf("weighted Evaluate against the model's own predictions: loss %g, want 0", l)
	}
}
