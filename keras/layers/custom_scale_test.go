package layers_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestCustomScaleLayer: InceptionResNetV2's x + r·scale on two images, its config and module
// as Keras writes them (the golden file is computed by Keras loading the Go-written model,
// which needs the module).
func TestCustomScaleLayer(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.CustomScaleLayer(0.17) },
		InputShapes:  []keras.Shape{{3, 2, 4}, {3, 2, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2, 4}},
		BadInputs:    [][]keras.Shape{{{3, 2, 4}}, {{3, 2, 4}, {3, 2, 5}}},
		Golden:       "testdata/kit/custom_scale_layer.json",
	})
	if err := layers.CustomScaleLayer(math.NaN()).Call(keras.Input(keras.Shape{2}), keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("scale NaN: got %v, want ErrInvalidArgument", err)
	}
}
