package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// TestSoftmax: along the last axis of a rank-3 input, with inputs large enough that a
// softmax without its row maximum subtracted would overflow float32.
func TestSoftmax(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Softmax() },
		InputShapes:  []keras.Shape{{3, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 4}},
		BadInputs:    [][]keras.Shape{{{3, 4}, {3, 4}}},
		Golden:       "testdata/kit/softmax.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Softmax() },
		InputShapes:  []keras.Shape{{3}},
		OutputShapes: []keras.Shape{{keras.None, 3}},
		Inputs:       []*tensor.Dense{tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{100, 101, 102, -3, 0, 3}))},
		Golden:       "testdata/kit/softmax_large.json",
	})
}

// TestSoftmaxAxis: a saved axis other than the last is refused naming it; the last axis
// counted from the batch is taken.
func TestSoftmaxAxis(t *testing.T) {
	for axis, ok := range map[float64]bool{1: false, 2: true, -1: true} {
		l, err := keras.DeserializeLayer(map[string]any{"class_name": "Softmax", "config": map[string]any{"name": "s", "axis": axis}})
		if err != nil {
			t.Fatal(err)
		}
		err = keras.Call(l, keras.Input(keras.Shape{3, 4}))[0].Err()
		if ok != (err == nil) || (err != nil && !errors.Is(err, keras.ErrShape)) {
			t.Errorf("axis %v on (None, 3, 4): got %v", axis, err)
		}
	}
}
