package layers_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// TestRecurrentShapesAndWeights: output shapes with None time steps, weight names, shapes,
// Keras 3 paths and parameter counts of every recurrent layer.
func TestRecurrentShapesAndWeights(t *testing.T) {
	cases := []struct {
		name    string
		layer   recurrentCaller
		outs    []keras.Shape
		weights []string // path shape
		params  int
	}{
		{"LSTM", layers.LSTM(16, layers.Name("l")), []keras.Shape{{keras.None, 16}},
			[]string{"l/lstm_cell/kernel (64, 64)", "l/lstm_cell/recurrent_kernel (16, 64)", "l/lstm_cell/bias (64,)"}, 5184},
		{"LSTM sequences and states", layers.LSTM(3, layers.Name("l2"), layers.ReturnSequences(true), layers.ReturnState(true)),
			[]keras.Shape{{keras.None, keras.None, 3}, {keras.None, 3}, {keras.None, 3}},
			[]string{"l2/lstm_cell/kernel (64, 12)", "l2/lstm_cell/recurrent_kernel (3, 12)", "l2/lstm_cell/bias (12,)"}, 4 * (3*(64+3) + 3)},
		{"LSTM no bias", layers.LSTM(2, layers.Name("l3"), layers.UseBias(false)), []keras.Shape{{keras.None, 2}},
			[]string{"l3/lstm_cell/kernel (64, 8)", "l3/lstm_cell/recurrent_kernel (2, 8)"}, 4 * 2 * 66},
		{"GRU", layers.GRU(5, layers.Name("g"), layers.ReturnState(true)), []keras.Shape{{keras.None, 5}, {keras.None, 5}},
			[]string{"g/gru_cell/kernel (64, 15)", "g/gru_cell/recurrent_kernel (5, 15)", "g/gru_cell/bias (2, 15)"}, 3*5*69 + 2*15},
		{"GRU reset before", layers.GRU(5, layers.Name("g2"), layers.ResetAfter(false)), []keras.Shape{{keras.None, 5}},
			[]string{"g2/gru_cell/kernel (64, 15)", "g2/gru_cell/recurrent_kernel (5, 15)", "g2/gru_cell/bias (15,)"}, 3*5*69 + 15},
		{"SimpleRNN", layers.SimpleRNN(4, layers.Name("s"), layers.ReturnSequences(true)), []keras.Shape{{keras.None, keras.None, 4}},
			[]string{"s/simple_rnn_cell/kernel (64, 4)", "s/simple_rnn_cell/recurrent_kernel (4, 4)", "s/simple_rnn_cell/bias (4,)"}, 4*68 + 4},
		{"Bidirectional", layers.Bidirectional(layers.LSTM(3, layers.Name("inner"), layers.ReturnState(true)), layers.Name("bi")),
			[]keras.Shape{{keras.None, 6}, {keras.None, 3}, {keras.None, 3}, {keras.None, 3}, {keras.None, 3}},
			[]string{
				"bi/forward_inner/lstm_cell/kernel (64, 12)", "bi/forward_inner/lstm_cell/recurrent_kernel (3, 12)", "bi/forward_inner/lstm_cell/bias (12,)",
				"bi/backward_inner/lstm_cell/kernel (64, 12)", "bi/backward_inner/lstm_cell/recurrent_kernel (3, 12)", "bi/backward_inner/lstm_cell/bias (12,)",
			}, 2 * 4 * (3*67 + 3)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(keras.Shape{keras.None, 64})
			outs := c.layer.CallAll(in)
			var shapes []keras.Shape
			for _, o := range outs {
				if err := o.Err(); err != nil {
					t.Fatal(err)
				}
				shapes = append(shapes, o.Shape())
			}
			if fmt.Sprint(shapes) != fmt.Sprint(c.outs) {
				t.Errorf("output shapes %v, want %v", shapes, c.outs)
			}
			var ws []string
			n := 0
			for _, v := range c.layer.Variables() {
				ws = append(ws, fmt.Sprintf("%s %v", v.Path, v.Shape()))
				n += v.Shape().Size()
			}
			if strings.Join(ws, "; ") != strings.Join(c.weights, "; ") {
				t.Errorf("weights\n %v\nwant\n %v", ws, c.weights)
			}
			if n != c.params {
				t.Errorf("%d parameters, want %d", n, c.params)
			}
		})
	}
}

