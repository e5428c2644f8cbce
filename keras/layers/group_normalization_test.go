package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestGroupNormalization: two groups of three channels over images, instance normalization
// (groups -1) over sequences, and no weights (center and scale off), each against Keras.
func TestGroupNormalization(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.GroupNormalization(2, 1e-3, true, true) },
		InputShapes:  []keras.Shape{{3, 2, 6}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2, 6}},
		Weights:      []keras.Shape{{6}, {6}},
		BadInputs:    [][]keras.Shape{{{3, 2, 5}}, {{3, 2, 6}, {3, 2, 6}}},
		Golden:       "testdata/kit/group_normalization.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.GroupNormalization(-1, 0.01, true, true) },
		InputShapes:  []keras.Shape{{4, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 3}},
		Weights:      []keras.Shape{{3}, {3}},
		Golden:       "testdata/kit/group_normalization_instance.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.GroupNormalization(1, 1e-3, false, false) },
		InputShapes:  []keras.Shape{{4}},
		OutputShapes: []keras.Shape{{keras.None, 4}},
		Golden:       "testdata/kit/group_normalization_plain.json",
	})
}

// TestGroupNormalizationConfig: groups -1 is saved as the channels, as Keras's config after
// build; groups that do not divide the channels and bad arguments are refused.
func TestGroupNormalizationConfig(t *testing.T) {
	l := layers.GroupNormalization(-1, 1e-3, true, true)
	if err := l.Call(keras.Input(keras.Shape{2, 5})).Err(); err != nil {
		t.Fatal(err)
	}
	if got := l.Config()["groups"]; got != 5 {
		t.Errorf("groups = %v after build, want 5", got)
	}
	if err := layers.GroupNormalization(4, 1e-3, true, true).Call(keras.Input(keras.Shape{6})).Err(); !errors.Is(err, keras.ErrShape) {
		t.Errorf("4 groups of 6 channels: got %v, want ErrShape", err)
	}
	for _, l := range []*layers.GroupNormalizationLayer{layers.GroupNormalization(0, 1e-3, true, true), layers.GroupNormalization(2, 0, true, true)} {
		if err := l.Call(keras.Input(keras.Shape{4})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("got %v, want ErrInvalidArgument", err)
		}
	}
}
