package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestLayerScale: ConvNeXt's LayerScale on images, its config and module as Keras writes them
// (the golden file is computed by Keras loading the Go-written model, which needs the module).
func TestLayerScale(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.LayerScale(0.5, 4) },
		InputShapes:  []keras.Shape{{3, 2, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2, 4}},
		Weights:      []keras.Shape{{4}},
		BadInputs:    [][]keras.Shape{{{3, 2, 5}}, {{3, 2, 4}, {3, 2, 4}}},
		Golden:       "testdata/kit/layer_scale.json",
	})
	if err := layers.LayerScale(1e-6, 0).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("projection_dim 0: got %v, want ErrInvalidArgument", err)
	}
}
