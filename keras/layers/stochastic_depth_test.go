package layers_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestStochasticDepth: ConvNeXt's StochasticDepth is the identity at inference (the golden
// file is Keras's predictions on the Go-written model, which needs the module), with its
// config and module as Keras writes them.
func TestStochasticDepth(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.StochasticDepth(0.3) },
		InputShapes:  []keras.Shape{{3, 2, 4}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2, 4}},
		BadInputs:    [][]keras.Shape{{{3, 2, 4}, {3, 2, 4}}},
		Golden:       "testdata/kit/stochastic_depth.json",
		NoGradients:  "the training loss depends on a fresh random mask every step",
	})
	for _, rate := range []float64{-0.1, 1, math.NaN()} {
		if err := layers.StochasticDepth(rate).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
			t.Errorf("drop_path_rate %v: got %v, want ErrInvalidArgument", rate, err)
		}
	}
}

// TestStochasticDepthDropsWholeSamples: in training a sample's whole branch is kept (scaled
// by 1/(1-rate)) or dropped, never single entries: on one sample of 64 ones, the mean
// squared output is exactly 0 or 1/(1-rate)², and over 40 steps both happen.
func TestStochasticDepthDropsWholeSamples(t *testing.T) {
	keras.SetRandomSeed(5)
	const rate = 0.5
	checkWholeSampleDrops(t, trainingModel(t, layers.StochasticDepth(rate), keras.Shape{64}), rate)
}
