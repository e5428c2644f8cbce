package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestDense(t *testing.T) {
	t.Run("rank2", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.Dense(3, layers.Activation("tanh")) },
			InputShapes:  []keras.Shape{{4}},
			OutputShapes: []keras.Shape{{keras.None, 3}},
			Weights:      []keras.Shape{{4, 3}, {3}},
			BadInputs:    [][]keras.Shape{{{5}}, {{4}, {4}}},
			Golden:       "testdata/kit/dense_rank2.json",
		})
	})
	t.Run("rank3_softmax_no_bias", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.Dense(2, layers.Activation("softmax"), layers.UseBias(false))
			},
			InputShapes:  []keras.Shape{{3, 4}},
			OutputShapes: []keras.Shape{{keras.None, 3, 2}},
			Weights:      []keras.Shape{{4, 2}},
			BadInputs:    [][]keras.Shape{{{3, 5}}},
			Golden:       "testdata/kit/dense_rank3_softmax.json",
		})
	})
}
