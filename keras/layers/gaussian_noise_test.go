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

// TestGaussianNoise: in inference the layer is the identity, as Keras's (the golden file).
func TestGaussianNoise(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.GaussianNoise(0.3) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}, {3, 2}}},
		NoGradients:  "the training loss depends on fresh noise every step",
		Golden:       "testdata/kit/gaussian_noise.json",
	})
}

// trainingLoss returns the mean squared error of layer l's training output on x against y,
// both constant vectors of n entries.
func trainingLoss(t *testing.T, l keras.Layer, n int, x, y float64) float64 {
	t.Helper()
	return trainingModel(t, l, keras.Shape{n})(x, y)
}

// trainingModel makes a model of l alone on float64 inputs of the given shape (batch
// excluded) and returns a function that computes, in its training graph, the mean squared
// error of its output for one sample of x against y, both constant: for a dropout layer on
// ones against zeros, the mean of mask². Each call draws fresh noise.
func trainingModel(t *testing.T, l keras.Layer, shape keras.Shape) func(x, y float64) float64 {
	t.Helper()
	in := keras.Input(shape, keras.DType("float64"))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(keras.CallOne(l, in)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatal(err)
	}
	full := append([]int{1}, shape...)
	return func(x, y float64) float64 {
		t.Helper()
		loss, _, err := m.Gradients(kerastest.Float64(func(int) float64 { return x }, full...), kerastest.Float64(func(int) float64 { return y }, full...))
		if err != nil {
			t.Fatal(err)
		}
		return loss
	}
}

// TestGaussianNoiseTrainingStatistics: in training, on zeros against zeros, the loss is the
// noise's mean square, stddev²; on ones against ones the same, so the noise is centred.
func TestGaussianNoiseTrainingStatistics(t *testing.T) {
	keras.SetRandomSeed(5)
	const n, sd = 4000, 0.5
	for _, x := range []float64{0, 1} {
		// mean(noise²) = sd² = 0.25; its standard error over 4000 entries is about 0.006.
		if loss := trainingLoss(t, layers.GaussianNoise(sd), n, x, x); math.Abs(loss-sd*sd) > 0.03 {
			t.Errorf("x = %v: training loss %v, want about %v", x, loss, sd*sd)
		}
	}
	// Against zeros, ones give 1 + sd²: the noise has mean 0, not merely the right spread.
	if loss := trainingLoss(t, layers.GaussianNoise(sd), n, 1, 0); math.Abs(loss-(1+sd*sd)) > 0.06 {
		t.Errorf("ones against zeros: training loss %v, want about %v", loss, 1+sd*sd)
	}
}

// TestGaussianNoiseConfig: Keras's range for stddev is enforced, and a saved seed loads.
func TestGaussianNoiseConfig(t *testing.T) {
	if err := layers.GaussianNoise(1.5).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("GaussianNoise(1.5): got %v, want ErrInvalidArgument", err)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "GaussianNoise", "config": map[string]any{"name": "g", "stddev": 0.1, "seed": 7.0}})
	if err != nil {
		t.Fatal(err)
	}
	in := keras.Input(keras.Shape{2})
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(keras.CallOne(l, in)))
	if err != nil {
		t.Fatal(err)
	}
	y, err := m.Predict(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{1, -2})), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if d := y[0].Data().([]float32); d[0] != 1 || d[1] != -2 {
		t.Errorf("Predict = %v, want the input", d)
	}
}
