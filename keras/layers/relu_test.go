package layers_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestReLU runs every argument of Keras's ReLU at once (cap, slope and threshold), then the
// leaky shortcut Keras takes without cap or threshold.
func TestReLU(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.ReLU(0.6, 0.2, 0.25) },
		InputShapes:  []keras.Shape{{4, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 3}},
		BadInputs:    [][]keras.Shape{{{4, 3}, {4, 3}}},
		Golden:       "testdata/kit/relu.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.ReLU(math.Inf(1), 0.1, 0) },
		InputShapes:  []keras.Shape{{5}},
		OutputShapes: []keras.Shape{{keras.None, 5}},
		Golden:       "testdata/kit/relu_leaky.json",
	})
}

// TestReLUConfig: Keras's refusals (a negative cap, slope or threshold) come back at the call,
// and max_value null is no cap both ways.
func TestReLUConfig(t *testing.T) {
	for _, l := range []*layers.ReLULayer{layers.ReLU(-1, 0, 0), layers.ReLU(6, -0.1, 0), layers.ReLU(6, 0, -1)} {
		if err := l.Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("%v: got %v, want ErrInvalidArgument", l.Config(), err)
		}
	}
	if got := layers.ReLU(math.Inf(1), 0, 0).Config()["max_value"]; got != nil {
		t.Errorf("max_value = %v, want null", got)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "ReLU", "config": map[string]any{"name": "r", "max_value": nil, "threshold": 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if c := l.Config(); c["max_value"] != nil || c["threshold"] != 0.5 || c["negative_slope"] != 0.0 {
		t.Errorf("config %v, want max_value null, threshold 0.5, negative_slope 0", c)
	}
}
