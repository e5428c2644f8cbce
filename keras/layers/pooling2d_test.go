package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestPooling2DOutputShapes checks the output-shape rules per axis.
func TestPooling2DOutputShapes(t *testing.T) {
	runConvShapeCases(t, []convShapeCase{
		{"max 2 valid", keras.Shape{5, 4, 2}, func() caller { return layers.MaxPooling2D(2) }, keras.Shape{none, 2, 2, 2}, 0},
		{"max 3 stride 2 same", keras.Shape{7, 8, 2}, func() caller { return layers.MaxPooling2D(3, layers.Strides(2), layers.Padding("same")) }, keras.Shape{none, 4, 4, 2}, 0},
		{"average 3 stride 2 same (inception branch C)", keras.Shape{8, 8, 16}, func() caller {
			return layers.AveragePooling2D(3, layers.Strides(2), layers.Padding("same"))
		}, keras.Shape{none, 4, 4, 16}, 0},
		{"average per-axis strides", keras.Shape{6, 6, 1}, func() caller { return layers.AveragePooling2D(2, layers.Strides(1, 2)) }, keras.Shape{none, 5, 3, 1}, 0},
		{"unknown size", keras.Shape{none, none, 3}, func() caller { return layers.MaxPooling2D(2) }, keras.Shape{none, none, none, 3}, 0},
	})
}

// TestPooling2DErrors checks that mistakes surface at NewModel, naming the layer.
func TestPooling2DErrors(t *testing.T) {
	runConvErrCases(t, []convErrCase{
		{"pool taller than input", keras.Shape{1, 8, 4}, func() caller { return layers.MaxPooling2D(2) }, keras.ErrShape, []string{"pool size 2", "axis 1"}},
		{"rank 3 input", keras.Shape{8, 3}, func() caller { return layers.AveragePooling2D(2) }, keras.ErrShape, []string{"rank 4"}},
		{"unknown padding", keras.Shape{8, 8, 2}, func() caller { return layers.MaxPooling2D(2, layers.Padding("full")) }, keras.ErrInvalidArgument, []string{`"full"`}},
	})
}

// TestPooling2DGradients checks the gradient through 2-D max and average pooling (into a
// Dense layer in front).
func TestPooling2DGradients(t *testing.T) {
	cases := []struct {
		name string
		l    func() caller
	}{
		{"max valid", func() caller { return layers.MaxPooling2D(2) }},
		{"max same 3 stride 2", func() caller { return layers.MaxPooling2D(3, layers.Strides(2), layers.Padding("same")) }},
		{"average same 3 stride 2", func() caller { return layers.AveragePooling2D(3, layers.Strides(2), layers.Padding("same")) }},
		{"average valid stride (1, 2)", func() caller { return layers.AveragePooling2D(2, layers.Strides(1, 2)) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			convCheckModelGradients(t, keras.Shape{5, 6, 2}, 2, func(x *keras.Tensor) *keras.Tensor {
				return c.l().Call(layers.Dense(2, layers.BiasInitializer("ones")).Call(x))
			})
		})
	}
}

// TestPooling2DKit runs MaxPooling2D and AveragePooling2D through the layer kit against
// Keras 3: "same" padding on odd sizes and default strides, and an overlapping average.
func TestPooling2DKit(t *testing.T) {
	t.Run("max_same", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.MaxPooling2D(2, layers.Padding("same")) },
			InputShapes:  []keras.Shape{{5, 5, 2}},
			OutputShapes: []keras.Shape{{keras.None, 3, 3, 2}},
			BadInputs:    [][]keras.Shape{{{5, 5}}, {{5, 5, 2}, {5, 5, 2}}},
			Golden:       "testdata/kit/max_pooling2d_same.json",
		})
	})
	t.Run("average_same_stride1", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.AveragePooling2D(2, layers.Strides(1), layers.Padding("same")) },
			InputShapes:  []keras.Shape{{4, 5, 2}},
			OutputShapes: []keras.Shape{{keras.None, 4, 5, 2}},
			BadInputs:    [][]keras.Shape{{{4, 5}}},
			Golden:       "testdata/kit/average_pooling2d_same.json",
		})
	})
}
