package layers_test

import (
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestMergeLayers(t *testing.T) {
	for _, c := range []struct {
		class  string
		new    func() keras.Layer
		inputs int
	}{
		{"Add", func() keras.Layer { return layers.Add() }, 3},
		{"Subtract", func() keras.Layer { return layers.Subtract() }, 2},
		{"Multiply", func() keras.Layer { return layers.Multiply() }, 3},
		{"Average", func() keras.Layer { return layers.Average() }, 2},
		{"Maximum", func() keras.Layer { return layers.Maximum() }, 2},
		{"Minimum", func() keras.Layer { return layers.Minimum() }, 3},
	} {
		t.Run(c.class, func(t *testing.T) {
			in := make([]keras.Shape, c.inputs)
			for i := range in {
				in[i] = keras.Shape{2, 3}
			}
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          c.new,
				InputShapes:  in,
				OutputShapes: []keras.Shape{{keras.None, 2, 3}},
				BadInputs:    [][]keras.Shape{{{2, 3}}, {{2, 3}, {3, 2}}},
				Golden:       "testdata/kit/" + strings.ToLower(c.class) + ".json",
			})
		})
	}
}

// TestMergeBroadcast: merge layers broadcast inputs of one rank where one dimension is 1, as
// Keras's do (MobileNetV3's and EfficientNet's squeeze-and-excite gate, (N, 1, 1, C), times
// the (N, H, W, C) image); gradients flow back through the broadcast.
func TestMergeBroadcast(t *testing.T) {
	for _, c := range []struct {
		name string
		new  func() keras.Layer
	}{
		{"multiply", func() keras.Layer { return layers.Multiply() }},
		{"maximum", func() keras.Layer { return layers.Maximum() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          c.new,
				InputShapes:  []keras.Shape{{3, 1, 2}, {3, 4, 1}},
				OutputShapes: []keras.Shape{{keras.None, 3, 4, 2}},
				BadInputs:    [][]keras.Shape{{{3, 1, 2}, {2, 4, 2}}, {{3, 4, 2}, {4, 2}}},
				Golden:       "testdata/kit/" + c.name + "_broadcast.json",
			})
		})
	}
}
