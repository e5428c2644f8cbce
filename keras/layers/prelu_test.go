package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestPReLU: one alpha per channel of an image (shared_axes [1, 2]), then one per position.
func TestPReLU(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.PReLU("random_uniform", []int{1, 2}) },
		InputShapes:  []keras.Shape{{3, 2, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2, 4}},
		Weights:      []keras.Shape{{1, 1, 4}},
		BadInputs:    [][]keras.Shape{{{3, 2, 5}}, {{3, 2, 4}, {3, 2, 4}}},
		Golden:       "testdata/kit/prelu_shared.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.PReLU(nil, nil) },
		InputShapes:  []keras.Shape{{3, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 4}},
		Weights:      []keras.Shape{{3, 4}},
		BadInputs:    [][]keras.Shape{{{4, 4}}},
		Golden:       "testdata/kit/prelu.json",
	})
}

// TestPReLUConfig: shared axes out of range or repeated are refused naming the axis; a saved
// single integer reads as a list of one, and no shared axes write null, as Keras does.
func TestPReLUConfig(t *testing.T) {
	for _, axes := range [][]int{{0}, {3}, {1, 1}} {
		err := layers.PReLU(nil, axes).Call(keras.Input(keras.Shape{3, 4})).Err()
		if !errors.Is(err, keras.ErrShape) {
			t.Errorf("shared axes %v: got %v, want ErrShape", axes, err)
		}
	}
	if got := layers.PReLU(nil, nil).Config()["shared_axes"]; got != nil {
		t.Errorf("shared_axes = %v, want null", got)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "PReLU", "config": map[string]any{"name": "p", "shared_axes": 1.0}})
	if err != nil {
		t.Fatal(err)
	}
	y := keras.Call(l, keras.Input(keras.Shape{5, 2}))[0]
	if err := y.Err(); err != nil {
		t.Fatal(err)
	}
	if w := l.Variables(); len(w) != 1 || !w[0].Shape().Equal(keras.Shape{1, 2}) {
		t.Errorf("alpha %v, want shape (1, 2)", w)
	}
}
