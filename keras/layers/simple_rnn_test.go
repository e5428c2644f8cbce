package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestSimpleRNNKit runs SimpleRNN through the layer kit against Keras 3: the last output with
// the default tanh, and the whole reversed sequence with relu.
func TestSimpleRNNKit(t *testing.T) {
	weights := []keras.Shape{{3, 2}, {2, 2}, {2}}
	t.Run("last_tanh", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.SimpleRNN(2) },
			InputShapes:  []keras.Shape{{4, 3}},
			OutputShapes: []keras.Shape{{none, 2}},
			Weights:      weights,
			BadInputs:    [][]keras.Shape{{{4, 2}}, {{3}}},
			Golden:       "testdata/kit/simple_rnn_last.json",
			Grad:         kerastest.GradCheckOptions{MaxEntries: 8},
		})
	})
	t.Run("sequences_backwards_relu", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.SimpleRNN(2, layers.ReturnSequences(true), layers.GoBackwards(true), layers.Activation("relu"))
			},
			InputShapes:  []keras.Shape{{4, 3}},
			OutputShapes: []keras.Shape{{none, 4, 2}},
			Weights:      weights,
			BadInputs:    [][]keras.Shape{{{4, 5}}},
			Golden:       "testdata/kit/simple_rnn_sequences_backwards_relu.json",
			Grad:         kerastest.GradCheckOptions{MaxEntries: 8},
		})
	})
}
