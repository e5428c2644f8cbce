package regularizers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	_ "github.com/kerago/kerago/keras/layers" // LoadModel's layer classes
	"gorgonia.org/tensor"
)

const sgdRegenerate = "KERAS_BACKEND=jax python3 keras/regularizers/testdata/sgd_steps.py"

// A model Keras saved with L2, L1 and L1L2 regularizers and UnitNorm, MaxNorm, MinMaxNorm and
// NonNeg constraints on Conv1D and Dense weights loads in Go, and three SGD steps from its
// weights give Keras's losses (which include the penalties) and Keras's weights, to 1e-5.
func TestSGDStepsMatchKerasWithPenalties(t *testing.T) {
	var g struct {
		X        []float64   `json:"x"`
		Y        []float64   `json:"y"`
		Losses   []float64   `json:"losses"`
		Evaluate float64     `json:"evaluate"`
		Weights  [][]float64 `json:"weights"`
	}
	testenv.ReadJSON(t, "testdata/sgd_steps.json", &g, sgdRegenerate)
	m, err := keras.LoadModel("testdata/sgd_steps.keras")
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	x := tensor.New(tensor.WithShape(8, 6, 3), tensor.WithBacking(f32(g.X)))
	y := tensor.New(tensor.WithShape(8, 2), tensor.WithBacking(f32(g.Y)))
	for step, want := range g.Losses {
		logs, err := m.TrainOnBatch(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if got := logs["loss"]; math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("step %d: loss %.8g, Keras %.8g", step+1, got, want)
		}
	}
	ws := m.Weights()
	if len(ws) != len(g.Weights) {
		t.Fatalf("%d weights, Keras has %d", len(ws), len(g.Weights))
	}
	for i, w := range ws {
		for j, v := range w.Data().([]float32) {
			if want := g.Weights[i][j]; math.Abs(float64(v)-want) > 1e-5 {
				t.Errorf("weight %d[%d] = %.8g, Keras %.8g", i, j, v, want)
				break
			}
		}
	}
	logs, err := m.Evaluate(x, y, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if got := logs["loss"]; math.Abs(got-g.Evaluate) > 1e-5*math.Max(1, g.Evaluate) {
		t.Errorf("evaluate loss %.8g, Keras %.8g", got, g.Evaluate)
	}
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