// TestRecurrentErrors: mistakes surface at NewModel (or Call), typed and naming the layer;
// nothing panics.
func TestRecurrentErrors(t *testing.T) {
	seq := func() *keras.Tensor { return keras.Input(keras.Shape{keras.None, 4}) }
	cases := []struct {
		name  string
		call  func() *keras.Tensor
		is    error
		layer string
	}{
		{"zero units", func() *keras.Tensor { return layers.LSTM(0, layers.Name("z")).Call(seq()) }, keras.ErrInvalidArgument, "z"},
		{"unknown activation", func() *keras.Tensor { return layers.LSTM(2, layers.Name("a"), layers.Activation("gelu")).Call(seq()) }, keras.ErrUnknownName, "a"},
		{"rank 2 input", func() *keras.Tensor { return layers.GRU(2, layers.Name("r")).Call(keras.Input(keras.Shape{4})) }, keras.ErrShape, "r"},
		{"unknown features", func() *keras.Tensor {
			return layers.LSTM(2, layers.Name("f")).Call(keras.Input(keras.Shape{keras.None, keras.None}))
		}, keras.ErrShape, "f"},
		{"two inputs", func() *keras.Tensor { return layers.LSTM(2, layers.Name("two")).Call(seq(), seq()) }, keras.ErrShape, "two"},
		{"shared with other features", func() *keras.Tensor {
			l := layers.SimpleRNN(2, layers.Name("sh"))
			l.Call(seq())
			return l.Call(keras.Input(keras.Shape{keras.None, 5}))
		}, keras.ErrShape, "sh"},
		{"Bidirectional of a Dense", func() *keras.Tensor { return layers.Bidirectional(layers.Dense(2), layers.Name("bd")).Call(seq()) }, keras.ErrInvalidArgument, "bd"},
		{"Bidirectional of a called layer", func() *keras.Tensor {
			l := layers.LSTM(2)
			l.Call(seq())
			return layers.Bidirectional(l, layers.Name("bc")).Call(seq())
		}, keras.ErrInvalidArgument, "bc"},
		{"unknown merge mode", func() *keras.Tensor {
			return layers.Bidirectional(layers.GRU(2), layers.Name("bm"), layers.MergeMode("max")).Call(seq())
		}, keras.ErrInvalidArgument, "bm"},
		{"Bidirectional of a bad layer", func() *keras.Tensor {
			return layers.Bidirectional(layers.LSTM(-1), layers.Name("bb")).Call(seq())
		}, keras.ErrInvalidArgument, "bb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := c.call()
			_, err := keras.NewModel(keras.Inputs(keras.Input(keras.Shape{keras.None, 4})), keras.Outputs(out))
			if !errors.Is(err, c.is) {
				t.Fatalf("error %v, want %v", err, c.is)
			}
			var le *keras.LayerError
			if !errors.As(err, &le) || le.Layer != c.layer {
				t.Errorf("error %v does not name layer %q", err, c.layer)
			}
		})
	}
}

// TestRecurrentDefaultNames: Keras's snake-cased names, and Bidirectional's copies named
// after the wrapped layer.
func TestRecurrentDefaultNames(t *testing.T) {
	keras.ClearSession() // resets the name counters
	names := []string{
		layers.LSTM(1).Name(), layers.LSTM(1).Name(), layers.GRU(1).Name(), layers.SimpleRNN(1).Name(),
	}
	b := layers.Bidirectional(layers.LSTM(1))
	names = append(names, b.Name(), b.ForwardLayer().Name(), b.BackwardLayer().Name(), layers.Embedding(2, 2).Name())
	want := "lstm lstm_1 gru simple_rnn bidirectional forward_lstm_2 backward_lstm_2 embedding"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("names %q, want %q", got, want)
	}
}
