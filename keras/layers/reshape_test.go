package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestReshape(t *testing.T) {
	t.Run("explicit", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.Reshape(keras.Shape{3, 2}) },
			InputShapes:  []keras.Shape{{6}},
			OutputShapes: []keras.Shape{{keras.None, 3, 2}},
			BadInputs:    [][]keras.Shape{{{7}}, {{6}, {6}}},
		})
	})
	t.Run("inferred", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.Reshape(keras.Shape{-1, 4}) },
			InputShapes:  []keras.Shape{{2, 2, 2}},
			OutputShapes: []keras.Shape{{keras.None, 2, 4}},
			BadInputs:    [][]keras.Shape{{{3, 3}}},
		})
	})
}

func TestFlatten(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Flatten() },
		InputShapes:  []keras.Shape{{2, 3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 12}},
		BadInputs:    [][]keras.Shape{{{2, 3, 2}, {2, 3, 2}}},
	})
}
