package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestBatchNormalization(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.BatchNormalization(layers.Momentum(0.9)) },
		InputShapes:  []keras.Shape{{2, 3}},
		BatchSize:    3,
		OutputShapes: []keras.Shape{{keras.None, 2, 3}},
		// gamma, beta, then the moving statistics, which are not trained.
		Weights:      []keras.Shape{{3}, {3}, {3}, {3}},
		NonTrainable: 2,
		BadInputs:    [][]keras.Shape{{{2, 4}}, {{2, 3}, {2, 3}}},
		Golden:       "testdata/kit/batch_normalization.json",
	})
}
