package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestZeroPadding2DOutputShapes checks the symmetric and per-side forms.
func TestZeroPadding2DOutputShapes(t *testing.T) {
	runConvShapeCases(t, []convShapeCase{
		{"int", keras.Shape{4, 5, 3}, func() caller { return layers.ZeroPadding2D(1) }, keras.Shape{none, 6, 7, 3}, 0},
		{"sides", keras.Shape{4, 5, 3}, func() caller { return layers.ZeroPadding2DSides(1, 2, 0, 3) }, keras.Shape{none, 7, 8, 3}, 0},
		{"zero", keras.Shape{4, 5, 3}, func() caller { return layers.ZeroPadding2D(0) }, keras.Shape{none, 4, 5, 3}, 0},
		{"unknown height", keras.Shape{none, 5, 3}, func() caller { return layers.ZeroPadding2D(2) }, keras.Shape{none, none, 9, 3}, 0},
	})
}

// TestZeroPadding2DErrors checks rank mistakes and negative padding.
func TestZeroPadding2DErrors(t *testing.T) {
	runConvErrCases(t, []convErrCase{
		{"rank 3", keras.Shape{4, 3}, func() caller { return layers.ZeroPadding2D(1) }, keras.ErrShape, []string{"rank 4"}},
		{"negative", keras.Shape{4, 4, 3}, func() caller { return layers.ZeroPadding2DSides(0, -1, 0, 0) }, keras.ErrInvalidArgument, []string{"non-negative"}},
	})
}

// TestZeroPadding2DGradients checks the gradient through the padding (into a Dense layer in
// front and a valid Conv2D behind, which sees the zeros).
func TestZeroPadding2DGradients(t *testing.T) {
	convCheckModelGradients(t, keras.Shape{3, 4, 2}, 2, func(x *keras.Tensor) *keras.Tensor {
		x = layers.Dense(2, layers.BiasInitializer("ones")).Call(x)
		x = layers.ZeroPadding2DSides(1, 2, 0, 1).Call(x)
		return layers.Conv2D(2, 3).Call(x)
	})
}

// TestZeroPadding2DKit runs ZeroPadding2D through the layer kit against Keras 3: the same
// padding on every side, and a different padding on each.
func TestZeroPadding2DKit(t *testing.T) {
	t.Run("symmetric", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.ZeroPadding2D(1) },
			InputShapes:  []keras.Shape{{3, 4, 2}},
			OutputShapes: []keras.Shape{{none, 5, 6, 2}},
			BadInputs:    [][]keras.Shape{{{3, 4}}, {{3, 4, 2, 1}}},
			Golden:       "testdata/kit/zero_padding2d_symmetric.json",
		})
	})
	t.Run("sides", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.ZeroPadding2DSides(1, 2, 0, 3) },
			InputShapes:  []keras.Shape{{3, 4, 2}},
			OutputShapes: []keras.Shape{{none, 6, 7, 2}},
			BadInputs:    [][]keras.Shape{{{3, 4}}},
			Golden:       "testdata/kit/zero_padding2d_sides.json",
		})
	})
}
