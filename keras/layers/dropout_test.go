package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestDropout(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Dropout(0.4) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}, {3, 2}}},
		NoGradients:  "the training loss depends on a fresh random mask every step",
	})
}

// TestDropoutTrainingScales: in the training graph, a fraction rate of the entries is zeroed
// and the rest scaled by 1/(1-rate), so the mean of (dropout(1))² over many entries is
// 1/(1-rate); at inference the layer is the identity (the kit's saving check predicts).
func TestDropoutTrainingScales(t *testing.T) {
	keras.SetRandomSeed(3)
	const n, rate = 4000, 0.5
	loss := trainingModel(t, layers.Dropout(rate), keras.Shape{n})(1, 0)
	// mean(mask²) = keep·(1/keep)² = 2; its standard error over 4000 entries is about 0.03.
	if want := 1 / (1 - rate); math.Abs(loss-want) > 0.15 {
		t.Errorf("training loss %v, want about %v", loss, want)
	}
}

// checkWholeSampleDrops checks that a layer dropping whole samples at rate keeps (scaled by
// 1/(1-rate)) or drops the one sample of ones of its trainingModel entirely at each of 40
// steps, never in part: the loss against zeros is exactly 0 or 1/(1-rate)², and each happens
// at least 8 times.
func checkWholeSampleDrops(t *testing.T, loss func(x, y float64) float64, rate float64) {
	t.Helper()
	kept := 0
	const steps = 40
	for i := 0; i < steps; i++ {
		l := loss(1, 0)
		switch {
		case math.Abs(l-1/((1-rate)*(1-rate))) < 1e-12:
			kept++
		case l != 0:
			t.Fatalf("step %d: training loss %v, want 0 (dropped) or %v (kept): the sample was dropped in part", i, l, 1/((1-rate)*(1-rate)))
		}
	}
	if kept < 8 || kept > steps-8 {
		t.Errorf("kept %d of %d samples at rate %v", kept, steps, rate)
	}
}

// TestDropoutNoiseShape: with noise_shape (None, 1, 1) Keras's Dropout keeps or drops each
// sample's entries together, as EfficientNet's blocks use it. The config round-trips and
// Keras loads the Go-written file (golden: identity at inference); in training, on one
// sample of 2×32 ones, the mean squared output is exactly 0 or 1/(1-rate)², and both occur.
func TestDropoutNoiseShape(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Dropout(0.2, layers.NoiseShape(keras.Shape{keras.None, 1, 1})) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3}}, {{3, 2}, {3, 2}}},
		Golden:       "testdata/kit/dropout_noise_shape.json",
		NoGradients:  "the training loss depends on a fresh random mask every step",
	})
	keras.SetRandomSeed(7)
	const rate = 0.5
	checkWholeSampleDrops(t, trainingModel(t, layers.Dropout(rate, layers.NoiseShape(keras.Shape{keras.None, 1, 1})), keras.Shape{2, 32}), rate)
}
