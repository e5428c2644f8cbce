package layers_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestActivityRegularizationTrainsAsKeras: a compiled model Keras wrote with
// ActivityRegularization(l1=0.05, l2=0.1) between two Dense layers loads in Go, and three SGD
// steps from it give Keras's losses (the penalty over the batch size included) and weights;
// Evaluate's loss includes the penalty too, as Keras's. Before layers could add to the loss
// the first step's loss was 0.907 against Keras's 1.078, and the weights drifted apart.
func TestActivityRegularizationTrainsAsKeras(t *testing.T) {
	var c struct {
		X, Y        any
		TrainLosses []float64 `json:"train_losses"`
		Evaluate    float64
		MSEOnly     float64 `json:"mse_only"`
		Weights     []any
	}
	readPrepJSON(t, "activity_regularization", &c)
	m, err := keras.LoadModel("testdata/prep/activity_regularization.keras")
	if err != nil {
		t.Fatal(err)
	}
	x, y := nestedTensor(t, c.X), nestedTensor(t, c.Y)
	for i, want := range c.TrainLosses {
		logs, err := m.TrainOnBatch(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if got := logs["loss"]; math.Abs(got-want) > 1e-5 {
			t.Errorf("step %d: loss %.7f, Keras %.7f", i+1, got, want)
		}
	}
	logs, err := m.Evaluate(x, y, keras.BatchSize(5), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if got := logs["loss"]; math.Abs(got-c.Evaluate) > 1e-5 {
		t.Errorf("evaluate loss %.7f, Keras %.7f (the mean squared error alone is %.7f)", got, c.Evaluate, c.MSEOnly)
	}
	ws := m.Weights()
	if len(ws) != len(c.Weights) {
		t.Fatalf("%d weights, Keras has %d", len(ws), len(c.Weights))
	}
	for i, w := range ws {
		if d := closeTensors(w, nestedTensor(t, c.Weights[i])); d > 1e-5 {
			t.Errorf("weight %d differs from Keras's by %g", i, d)
		}
	}
}

// TestActivityRegularization: the layer passes its input through and its config round-trips;
// its penalty's gradient reaches the layer before it (CheckGradients of a model whose only
// loss on the first Dense's kernel path runs through the penalty as well).
func TestActivityRegularization(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.ActivityRegularization(0.01, 0.02) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		Golden:       "testdata/kit/activity_regularization.json",
	})
	x := f64Input(4)
	h := layers.Dense(3, layers.Activation("tanh"), layers.DType("float64")).Call(x)
	h = layers.ActivityRegularization(0.3, 0.7, layers.DType("float64")).Call(h)
	out := layers.Dense(2, layers.DType("float64")).Call(h)
	m := gradModel(t, []*keras.Tensor{x}, out, "mse")
	kerastest.CheckGradients(t, m, kerastest.Float64(wave, 5, 4), targets(5, 2), kerastest.GradCheckOptions{})
	for _, bad := range [][2]float64{{-1, 0}, {0, math.NaN()}} {
		err := layers.ActivityRegularization(bad[0], bad[1]).Call(keras.Input(keras.Shape{2})).Err()
		if !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("l1, l2 = %v: got %v, want ErrInvalidArgument", bad, err)
		}
	}
}
