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
