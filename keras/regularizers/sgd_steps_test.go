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

// Models Keras saved with L2, L1 and L1L2 regularizers and UnitNorm, MaxNorm, MinMaxNorm and
// NonNeg constraints on the weights of Conv1D and Dense, and of Embedding, GRU and LSTM
// (tables, kernels, recurrent kernels, biases), and OrthogonalRegularizer by rows and by
// columns on Dense kernels, load in Go, and three SGD steps from their
// weights give Keras's losses (which include the penalties) and Keras's weights, to 1e-5.
func TestSGDStepsMatchKerasWithPenalties(t *testing.T) {
	var g struct {
		Models []struct {
			Name     string      `json:"name"`
			XShape   []int       `json:"x_shape"`
			X        []float64   `json:"x"`
			Y        []float64   `json:"y"`
			Losses   []float64   `json:"losses"`
			Evaluate float64     `json:"evaluate"`
			Weights  [][]float64 `json:"weights"`
		} `json:"models"`
	}
	testenv.ReadJSON(t, "testdata/sgd_steps.json", &g, sgdRegenerate)
	if len(g.Models) != 3 {
		t.Fatalf("%d models, want 3 (regenerate with %s)", len(g.Models), sgdRegenerate)
	}
	for _, c := range g.Models {
		t.Run(c.Name, func(t *testing.T) {
			m, err := keras.LoadModel("testdata/sgd_steps_" + c.Name + ".keras")
			if err != nil {
				t.Fatalf("LoadModel: %v", err)
			}
			x := tensor.New(tensor.WithShape(c.XShape...), tensor.WithBacking(f32(c.X)))
			y := tensor.New(tensor.WithShape(len(c.Y)/2, 2), tensor.WithBacking(f32(c.Y)))
			for step, want := range c.Losses {
				logs, err := m.TrainOnBatch(x, y)
				if err != nil {
					t.Fatal(err)
				}
				if got := logs["loss"]; math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
					t.Errorf("step %d: loss %.8g, Keras %.8g", step+1, got, want)
				}
			}
			ws := m.Weights()
			if len(ws) != len(c.Weights) {
				t.Fatalf("%d weights, Keras has %d", len(ws), len(c.Weights))
			}
			for i, w := range ws {
				for j, v := range w.Data().([]float32) {
					if want := c.Weights[i][j]; math.Abs(float64(v)-want) > 1e-5 {
						t.Errorf("weight %d[%d] = %.8g, Keras %.8g", i, j, v, want)
						break
					}
				}
			}
			logs, err := m.Evaluate(x, y, keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			if got := logs["loss"]; math.Abs(got-c.Evaluate) > 1e-5*math.Max(1, c.Evaluate) {
				t.Errorf("evaluate loss %.8g, Keras %.8g", got, c.Evaluate)
			}
		})
	}
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
