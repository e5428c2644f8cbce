package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestGRUKerasValues reproduces keras/src/layers/rnn/gru_test.py (KERAS.md §3.4): input
// arange(72).reshape(3, 6, 4), 3 units, kernel 0.01, recurrent kernel 0.02, bias 0.03.
func TestGRUKerasValues(t *testing.T) {
	cases := []struct {
		name string
		opts []layers.GRUOption
		want []float64
	}{
		{"default", nil, []float64{0.5217289, 0.6371659, 0.39384964}},
		{"go backwards", []layers.GRUOption{layers.GoBackwards(true)}, []float64{0.24406259, 0.611516, 0.3928808}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(keras.Shape{keras.None, 4})
			l := layers.GRU(3, c.opts...)
			out := l.Call(in)
			if got := l.Variables()[2].Shape(); !got.Equal(keras.Shape{2, 9}) {
				t.Fatalf("bias shape %v, want (2, 9) with reset_after", got)
			}
			got := predictOne(t, in, out, kerasConstantWeights(l, 3, 4, 3, false), arange(3, 6, 4))
			closeTo(t, got, rep(c.want, 3), 1e-6)
		})
	}
}

// TestGRUKit runs GRU through the layer kit against Keras 3: reset_after true (Keras's
// default, two bias rows) over the whole sequence, and reset_after false (one bias row) on the
// reversed sequence.
func TestGRUKit(t *testing.T) {
	t.Run("reset_after_sequences", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.GRU(2, layers.ReturnSequences(true)) },
			InputShapes:  []keras.Shape{{4, 3}},
			OutputShapes: []keras.Shape{{none, 4, 2}},
			Weights:      []keras.Shape{{3, 6}, {2, 6}, {2, 6}},
			BadInputs:    [][]keras.Shape{{{4, 2}}, {{3}}},
			Golden:       "testdata/kit/gru_reset_after_sequences.json",
			Grad:         kerastest.GradCheckOptions{MaxEntries: 8},
		})
	})
	t.Run("reset_before_backwards", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.GRU(2, layers.ResetAfter(false), layers.GoBackwards(true))
			},
			InputShapes:  []keras.Shape{{4, 3}},
			OutputShapes: []keras.Shape{{none, 2}},
			Weights:      []keras.Shape{{3, 6}, {2, 6}, {6}},
			BadInputs:    [][]keras.Shape{{{4, 5}}},
			Golden:       "testdata/kit/gru_reset_before_backwards.json",
			Grad:         kerastest.GradCheckOptions{MaxEntries: 8},
		})
	})
}
