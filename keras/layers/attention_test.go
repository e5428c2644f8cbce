package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestAttention: dot scores, scaled; concat scores with a key; a causal self-attention with
// dropout (off in Predict). Each is compared with Keras 3 loading the Go-saved model.
func TestAttention(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Attention(layers.UseScale(true)) },
		InputShapes:  []keras.Shape{{4, 3}, {5, 2}, {5, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 2}},
		Weights:      []keras.Shape{{}},
		BadInputs:    [][]keras.Shape{{{4, 3}}, {{4, 3}, {5, 2}, {5, 4}}, {{4, 3}, {5, 2}, {6, 3}}, {{4, 3, 1}, {5, 2}}},
		Golden:       "testdata/kit/attention_dot_scale.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Attention(layers.ScoreMode("concat"), layers.UseScale(true)) },
		InputShapes:  []keras.Shape{{3, 4}, {5, 2}, {5, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		Weights:      []keras.Shape{{}, {}},
		Golden:       "testdata/kit/attention_concat.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New: func() keras.Layer {
			return layers.Attention(layers.UseCausalMask(true), layers.AttentionDropout(0.2))
		},
		InputShapes:  []keras.Shape{{4, 3}, {4, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 3}},
		NoGradients:  "attention dropout draws a mask each training step; the other cases check the gradients",
		Golden:       "testdata/kit/attention_causal.json",
	})
}

// TestAdditiveAttention: Keras's default (a learned scale per feature), then no scale with a
// causal mask.
func TestAdditiveAttention(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.AdditiveAttention() },
		InputShapes:  []keras.Shape{{4, 3}, {5, 2}, {5, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 2}},
		Weights:      []keras.Shape{{3}},
		BadInputs:    [][]keras.Shape{{{4, 4}, {5, 2}, {5, 4}}},
		Golden:       "testdata/kit/additive_attention.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New: func() keras.Layer {
			return layers.AdditiveAttention(layers.UseScale(false), layers.UseCausalMask(true))
		},
		InputShapes:  []keras.Shape{{4, 3}, {4, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 3}},
		Golden:       "testdata/kit/additive_attention_causal.json",
	})
}

// TestAttentionConfig: bad arguments are errors naming the layer.
func TestAttentionConfig(t *testing.T) {
	q, v := keras.Input(keras.Shape{4, 3}), keras.Input(keras.Shape{5, 3})
	for name, l := range map[string]*layers.AttentionLayer{
		"score mode":       layers.Attention(layers.ScoreMode("add")),
		"dropout":          layers.Attention(layers.AttentionDropout(-0.1)),
		"additive mode":    layers.AdditiveAttention(layers.ScoreMode("dot")),
		"additive dropout": layers.AdditiveAttention(layers.AttentionDropout(1)),
	} {
		if err := l.Call(q, v).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("%s: got %v, want ErrInvalidArgument", name, err)
		}
	}
	if _, err := keras.DeserializeLayer(map[string]any{"class_name": "Attention", "config": map[string]any{"name": "a", "score_mode": "bad"}}); err == nil {
		// the error may come at the call, as for the constructor
		l, _ := keras.DeserializeLayer(map[string]any{"class_name": "Attention", "config": map[string]any{"name": "a", "score_mode": "bad"}})
		if err := keras.Call(l, q, v)[0].Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("score_mode bad: got %v, want ErrInvalidArgument", err)
		}
	}
}

// TestAttentionScalarWeightsTrain: Attention's scale and concat_score_weight are weights of
// shape (), as Keras's; a training step moves both.
func TestAttentionScalarWeightsTrain(t *testing.T) {
	q, v := keras.Input(keras.Shape{3, 2}), keras.Input(keras.Shape{4, 2})
	att := layers.Attention(layers.UseScale(true), layers.ScoreMode("concat"))
	m, err := keras.NewModel(keras.Inputs(q, v), keras.Outputs(att.Call(q, v)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	xq := tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking([]float32{1, -1, 0.5, 2, -0.3, 0.7, 0.1, 0.9, -1.2, 0.4, 0.8, -0.6}))
	xv := tensor.New(tensor.WithShape(2, 4, 2), tensor.WithBacking([]float32{0.3, -0.2, 1, 0.5, -0.7, 0.2, 0.9, -1, 0.6, 0.6, -0.4, 1.1, 0.2, -0.9, 1.3, 0.1}))
	y := tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking([]float32{1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1}))
	if _, err := m.TrainOnBatch([]*tensor.Dense{xq, xv}, y); err != nil {
		t.Fatal(err)
	}
	for _, w := range m.Weights() {
		if !w.IsScalar() {
			t.Fatalf("weight of shape %v, want ()", w.Shape())
		}
		if got := w.Float32s()[0]; got == 1 {
			t.Errorf("a scalar weight is still its initial 1 after a step")
		}
	}
}
