package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestConcatenate(t *testing.T) {
	t.Run("last_axis", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.Concatenate() },
			InputShapes:  []keras.Shape{{2, 3}, {2, 1}, {2, 2}},
			OutputShapes: []keras.Shape{{keras.None, 2, 6}},
			BadInputs:    [][]keras.Shape{{{2, 3}, {3, 1}}, {{2, 3}, {2}}},
			Golden:       "testdata/kit/concatenate.json",
		})
	})
	t.Run("axis1", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.Concatenate(layers.Axis(1)) },
			InputShapes:  []keras.Shape{{2, 3}, {1, 3}},
			OutputShapes: []keras.Shape{{keras.None, 3, 3}},
			BadInputs:    [][]keras.Shape{{{2, 3}, {1, 4}}},
		})
	})
}
