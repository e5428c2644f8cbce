package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

func TestDropout(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Dropout(0.4) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}, {3, 2}}},
		NoGradients:  "the training loss depends on a fresh random mask every step",
	})
}

// TestDropoutTrainingScales: in the training graph, a fraction rate of the entries is zeroed
// and the rest scaled by 1/(1-rate), so the mean of (dropout(1))² over many entries is
// 1/(1-rate); at inference the layer is the identity (the kit's saving check predicts).
func TestDropoutTrainingScales(t *testing.T) {
	keras.SetRandomSeed(3)
	const n, rate = 4000, 0.5
	in := keras.Input(keras.Shape{n}, keras.DType("float64"))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dropout(rate).Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatal(err)
	}
	ones := kerastest.Float64(func(int) float64 { return 1 }, 1, n)
	zeros := tensor.New(tensor.WithShape(1, n), tensor.Of(tensor.Float64))
	loss, _, err := m.Gradients(ones, zeros)
	if err != nil {
		t.Fatal(err)
	}
	// mean(mask²) = keep·(1/keep)² = 2; its standard error over 4000 entries is about 0.03.
	if want := 1 / (1 - rate); math.Abs(loss-want) > 0.15 {
		t.Errorf("training loss %v, want about %v", loss, want)
	}
}

// TestDropoutNoiseShape: with noise_shape (None, 1, 1) Keras's Dropout keeps or drops each
// sample's entries together, as EfficientNet's blocks use it. The config round-trips and
// Keras loads the Go-written file (golden: identity at inference); in training, on one
// sample of 2×32 ones, the mean squared output is exactly 0 or 1/(1-rate)², and both occur.
func TestDropoutNoiseShape(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Dropout(0.2, layers.NoiseShape(keras.Shape{keras.None, 1, 1})) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3}}, {{3, 2}, {3, 2}}},
		Golden:       "testdata/kit/dropout_noise_shape.json",
		NoGradients:  "the training loss depends on a fresh random mask every step",
	})
	keras.SetRandomSeed(7)
	const rate = 0.5
	in := keras.Input(keras.Shape{2, 32}, keras.DType("float64"))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dropout(rate, layers.NoiseShape(keras.Shape{keras.None, 1, 1})).Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatal(err)
	}
	ones := kerastest.Float64(func(int) float64 { return 1 }, 1, 2, 32)
	zeros := tensor.New(tensor.WithShape(1, 2, 32), tensor.Of(tensor.Float64))
	kept, steps := 0, 40
	for i := 0; i < steps; i++ {
		loss, _, err := m.Gradients(ones, zeros)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case math.Abs(loss-1/((1-rate)*(1-rate))) < 1e-12:
			kept++
		case loss != 0:
			t.Fatalf("step %d: training loss %v: the sample was dropped in part", i, loss)
		}
	}
	if kept < 8 || kept > steps-8 {
		t.Errorf("kept %d of %d samples at rate %v", kept, steps, rate)
	}
}
