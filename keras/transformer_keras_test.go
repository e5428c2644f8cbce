package keras_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"gorgonia.org/tensor"
)

// A Transformer encoder block as the Keras guide writes it (token and position embeddings,
// MultiHeadAttention, Add and LayerNormalization, a feed-forward pair, global average
// pooling, softmax), written by Keras 3 with seeded weights:
// keras/testdata/transformer/transformer.py made the files. The saving zoo's "transformer"
// case (saving_zoo_test.go) has Keras load the same block saved by kerago, in the run of
// Python that TestKerasLoadsGoFiles makes anyway.

var transformerDir = filepath.Join("testdata", "transformer")

type transformerGolden struct {
	Keras       string      `json:"keras"`
	Inputs      []arraySpec `json:"inputs"`
	Labels      arraySpec   `json:"labels"`
	Predictions arraySpec   `json:"predictions"`
	Loss        float64     `json:"loss"`
	After       []arraySpec `json:"weights_after_step"`
}

func readTransformer(t *testing.T) (transformerGolden, []*tensor.Dense) {
	t.Helper()
	var g transformerGolden
	testenv.ReadJSON(t, filepath.Join(transformerDir, "transformer.json"), &g,
		"KERAS_BACKEND=jax python3 keras/testdata/transformer/transformer.py write")
	var xs []*tensor.Dense
	for _, s := range g.Inputs {
		xs = append(xs, s.tensor())
	}
	return g, xs
}

// TestTransformerKerasPredicts: the Keras-written block loads and predicts what Keras
// predicted.
func TestTransformerKerasPredicts(t *testing.T) {
	g, xs := readTransformer(t)
	m, err := keras.LoadModel(filepath.Join(transformerDir, "transformer.keras"))
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	got, err := m.Predict(xs, keras.Verbose(0))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	d := maxDiff(t, "predictions", []*tensor.Dense{g.Predictions.tensor()}, got)
	t.Logf("predictions: max difference from Keras %s's %g", g.Keras, d)
	if !(d <= kerasTolerance) {
		t.Errorf("predictions differ from Keras's by %g (tolerance %g)", d, kerasTolerance)
	}
}

// TestTransformerKerasSGDStep: one SGD step (learning rate 0.1, the compile config Keras
// saved) on the whole batch from Keras's weights gives Keras's loss and Keras's weights,
// which checks the gradient through every layer of the block, attention included.
func TestTransformerKerasSGDStep(t *testing.T) {
	g, xs := readTransformer(t)
	m, err := keras.LoadModel(filepath.Join(transformerDir, "transformer.keras"))
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	before := m.Weights()
	logs, err := m.TrainOnBatch(xs, g.Labels.tensor())
	if err != nil {
		t.Fatalf("TrainOnBatch: %v", err)
	}
	if d := math.Abs(logs["loss"] - g.Loss); !(d <= kerasTolerance) {
		t.Errorf("loss %v, Keras's %v", logs["loss"], g.Loss)
	}
	var want []*tensor.Dense
	for _, s := range g.After {
		want = append(want, s.tensor())
	}
	// the step must move the weights far more than the tolerance, or the check could not fail
	moved := maxDiff(t, "the step", want, before)
	t.Logf("Keras's step moved the weights by up to %g", moved)
	if !(moved > 100*kerasTolerance) {
		t.Fatalf("Keras's step moved the weights by %g only", moved)
	}
	d := maxDiff(t, "weights after one step", want, m.Weights())
	t.Logf("weights after one SGD step: max difference from Keras %s's %g", g.Keras, d)
	if !(d <= kerasTolerance) {
		t.Errorf("weights after one SGD step differ from Keras's by %g (tolerance %g)", d, kerasTolerance)
	}
}
