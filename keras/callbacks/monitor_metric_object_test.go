package callbacks_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/metrics"
	"gorgonia.org/tensor"
)

// TestMonitorMetricObjectDirection: in "auto" mode a metric object named by the user
// ("auc50") is watched in its own direction, as Keras's MonitorCallback reads _direction;
// a confusion count has none and is an error, as in Keras.
func TestMonitorMetricObjectDirection(t *testing.T) {
	in := keras.Input(keras.Shape{2})
	out := layers.Dense(1, layers.Activation("sigmoid")).Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	err = m.Compile("sgd", "binary_crossentropy", keras.MetricObjects(metrics.NewAUC(metrics.Name("auc50"), metrics.NumThresholds(50))),
		keras.WeightedMetricObjects(metrics.NewTruePositives()))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 1, 1, 0, 1, 1, 0, 0}))
	y := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float32{1, 0, 1, 0}))
	if _, err := m.Fit(x, y, keras.Verbose(0), keras.Callbacks(callbacks.EarlyStopping(callbacks.Monitor("auc50")))); err != nil {
		t.Fatalf("monitoring auc50: %v", err)
	}
	if _, err := m.Fit(x, y, keras.Verbose(0), keras.Callbacks(callbacks.EarlyStopping(callbacks.Monitor("true_positives")))); err == nil {
		t.Fatal("monitoring true_positives in auto mode: no error; Keras cannot tell its direction")
	}
}
