package callbacks

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// testModel returns a small compiled model (Dense 2→1) with the metrics the golden script's
// fake model declares, and an SGD optimizer at lr.
func testModel(t testing.TB, lr float64) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{2})
	out := layers.Dense(1, layers.Activation("sigmoid")).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(optimizers.LearningRate(lr)), "binary_crossentropy",
		keras.Metrics("acc", "accuracy", "mse", "mae")); err != nil {
		t.Fatal(err)
	}
	return m
}

// markWeights fills every weight of m with v, so the test can tell which epoch's weights
// the model holds.
func markWeights(t testing.TB, m *keras.Model, v float64) {
	t.Helper()
	var ws []*tensor.Dense
	for _, w := range m.Weights() {
		c := w.Clone().(*tensor.Dense)
		for i := range c.Data().([]float32) {
			c.Data().([]float32)[i] = float32(v)
		}
		ws = append(ws, c)
	}
	if err := m.SetWeights(ws); err != nil {
		t.Fatal(err)
	}
}

func weightMark(m *keras.Model) float64 { return float64(m.Weights()[0].Data().([]float32)[0]) }

// script drives cb through epochs as Fit does (train begin, per epoch: begin, batches, end,
// stop check; train end), with monitor values from seq: before each epoch end the model's
// weights are all set to epoch+1, so weightMark tells which epoch's weights the model holds.
// It returns the number of epochs run and the first error.
func script(t testing.TB, cb keras.Callback, m *keras.Model, key string, seq []float64, batches int) (int, error) {
	t.Helper()
	cb.SetModel(m)
	m.SetStopTraining(false)
	if err := cb.OnTrainBegin(keras.Logs{}); err != nil {
		return 0, err
	}
	last := keras.Logs{}
	run := 0
	for epoch, v := range seq {
		markWeights(t, m, float64(epoch+1))
		if err := cb.OnEpochBegin(epoch, keras.Logs{}); err != nil {
			return run, err
		}
		for b := range batches {
			if err := cb.OnTrainBatchBegin(b, keras.Logs{}); err != nil {
				return run, err
			}
			if err := cb.OnTrainBatchEnd(b, keras.Logs{"loss": v}); err != nil {
				return run, err
			}
		}
		logs := keras.Logs{key: v, "loss": v}
		if err := cb.OnEpochEnd(epoch, logs); err != nil {
			return run, err
		}
		run++
		last = logs
		if m.StopTraining() {
			break
		}
	}
	return run, cb.OnTrainEnd(last)
}

// fill returns a float32 tensor of the given shape filled by f(i).
func fill(f func(i int) float32, shape ...int) *tensor.Dense {
	n := 1
	for _, s := range shape {
		n *= s
	}
	d := make([]float32, n)
	for i := range d {
		d[i] = f(i)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}
