package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestSeparableConv2DKit runs SeparableConv2D through the layer kit against Keras 3: a depth
// multiplier of 2 with strides and "same" padding, and a dilated "valid" one (Xception's
// blocks use the defaults with "same").
func TestSeparableConv2DKit(t *testing.T) {
	t.Run("mult2_same_strided_tanh", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.SeparableConv2D(4, 3, layers.DepthMultiplier(2), layers.Strides(2), layers.Padding("same"), layers.Activation("tanh"))
			},
			InputShapes:  []keras.Shape{{5, 6, 3}},
			OutputShapes: []keras.Shape{{keras.None, 3, 3, 4}},
			Weights:      []keras.Shape{{3, 3, 3, 2}, {1, 1, 6, 4}, {4}},
			BadInputs:    [][]keras.Shape{{{5, 6, 2}}, {{5, 6}}},
			Golden:       "testdata/kit/separable_conv2d_mult2_same_strided.json",
		})
	})
	t.Run("valid_dilated", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.SeparableConv2D(2, 2, layers.DilationRate(2)) },
			InputShapes:  []keras.Shape{{5, 5, 3}},
			OutputShapes: []keras.Shape{{keras.None, 3, 3, 2}},
			Weights:      []keras.Shape{{2, 2, 3, 1}, {1, 1, 3, 2}, {2}},
			BadInputs:    [][]keras.Shape{{{5, 5, 1}}},
			Golden:       "testdata/kit/separable_conv2d_valid_dilated.json",
		})
	})
}
