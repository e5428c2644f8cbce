package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestZeroPadding1D(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.ZeroPadding1D(2, 1) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 6, 2}},
		BadInputs:    [][]keras.Shape{{{3}}, {{3, 2, 1}}},
		Golden:       "testdata/kit/zero_padding1d.json",
	})
}

// TestZeroPadding1DConfig: negative padding is refused at the call; a saved integer pads both
// ends, and a missing padding is Keras's 1.
func TestZeroPadding1DConfig(t *testing.T) {
	if err := layers.ZeroPadding1D(0, -1).Call(keras.Input(keras.Shape{4, 1})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("ZeroPadding1D(0, -1): got %v, want ErrInvalidArgument", err)
	}
	for _, c := range []struct {
		cfg  map[string]any
		want int
	}{{map[string]any{"name": "z", "padding": 3.0}, 10}, {map[string]any{"name": "z"}, 6}} {
		l, err := keras.DeserializeLayer(map[string]any{"class_name": "ZeroPadding1D", "config": c.cfg})
		if err != nil {
			t.Fatal(err)
		}
		y := keras.Call(l, keras.Input(keras.Shape{4, 1}))[0]
		if y.Err() != nil || !y.Shape().Equal(keras.Shape{keras.None, c.want, 1}) {
			t.Errorf("%v: output %v (%v), want %d steps", c.cfg, y.Shape(), y.Err(), c.want)
		}
	}
}
