package keras_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// Issue 14: the digits MLP on unscaled pixels (0..256) makes logits in the hundreds. With
// Gorgonia's softmax kernels a row whose logits lay ~88 below its batch's first logit became
// 0/0. On this run (seed 42) that made, before kerago had its own ops: after 80 steps, with
// finite weights, Evaluate on the training rows gave 8.896 at batch size 1 and NaN at batch
// size 32; step 81's training loss was NaN, and the weights with it. Keras on JAX stays
// finite; so must kerago, and a loss must not depend on how its rows are batched.
func TestUnscaledDigitsMLPStaysFinite(t *testing.T) {
	keras.SetRandomSeed(42)
	xTrain, yTrain, xTest, yTest := digits(t)
	for _, x := range []*tensor.Dense{xTrain, xTest} {
		px := x.Data().([]float32)
		for i := range px {
			px[i] *= 256 // back to the raw 0..16 pixels, times 16
		}
	}
	in := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu")).Call(in)
	h = layers.Dense(32, layers.Activation("relu")).Call(h)
	out := layers.Dense(10, layers.Activation("softmax")).Call(h)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("adam", "categorical_crossentropy"); err != nil {
		t.Fatal(err)
	}
	const batch = 32
	step := 0
	stopAt80 := callbacks.Lambda(callbacks.LambdaHooks{OnTrainBatchEnd: func(_ int, logs keras.Logs) error {
		if step++; step == 80 {
			m.SetStopTraining(true)
		}
		return nil
	}})
	if _, err := m.Fit(xTrain, yTrain, keras.Epochs(2), keras.BatchSize(batch), keras.Verbose(0), keras.Callbacks(stopAt80)); err != nil {
		t.Fatal(err)
	}
	evaluateAtBatchSizes(t, m, xTrain, yTrain, 1, batch, xTrain.Shape()[0])
	hist, err := m.Fit(xTrain, yTrain, keras.Epochs(3), keras.BatchSize(batch), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for e, l := range hist.History["loss"] {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			t.Fatalf("epoch %d: training loss %v", e+1, l)
		}
	}
	t.Logf("training loss per epoch %v", hist.History["loss"])
	evaluateAtBatchSizes(t, m, xTest, yTest, 1, batch, xTest.Shape()[0])
}

// evaluateAtBatchSizes checks that Evaluate's loss is finite and the same (to float32
// rounding) at every batch size.
func evaluateAtBatchSizes(t *testing.T, m *keras.Model, x, y *tensor.Dense, sizes ...int) {
	t.Helper()
	var first float64
	for i, bs := range sizes {
		logs, err := m.Evaluate(x, y, keras.BatchSize(bs), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		l := logs["loss"]
		t.Logf("evaluate loss at batch size %d: %.9g", bs, l)
		if math.IsNaN(l) || math.IsInf(l, 0) {
			t.Errorf("evaluate loss %v at batch size %d", l, bs)
		}
		if i == 0 {
			first = l
		} else if math.Abs(l-first) > 1e-5*math.Max(1, math.Abs(first)) {
			t.Errorf("evaluate loss %v at batch size %d, %v at batch size %d", l, bs, first, sizes[0])
		}
	}
}
