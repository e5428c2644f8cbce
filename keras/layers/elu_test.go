package layers_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestELU(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.ELU(0.7) },
		InputShapes:  []keras.Shape{{3, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 4}},
		BadInputs:    [][]keras.Shape{{{3, 4}, {3, 4}}},
		Golden:       "testdata/kit/elu.json",
	})
}

// TestELUConfig: a non-finite alpha is refused at the call; a config without alpha takes
// Keras's 1.
func TestELUConfig(t *testing.T) {
	if err := layers.ELU(math.NaN()).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("ELU(NaN): got %v, want ErrInvalidArgument", err)
	}
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "ELU", "config": map[string]any{"name": "e"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Config()["alpha"]; got != 1.0 {
		t.Errorf("alpha = %v, want 1", got)
	}
}
