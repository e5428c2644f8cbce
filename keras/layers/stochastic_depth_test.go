package layers_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// TestStochasticDepth: ConvNeXt's StochasticDepth is the identity at inference (the golden
// file is Keras's predictions on the Go-written model, which needs the module), with its
// config and module as Keras writes them.
func TestStochasticDepth(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.StochasticDepth(0.3) },
		InputShapes:  []keras.Shape{{3, 2, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2, 4}},
		BadInputs:    [][]keras.Shape{{{3, 2, 4}, {3, 2, 4}}},
		Golden:       "testdata/kit/stochastic_depth.json",
		NoGradients:  "the training loss depends on a fresh random mask every step",
	})
	for _, rate := range []float64{-0.1, 1, math.NaN()} {
		if err := layers.StochasticDepth(rate).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("drop_path_rate %v: got %v, want ErrInvalidArgument", rate, err)
		}
	}
}

// TestStochasticDepthDropsWholeSamples: in training a sample's whole branch is kept (scaled
// by 1/(1-rate)) or dropped, never single entries: on one sample of 64 ones, the mean
// squared output is exactly 0 or 1/(1-rate)², and over 40 steps both happen.
func TestStochasticDepthDropsWholeSamples(t *testing.T) {
	keras.SetRandomSeed(5)
	const n, rate = 64, 0.5
	in := keras.Input(keras.Shape{n}, keras.DType("float64"))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.StochasticDepth(rate).Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatal(err)
	}
	ones := kerastest.Float64(func(int) float64 { return 1 }, 1, n)
	zeros := tensor.New(tensor.WithShape(1, n), tensor.Of(tensor.Float64))
	kept := 0
	const steps = 40
	for i := 0; i < steps; i++ {
		loss, _, err := m.Gradients(ones, zeros)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case math.Abs(loss-1/((1-rate)*(1-rate))) < 1e-12:
			kept++
		case loss != 0:
			t.Fatalf("step %d: training loss %v, want 0 (dropped) or %v (kept)", i, loss, 1/((1-rate)*(1-rate)))
		}
	}
	if kept < 8 || kept > steps-8 {
		t.Errorf("kept %d of %d samples at rate %v", kept, steps, rate)
	}
}
