package keras_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

const bnStepRegenerate = "KERAS_BACKEND=jax python3 keras/testdata/bn_step.py"

// bnStepCase is keras/testdata/bn_step.json: the batch and Keras's step losses.
type bnStepCase struct {
	X      []float64 `json:"x"`
	Y      []float64 `json:"y"`
	Pred64 []float64 `json:"pred64"`
	Loss64 float64   `json:"loss64"`
	Loss32 float64   `json:"loss32"`
}

// stepGap compares weights after a step with a reference's, both from the same start:
// weights is the largest per-tensor difference of the weights, update of the updates
// (new - old), each relative to its tensor's largest reference magnitude floored at 1e-3 of
// the model's (the floor as in the applications suite: a convolution bias before
// BatchNormalization gets no gradient, its update is rounding noise).
func stepGap(t *testing.T, old, got, want []*tensor.Dense) (weights, update float64) {
	t.Helper()
	if len(got) != len(old) || len(want) != len(old) {
		t.Fatalf("%d weights before the step, %d and %d after", len(old), len(got), len(want))
	}
	o, g, w := make([][]float64, len(old)), make([][]float64, len(old)), make([][]float64, len(old))
	gu, wu := make([][]float64, len(old)), make([][]float64, len(old))
	var maxW, maxU float64
	for i := range old {
		o[i], g[i], w[i] = flat(t, old[i]), flat(t, got[i]), flat(t, want[i])
		if len(g[i]) != len(o[i]) || len(w[i]) != len(o[i]) {
			t.Fatalf("weight %d: shapes %v, %v, %v", i, old[i].Shape(), got[i].Shape(), want[i].Shape())
		}
		gu[i], wu[i] = make([]float64, len(o[i])), make([]float64, len(o[i]))
		for j := range o[i] {
			gu[i][j], wu[i][j] = g[i][j]-o[i][j], w[i][j]-o[i][j]
			maxW = math.Max(maxW, math.Abs(w[i][j]))
			maxU = math.Max(maxU, math.Abs(wu[i][j]))
		}
	}
	for i := range old {
		weights = math.Max(weights, relDiffFloor(g[i], w[i], 1e-3*maxW))
		update = math.Max(update, relDiffFloor(gu[i], wu[i], 1e-3*maxU))
	}
	return weights, update
}

// loadWeights loads a testdata model and returns it with a copy of its weights.
func loadWeights(t *testing.T, name string) (*keras.Model, []*tensor.Dense) {
	t.Helper()
	m, err := keras.LoadModel(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("LoadModel(%s): %v", name, err)
	}
	return m, m.Weights()
}

// goStep runs one SGD(0.01) categorical-crossentropy TrainOnBatch on the model Keras saved
// before its step and returns the loss, the weights before and the weights after.
func goStep(t *testing.T, name string, c bnStepCase, dt tensor.Dtype) (float64, []*tensor.Dense, []*tensor.Dense) {
	t.Helper()
	m, old := loadWeights(t, name)
	if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.01)), "categorical_crossentropy"); err != nil {
		t.Fatalf("Compile: %v", err)
	}
	x, y := appsTensor(dt, []int{2, 4, 4, 3}, c.X), appsTensor(dt, []int{2, 3}, c.Y)
	logs, err := m.TrainOnBatch(x, y)
	if err != nil {
		t.Fatalf("TrainOnBatch(%s): %v", name, err)
	}
	return logs["loss"], old, m.Weights()
}

// A training step through BatchNormalization over 2x2 and 1x1 maps at batch 2 (2 values per
// channel, as in ResNet50's last blocks on a small input) agrees with Keras to float64's
// precision when both run in float64, so kerago's BatchNormalization, Add, MaxPooling2D,
// ZeroPadding2D and convolution gradients there are Keras's. In float32 both sides differ
// from Keras's float64 step by the same order: the step itself amplifies rounding (the
// applications suite's ResNet50/DenseNet121/InceptionV3 step gaps), it is not a kerago bug.
func TestBatchNormStepMatchesKerasFloat64(t *testing.T) {
	var c bnStepCase
	testenv.ReadJSON(t, "testdata/bn_step.json", &c, bnStepRegenerate)
	_, want64 := loadWeights(t, "bn_step64_after.keras")

	m, _ := loadWeights(t, "bn_step64.keras")
	pred, err := m.Predict(appsTensor(tensor.Float64, []int{2, 4, 4, 3}, c.X))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	if d := relDiff(flat(t, pred[0]), c.Pred64); d > 1e-13 {
		t.Errorf("float64 predictions differ from Keras's by %.3g relative", d)
	}
	loss, old, got := goStep(t, "bn_step64.keras", c, tensor.Float64)
	if d := math.Abs(loss-c.Loss64) / math.Abs(c.Loss64); d > 1e-12 {
		t.Errorf("float64 loss %.17g, Keras %.17g (relative %.2g)", loss, c.Loss64, d)
	}
	w, u := stepGap(t, old, got, want64)
	t.Logf("Go float64 vs Keras float64: loss %.3g, weights %.3g, updates %.3g", math.Abs(loss-c.Loss64)/c.Loss64, w, u)
	if w > 1e-12 || u > 1e-9 {
		t.Errorf("float64 step differs from Keras's: weights %.3g, updates %.3g relative (want ≤ 1e-12, 1e-9)", w, u)
	}

	_, old32 := loadWeights(t, "bn_step32.keras")
	_, want32 := loadWeights(t, "bn_step32_after.keras")
	kw, ku := stepGap(t, old32, want32, want64)
	loss32, _, got32 := goStep(t, "bn_step32.keras", c, tensor.Float32)
	gw, gu := stepGap(t, old32, got32, want64)
	t.Logf("Keras float32 vs Keras float64: loss %.3g, weights %.3g, updates %.3g", math.Abs(c.Loss32-c.Loss64)/c.Loss64, kw, ku)
	t.Logf("Go float32 vs Keras float64:    loss %.3g, weights %.3g, updates %.3g", math.Abs(loss32-c.Loss64)/c.Loss64, gw, gu)
}
