package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestRepeatVector(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.RepeatVector(3) },
		InputShapes:  []keras.Shape{{4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 4}},
		BadInputs:    [][]keras.Shape{{{2, 4}}, {{4}, {4}}},
		Golden:       "testdata/kit/repeat_vector.json",
	})
}

// TestRepeatVectorConfig: n below 1 is refused at the call, and a config without n naming it.
func TestRepeatVectorConfig(t *testing.T) {
	if err := layers.RepeatVector(0).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("RepeatVector(0): got %v, want ErrInvalidArgument", err)
	}
	if _, err := keras.DeserializeLayer(map[string]any{"class_name": "RepeatVector", "config": map[string]any{"name": "r"}}); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("config without n: got %v, want ErrInvalidArgument", err)
	}
}
