package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestConv1DVariantsKit runs DepthwiseConv1D, SeparableConv1D and Conv1DTranspose through the
// layer kit against Keras 3.
func TestConv1DVariantsKit(t *testing.T) {
	cases := []struct {
		name    string
		new     func() keras.Layer
		in, out keras.Shape
		weights []keras.Shape
	}{
		{"depthwise_conv1d_mult2_same_strided", func() keras.Layer {
			return layers.DepthwiseConv1D(3, layers.DepthMultiplier(2), layers.Strides(2), layers.Padding("same"))
		}, keras.Shape{7, 3}, keras.Shape{keras.None, 4, 6}, []keras.Shape{{3, 3, 2}, {6}}},
		{"separable_conv1d_dilated_relu", func() keras.Layer {
			return layers.SeparableConv1D(4, 3, layers.DilationRate(2), layers.Activation("relu"))
		}, keras.Shape{8, 2}, keras.Shape{keras.None, 4, 4}, []keras.Shape{{3, 2, 1}, {1, 2, 4}, {4}}},
		{"conv1d_transpose_valid_output_padding", func() keras.Layer {
			return layers.Conv1DTranspose(3, 3, layers.Strides(2), layers.OutputPadding(1))
		}, keras.Shape{4, 2}, keras.Shape{keras.None, 10, 3}, []keras.Shape{{3, 3, 2}, {3}}},
		{"conv1d_transpose_same_strided", func() keras.Layer {
			return layers.Conv1DTranspose(2, 4, layers.Strides(3), layers.Padding("same"), layers.Activation("tanh"))
		}, keras.Shape{4, 2}, keras.Shape{keras.None, 12, 2}, []keras.Shape{{4, 2, 2}, {2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          c.new,
				InputShapes:  []keras.Shape{c.in},
				OutputShapes: []keras.Shape{c.out},
				Weights:      c.weights,
				BadInputs:    [][]keras.Shape{{{4, 5}}, {{4, 2, 2}}},
				Golden:       "testdata/kit/" + c.name + ".json",
			})
		})
	}
}
