package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// TestConvVariantsSGDStepMatchesKeras loads a Keras-written model of the six depthwise,
// separable and transposed convolutions (testdata/conv_variants_step.keras), takes one SGD step
// on Keras's batch and compares the loss and every updated weight with Keras 3's: the
// backward passes agree with Keras's gradients, not only with finite differences of the Go
// forward pass.
func TestConvVariantsSGDStepMatchesKeras(t *testing.T) {
	type array struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	var g struct {
		Keras   string  `json:"keras"`
		X       array   `json:"x"`
		Y       array   `json:"y"`
		Loss    float64 `json:"loss"`
		Weights []array `json:"weights"`
	}
	testenv.ReadJSON(t, "testdata/conv_variants_step.json", &g, "cd testdata && python3 conv_variants_step.py")
	f32 := func(a array) *tensor.Dense {
		v := make([]float32, len(a.Data))
		for i, x := range a.Data {
			v[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(v))
	}
	m, err := keras.LoadModel("testdata/conv_variants_step.keras")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(optimizers.LearningRate(0.1)), "mse"); err != nil {
		t.Fatal(err)
	}
	before := m.Weights()
	logs, err := m.TrainOnBatch(f32(g.X), f32(g.Y))
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(logs["loss"] - g.Loss); d > 1e-5*math.Max(1, g.Loss) {
		t.Errorf("loss %g, Keras %s's %g", logs["loss"], g.Keras, g.Loss)
	}
	ws := m.Weights()
	if len(ws) != len(g.Weights) {
		t.Fatalf("%d weights, Keras has %d", len(ws), len(g.Weights))
	}
	worst := 0.0
	for i, w := range ws {
		got := w.Data().([]float32)
		// A weight the step left alone would compare equal whatever the gradient was.
		moved := 0.0
		for j, v := range before[i].Data().([]float32) {
			moved = math.Max(moved, math.Abs(float64(got[j]-v)))
		}
		if moved < 1e-4 {
			t.Errorf("weight %d (%v) moved by only %g in the step", i, w.Shape(), moved)
		}
		for j, v := range g.Weights[i].Data {
			d := math.Abs(float64(got[j]) - v)
			worst = math.Max(worst, d)
			if d > 1e-5 {
				t.Fatalf("weight %d (%v) element %d after the step: %g, Keras %g", i, w.Shape(), j, got[j], v)
			}
		}
	}
	t.Logf("loss %g (Keras %g); weights within %g of Keras %s's after one SGD step", logs["loss"], g.Loss, worst, g.Keras)
}
