package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"gorgonia.org/tensor"
)

// TestAttentionMasksKeras: a Keras-written model of the attention layers on masked
// embeddings (testdata/attention_masks_golden.py) loads and predicts what Keras predicted: a
// causal MultiHeadAttention (Keras's use_causal_mask call argument, read from the saved call)
// and a cross-attention, whose query and value masks keep padded steps out and whose output
// carries the query's mask into GlobalAveragePooling1D; Attention with a scale on the same
// masks; a causal AdditiveAttention.
func TestAttentionMasksKeras(t *testing.T) {
	type array struct {
		Shape []int     `json:"shape"`
		DType string    `json:"dtype"`
		Data  []float64 `json:"data"`
	}
	var g struct {
		Keras   string  `json:"keras"`
		Inputs  []array `json:"inputs"`
		Outputs []array `json:"outputs"`
	}
	testenv.ReadJSON(t, "testdata/attention_masks_golden.json", &g, "KERAS_BACKEND=jax python3 keras/layers/testdata/attention_masks_golden.py")
	m, err := keras.LoadModel("testdata/attention_masks_golden.keras")
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	var xs []*tensor.Dense
	for _, in := range g.Inputs {
		ids := make([]int32, len(in.Data))
		for i, v := range in.Data {
			ids[i] = int32(v)
		}
		xs = append(xs, tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(ids)))
	}
	ys, err := m.Predict(xs, keras.Verbose(0))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	if len(ys) != len(g.Outputs) {
		t.Fatalf("%d outputs, Keras has %d", len(ys), len(g.Outputs))
	}
	for i, want := range g.Outputs {
		got := ys[i].Data().([]float32)
		if len(got) != len(want.Data) {
			t.Fatalf("output %d: %d values, Keras has %d", i, len(got), len(want.Data))
		}
		worst := 0.0
		for j, w := range want.Data {
			worst = math.Max(worst, math.Abs(float64(got[j])-w))
		}
		t.Logf("output %d: max difference from Keras %s's %g", i, g.Keras, worst)
		if !(worst <= 1e-5) {
			t.Errorf("output %d differs from Keras's by %g", i, worst)
		}
	}
}
