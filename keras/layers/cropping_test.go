package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestCropping1D(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Cropping1D(1, 2) },
		InputShapes:  []keras.Shape{{6, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{6}}, {{3, 2}}},
		Golden:       "testdata/kit/cropping1d.json",
	})
}

// TestCropping2D: four different sides, so none can be confused with another.
func TestCropping2D(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Cropping2D(1, 0, 2, 1) },
		InputShapes:  []keras.Shape{{4, 5, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2, 2}},
		BadInputs:    [][]keras.Shape{{{4, 5}}, {{1, 5, 2}}},
		Golden:       "testdata/kit/cropping2d.json",
	})
}

// TestCroppingConfig: negative cropping is refused at the call; Keras's short forms of a
// saved cropping (an integer, a (height, width) pair) read as Keras reads them.
func TestCroppingConfig(t *testing.T) {
	if err := layers.Cropping1D(-1, 0).Call(keras.Input(keras.Shape{4, 1})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("Cropping1D(-1, 0): got %v, want ErrInvalidArgument", err)
	}
	for _, c := range []struct {
		class    string
		cropping any
		want     keras.Shape
	}{
		{"Cropping1D", 2.0, keras.Shape{keras.None, 4, 3}},
		{"Cropping2D", 1.0, keras.Shape{keras.None, 6, 4, 3}},
		{"Cropping2D", []any{1.0, 2.0}, keras.Shape{keras.None, 6, 2, 3}},
	} {
		l, err := keras.DeserializeLayer(map[string]any{"class_name": c.class, "config": map[string]any{"name": "c", "cropping": c.cropping}})
		if err != nil {
			t.Fatal(err)
		}
		in := keras.Shape{8, 6, 3}
		if c.class == "Cropping1D" {
			in = keras.Shape{8, 3}
		}
		y := keras.Call(l, keras.Input(in))[0]
		if y.Err() != nil || !y.Shape().Equal(c.want) {
			t.Errorf("%s cropping %v: output %v (%v), want %v", c.class, c.cropping, y.Shape(), y.Err(), c.want)
		}
	}
}
