package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestBidirectional(t *testing.T) {
	lstm := []keras.Shape{{4, 12}, {3, 12}, {12}}
	t.Run("concat", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.Bidirectional(layers.LSTM(3)) },
			InputShapes:  []keras.Shape{{5, 4}},
			OutputShapes: []keras.Shape{{keras.None, 6}},
			Weights:      append(append([]keras.Shape{}, lstm...), lstm...),
			BadInputs:    [][]keras.Shape{{{5, 3}}, {{4}}},
			Golden:       "testdata/kit/bidirectional_lstm.json",
			Grad:         kerastest.GradCheckOptions{MaxEntries: 8},
		})
	})
	t.Run("sum_sequences", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.Bidirectional(layers.SimpleRNN(2, layers.ReturnSequences(true)), layers.MergeMode("sum"))
			},
			InputShapes:  []keras.Shape{{4, 3}},
			OutputShapes: []keras.Shape{{keras.None, 4, 2}},
			Weights:      []keras.Shape{{3, 2}, {2, 2}, {2}, {3, 2}, {2, 2}, {2}},
			BadInputs:    [][]keras.Shape{{{4, 2}}},
			Golden:       "testdata/kit/bidirectional_simple_rnn_sum.json",
			Grad:         kerastest.GradCheckOptions{MaxEntries: 8},
		})
	})
}
