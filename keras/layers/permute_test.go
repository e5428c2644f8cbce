package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestPermute: a rank-4 permutation that moves every axis, so no two are confused.
func TestPermute(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Permute([]int{3, 1, 2}) },
		InputShapes:  []keras.Shape{{2, 3, 4}},
		OutputShapes: []keras.Shape{{keras.None, 4, 2, 3}},
		BadInputs:    [][]keras.Shape{{{2, 3}}, {{2, 3, 4, 1}}},
		Golden:       "testdata/kit/permute.json",
	})
}

// TestPermuteConfig: dims that are not a permutation of 1 … n are refused, as in Keras.
func TestPermuteConfig(t *testing.T) {
	for _, dims := range [][]int{{0, 1}, {1, 1}, {2, 3}, nil} {
		if err := layers.Permute(dims).Call(keras.Input(keras.Shape{2, 2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("Permute(%v): got %v, want ErrInvalidArgument", dims, err)
		}
	}
}
