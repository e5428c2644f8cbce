package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestPooling1DOutputShapes holds KERAS.md §3.6's shape table (Keras's pooling tests) and
// the rules for "same" padding, default strides and unknown lengths.
func TestPooling1DOutputShapes(t *testing.T) {
	runConvShapeCases(t, []convShapeCase{
		{"keras pool 2 stride 1 valid", keras.Shape{5, 4}, func() caller { return layers.MaxPooling1D(2, layers.Strides(1)) }, keras.Shape{none, 4, 4}, 0},
		{"keras pool 2 stride 1 same", keras.Shape{5, 4}, func() caller { return layers.MaxPooling1D(2, layers.Strides(1), layers.Padding("same")) }, keras.Shape{none, 5, 4}, 0},
		{"keras pool 2 strides 2 valid", keras.Shape{5, 4}, func() caller { return layers.MaxPooling1D(2, layers.Strides(2)) }, keras.Shape{none, 2, 4}, 0},
		{"strides default to pool size", keras.Shape{11, 3}, func() caller { return layers.MaxPooling1D(5) }, keras.Shape{none, 2, 3}, 0},
		{"same pool 5 on 11", keras.Shape{11, 3}, func() caller { return layers.MaxPooling1D(5, layers.Padding("same")) }, keras.Shape{none, 3, 3}, 0},
		{"average valid", keras.Shape{8, 2}, func() caller { return layers.AveragePooling1D(3) }, keras.Shape{none, 2, 2}, 0},
		{"average same stride 2", keras.Shape{7, 2}, func() caller { return layers.AveragePooling1D(3, layers.Strides(2), layers.Padding("same")) }, keras.Shape{none, 4, 2}, 0},
		{"pool equals length", keras.Shape{4, 2}, func() caller { return layers.MaxPooling1D(4) }, keras.Shape{none, 1, 2}, 0},
		{"unknown length", keras.Shape{none, 6}, func() caller { return layers.MaxPooling1D(5) }, keras.Shape{none, none, 6}, 0},
		{"unknown channels", keras.Shape{10, none}, func() caller { return layers.AveragePooling1D(2) }, keras.Shape{none, 5, none}, 0},
	})
}

// TestPooling1DErrors checks that mistakes surface at NewModel, naming the layer.
func TestPooling1DErrors(t *testing.T) {
	runConvErrCases(t, []convErrCase{
		{"pool longer than input", keras.Shape{3, 4}, func() caller { return layers.MaxPooling1D(5) }, keras.ErrShape, []string{"pool size 5", "length 3"}},
		{"rank 2 input", keras.Shape{8}, func() caller { return layers.AveragePooling1D(2) }, keras.ErrShape, []string{"rank 3"}},
		{"causal padding", keras.Shape{8, 2}, func() caller { return layers.MaxPooling1D(2, layers.Padding("causal")) }, keras.ErrInvalidArgument, []string{`"causal"`}},
		{"zero pool", keras.Shape{8, 2}, func() caller { return layers.MaxPooling1D(0) }, keras.ErrInvalidArgument, []string{"pool_size"}},
		{"negative strides", keras.Shape{8, 2}, func() caller { return layers.MaxPooling1D(2, layers.Strides(-2)) }, keras.ErrInvalidArgument, []string{"Strides"}},
	})
}

// TestPooling1DGradients checks the gradient through max and average pooling (into a Dense
// layer in front) for valid and same padding and overlapping windows.
func TestPooling1DGradients(t *testing.T) {
	cases := []struct {
		name string
		l    func() caller
	}{
		{"max valid", func() caller { return layers.MaxPooling1D(2) }},
		{"max same pool 3 stride 2", func() caller { return layers.MaxPooling1D(3, layers.Strides(2), layers.Padding("same")) }},
		{"max overlapping stride 1", func() caller { return layers.MaxPooling1D(3, layers.Strides(1)) }},
		{"average valid", func() caller { return layers.AveragePooling1D(3) }},
		{"average same pool 4 stride 1", func() caller { return layers.AveragePooling1D(4, layers.Strides(1), layers.Padding("same")) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			convCheckModelGradients(t, keras.Shape{9, 3}, 2, func(x *keras.Tensor) *keras.Tensor {
				return c.l().Call(layers.Dense(2, layers.BiasInitializer("ones")).Call(x))
			})
		})
	}
}

// TestPooling1DKit runs MaxPooling1D and AveragePooling1D through the layer kit against
// Keras 3, with "same" padding, where a max ignores the padding and an average divides by
// the real steps only.
func TestPooling1DKit(t *testing.T) {
	t.Run("max_same_stride1", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.MaxPooling1D(2, layers.Strides(1), layers.Padding("same")) },
			InputShapes:  []keras.Shape{{5, 3}},
			OutputShapes: []keras.Shape{{keras.None, 5, 3}},
			BadInputs:    [][]keras.Shape{{{5}}, {{5, 3}, {5, 3}}},
			Golden:       "testdata/kit/max_pooling1d_same.json",
		})
	})
	t.Run("average_same_strided", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.AveragePooling1D(3, layers.Strides(2), layers.Padding("same")) },
			InputShapes:  []keras.Shape{{6, 2}},
			OutputShapes: []keras.Shape{{keras.None, 3, 2}},
			BadInputs:    [][]keras.Shape{{{6, 2, 1}}},
			Golden:       "testdata/kit/average_pooling1d_same.json",
		})
	})
}
