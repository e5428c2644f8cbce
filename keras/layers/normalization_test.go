package layers_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestNormalization: the adapted weights (mean, variance, count) per feature, given statistics
// per feature, inverted with one value for all, one mean for everything (axis None), and a
// middle axis kept (the statistics repeated along the last axis), each against Keras.
func TestNormalization(t *testing.T) {
	cases := []struct {
		name    string
		new     func() keras.Layer
		in      keras.Shape
		weights []keras.Shape
		bad     [][]keras.Shape
	}{
		{"adapted", func() keras.Layer { return layers.Normalization([]int{-1}, nil, nil, false) },
			keras.Shape{2, 3}, []keras.Shape{{3}, {3}, {}}, [][]keras.Shape{{{2, 4}}, {{2, 3}, {2, 3}}}},
		{"given", func() keras.Layer {
			return layers.Normalization([]int{-1}, []float64{0.5, -1, 2}, []float64{4, 0.25, 0.01}, false)
		}, keras.Shape{3}, nil, [][]keras.Shape{{{4}}}},
		{"invert", func() keras.Layer { return layers.Normalization([]int{-1}, []float64{3}, []float64{2}, true) },
			keras.Shape{2, 3}, nil, nil},
		{"all", func() keras.Layer { return layers.Normalization(nil, nil, nil, false) },
			keras.Shape{2, 3}, []keras.Shape{{}, {}, {}}, nil},
		{"middle_axis", func() keras.Layer { return layers.Normalization([]int{1}, nil, nil, false) },
			keras.Shape{2, 3}, []keras.Shape{{2}, {2}, {}}, [][]keras.Shape{{{3, 3}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          c.new,
				InputShapes:  []keras.Shape{c.in},
				OutputShapes: []keras.Shape{append(keras.Shape{none}, c.in...)},
				Weights:      c.weights,
				NonTrainable: len(c.weights),
				BadInputs:    c.bad,
				Golden:       "testdata/kit/normalization_" + c.name + ".json",
			})
		})
	}
}

// TestNormalizationArguments: mean without variance, a negative variance and axes out of range
// are refused naming the layer; Adapt refuses a layer given its statistics and data of the
// wrong shape.
func TestNormalizationArguments(t *testing.T) {
	for _, l := range []*layers.NormalizationLayer{
		layers.Normalization([]int{-1}, []float64{1}, nil, false),
		layers.Normalization([]int{-1}, []float64{1}, []float64{-1}, false),
	} {
		if err := l.Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("got %v, want ErrInvalidArgument", err)
		}
	}
	for _, axis := range [][]int{{0}, {2}, {-3}} {
		if err := layers.Normalization(axis, nil, nil, false).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrShape) {
			t.Errorf("axis %v: got %v, want ErrShape", axis, err)
		}
	}
	given := layers.Normalization([]int{-1}, []float64{1}, []float64{1}, false)
	if err := given.Adapt(kerastest.Float64(wave, 4, 2)); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("Adapt on given statistics: got %v, want ErrInvalidArgument", err)
	}
	l := layers.Normalization([]int{-1}, nil, nil, false)
	if err := l.Call(keras.Input(keras.Shape{3})).Err(); err != nil {
		t.Fatal(err)
	}
	if err := l.Adapt(kerastest.Float64(wave, 4, 2)); !errors.Is(err, keras.ErrShape) {
		t.Errorf("Adapt on 2 features for 3: got %v, want ErrShape", err)
	}
}
