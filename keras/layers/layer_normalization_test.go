package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestLayerNormalization: with gamma and beta on a sequence, then with neither and a larger
// epsilon on vectors.
func TestLayerNormalization(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.LayerNormalization(1e-3, true, true) },
		InputShapes:  []keras.Shape{{3, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 4}},
		Weights:      []keras.Shape{{4}, {4}},
		BadInputs:    [][]keras.Shape{{{3, 5}}, {{3, 4}, {3, 4}}},
		Golden:       "testdata/kit/layer_normalization.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.LayerNormalization(0.1, false, false) },
		InputShapes:  []keras.Shape{{5}},
		OutputShapes: []keras.Shape{{keras.None, 5}},
		Golden:       "testdata/kit/layer_normalization_plain.json",
	})
}

// TestLayerNormalizationConfig: a non-positive epsilon is refused at the call; Keras's
// deprecated rms_scaling and an axis other than the last are refused naming them.
func TestLayerNormalizationConfig(t *testing.T) {
	if err := layers.LayerNormalization(0, true, true).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("epsilon 0: got %v, want ErrInvalidArgument", err)
	}
	if _, err := keras.DeserializeLayer(map[string]any{"class_name": "LayerNormalization", "config": map[string]any{"name": "n", "rms_scaling": true}}); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("rms_scaling: got %v, want ErrInvalidArgument", err)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "LayerNormalization", "config": map[string]any{"name": "n", "axis": []any{1.0}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := keras.Call(l, keras.Input(keras.Shape{3, 4}))[0].Err(); !errors.Is(err, keras.ErrShape) {
		t.Errorf("axis [1] on (None, 3, 4): got %v, want ErrShape", err)
	}
}
