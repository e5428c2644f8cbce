package layers_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestGaussianDropout: in inference the layer is the identity, as Keras's (the golden file).
func TestGaussianDropout(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.GaussianDropout(0.2) },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}, {3, 2}}},
		NoGradients:  "the training loss depends on fresh noise every step",
		Golden:       "testdata/kit/gaussian_dropout.json",
	})
}

// TestGaussianDropoutTrainingStatistics: in training, on ones against ones, the loss is the
// noise's variance rate/(1−rate); against zeros it is 1 + that, so the noise has mean 1.
func TestGaussianDropoutTrainingStatistics(t *testing.T) {
	keras.SetRandomSeed(6)
	const n, rate = 4000, 0.5
	v := rate / (1 - rate) // 1; the standard error of its estimate over 4000 entries is about 0.02
	if loss := trainingLoss(t, layers.GaussianDropout(rate), n, 1, 1); math.Abs(loss-v) > 0.1 {
		t.Errorf("ones against ones: training loss %v, want about %v", loss, v)
	}
	if loss := trainingLoss(t, layers.GaussianDropout(rate), n, 1, 0); math.Abs(loss-(1+v)) > 0.15 {
		t.Errorf("ones against zeros: training loss %v, want about %v", loss, 1+v)
	}
}

// TestGaussianDropoutConfig: Keras's range for the rate is enforced.
func TestGaussianDropoutConfig(t *testing.T) {
	if err := layers.GaussianDropout(-0.1).Call(keras.Input(keras.Shape{2})).Err(); !errors.Is(err, keras.ErrInvalidArgument) {
		t.Errorf("GaussianDropout(-0.1): got %v, want ErrInvalidArgument", err)
	}
}
