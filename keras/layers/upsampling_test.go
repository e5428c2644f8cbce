package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestUpSampling1D(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.UpSampling1D(3) },
		InputShapes:  []keras.Shape{{4, 2}},
		OutputShapes: []keras.Shape{{keras.None, 12, 2}},
		BadInputs:    [][]keras.Shape{{{4}}, {{4, 2, 1}}},
		Golden:       "testdata/kit/upsampling1d.json",
	})
}

// TestUpSampling2D: a rectangular size, so rows and columns cannot be confused.
func TestUpSampling2D(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.UpSampling2D(2, 3) },
		InputShapes:  []keras.Shape{{3, 2, 2}},
		OutputShapes: []keras.Shape{{keras.None, 6, 6, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}}},
		Golden:       "testdata/kit/upsampling2d.json",
	})
}

// TestUpSamplingConfig: a size below 1 is refused at the call; bilinear interpolation is
// refused naming the key; a saved integer size serves both axes.
func TestUpSamplingConfig(t *testing.T) {
	if err := layers.UpSampling2D(2, 0).Call(keras.Input(keras.Shape{2, 2, 1})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("UpSampling2D(2, 0): got %v, want ErrInvalidArgument", err)
	}
	if _, err := keras.DeserializeLayer(map[string]any{"class_name": "UpSampling2D", "config": map[string]any{"name": "u", "interpolation": "bilinear"}}); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("bilinear: got %v, want ErrInvalidArgument", err)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "UpSampling2D", "config": map[string]any{"name": "u", "size": 3.0}})
	if err != nil {
		t.Fatal(err)
	}
	y := keras.Call(l, keras.Input(keras.Shape{2, 1, 1}))[0]
	if y.Err() != nil || !y.Shape().Equal(keras.Shape{keras.None, 6, 3, 1}) {
		t.Errorf("size 3: output %v (%v), want (None, 6, 3, 1)", y.Shape(), y.Err())
	}
}
