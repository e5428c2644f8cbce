package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestMultiHeadAttention: query and value of different lengths and features; then query,
// value and key with ValueDim, OutputShape, dropout (off in Predict) and no biases; then a causal self-attention. Each
// is compared with Keras 3 loading the Go-saved model (golden), which also shows Keras reads
// kerago's weights, their sublayer paths and the call's separate query, value and key.
func TestMultiHeadAttention(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.MultiHeadAttention(2, 3) },
		InputShapes:  []keras.Shape{{4, 6}, {5, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 6}},
		Weights:      []keras.Shape{{6, 2, 3}, {2, 3}, {3, 2, 3}, {2, 3}, {3, 2, 3}, {2, 3}, {2, 3, 6}, {6}},
		BadInputs:    [][]keras.Shape{{{4, 6}}, {{4, 7}, {5, 3}}, {{4, 6}, {5, 4}}, {{4, 6}, {5, 3}, {6, 3}}},
		Golden:       "testdata/kit/multi_head_attention.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New: func() keras.Layer {
			return layers.MultiHeadAttention(3, 2, layers.ValueDim(4), layers.OutputShape(5), layers.UseBias(false),
				layers.AttentionDropout(0.25))
		},
		// Keras on JAX computes heads of a value_dim other than key_dim only on its einsum
		// path, which dropout selects; the first case checks the gradients
		NoGradients:  "attention dropout draws a mask each training step",
		InputShapes:  []keras.Shape{{3, 4}, {2, 3}, {2, 5}},
		OutputShapes: []keras.Shape{{keras.None, 3, 5}},
		Weights:      []keras.Shape{{4, 3, 2}, {5, 3, 2}, {3, 3, 4}, {3, 4, 5}},
		Golden:       "testdata/kit/multi_head_attention_key.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.MultiHeadAttention(2, 4, layers.UseCausalMask(true)) },
		InputShapes:  []keras.Shape{{5, 4}, {5, 4}},
		OutputShapes: []keras.Shape{{keras.None, 5, 4}},
		Weights:      []keras.Shape{{4, 2, 4}, {2, 4}, {4, 2, 4}, {2, 4}, {4, 2, 4}, {2, 4}, {2, 4, 4}, {4}},
		Golden:       "testdata/kit/multi_head_attention_causal.json",
	})
}

// TestMultiHeadAttentionConfig: bad arguments are errors naming the layer; Keras's settings
// this library does not implement are refused naming the key.
func TestMultiHeadAttentionConfig(t *testing.T) {
	q, v := keras.Input(keras.Shape{4, 6}), keras.Input(keras.Shape{5, 3})
	for name, l := range map[string]*layers.MultiHeadAttentionLayer{
		"heads 0":    layers.MultiHeadAttention(0, 3),
		"key_dim -1": layers.MultiHeadAttention(2, -1),
		"value_dim":  layers.MultiHeadAttention(2, 3, layers.ValueDim(0)),
		"dropout":    layers.MultiHeadAttention(2, 3, layers.AttentionDropout(1)),
		"activation": layers.MultiHeadAttention(2, 3, layers.Activation("relu")),
	} {
		if err := l.Call(q, v).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("%s: got %v, want ErrInvalidArgument", name, err)
		}
	}
	for key, val := range map[string]any{"use_gate": true, "sliding_window": 3.0, "kernel_regularizer": "l2"} {
		cfg := map[string]any{"name": "mha", "num_heads": 2.0, "key_dim": 3.0, key: val}
		if _, err := keras.DeserializeLayer(map[string]any{"class_name": "MultiHeadAttention", "config": cfg}); err == nil {
			t.Errorf("%s=%v: no error", key, val)
		}
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "MultiHeadAttention", "config": map[string]any{
		"name": "mha", "num_heads": 2.0, "key_dim": 3.0, "attention_axes": []any{2.0}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := keras.Call(l, q, v)[0].Err(); !errors.Is(err, keras.ErrShape) {
		t.Errorf("attention_axes [2]: got %v, want ErrShape", err)
	}
}
