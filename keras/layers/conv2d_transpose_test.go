package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestConv2DTransposeKit runs Conv2DTranspose through the layer kit against Keras 3: the
// autoencoder's upsampling (3×3, strides 2, "same"), a rectangular "valid" kernel with strides
// larger than it along one axis, output_padding with "same" and with "valid", and dilation.
func TestConv2DTransposeKit(t *testing.T) {
	cases := []struct {
		name    string
		new     func() keras.Layer
		in, out keras.Shape
		weights []keras.Shape
	}{
		{"same_strided", func() keras.Layer { return layers.Conv2DTranspose(4, 3, layers.Strides(2), layers.Padding("same")) },
			keras.Shape{3, 4, 2}, keras.Shape{keras.None, 6, 8, 4}, []keras.Shape{{3, 3, 4, 2}, {4}}},
		{"rect_valid_strides_over_kernel_sigmoid", func() keras.Layer {
			return layers.Conv2DTranspose(2, 0, layers.KernelSize2D(2, 3), layers.Strides(3, 2), layers.Activation("sigmoid"))
		}, keras.Shape{3, 4, 2}, keras.Shape{keras.None, 9, 9, 2}, []keras.Shape{{2, 3, 2, 2}, {2}}},
		{"same_output_padding", func() keras.Layer {
			return layers.Conv2DTranspose(3, 3, layers.Strides(2), layers.Padding("same"), layers.OutputPadding(1))
		}, keras.Shape{3, 3, 2}, keras.Shape{keras.None, 6, 6, 3}, []keras.Shape{{3, 3, 3, 2}, {3}}},
		{"valid_output_padding_nobias", func() keras.Layer {
			return layers.Conv2DTranspose(2, 3, layers.Strides(2), layers.OutputPadding(1, 0), layers.UseBias(false))
		}, keras.Shape{3, 2, 3}, keras.Shape{keras.None, 8, 5, 2}, []keras.Shape{{3, 3, 2, 3}}},
		{"same_dilated", func() keras.Layer {
			return layers.Conv2DTranspose(2, 2, layers.DilationRate(2), layers.Padding("same"))
		},
			keras.Shape{4, 3, 2}, keras.Shape{keras.None, 4, 3, 2}, []keras.Shape{{2, 2, 2, 2}, {2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          c.new,
				InputShapes:  []keras.Shape{c.in},
				OutputShapes: []keras.Shape{c.out},
				Weights:      c.weights,
				BadInputs:    [][]keras.Shape{{{3, 3, 7}}, {{3, 3}}},
				Golden:       "testdata/kit/conv2d_transpose_" + c.name + ".json",
			})
		})
	}
}
