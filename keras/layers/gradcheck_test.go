package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// layerGradCase describes a tiny float64 model around a layer for a gradient check: an input,
// an optional Embedding(MaskZero) or Dense in front (so that the gradient with respect to the
// layer's input is checked too, through the weights before it), the layer's outputs as model
// outputs, each with an mse loss.
type layerGradCase struct {
	name string
	// call applies the layers under test to the (embedded) sequence and returns the outputs.
	call func(x *keras.Tensor) []*keras.Tensor
	// ids feeds padded token ids through Embedding(vocab, features, MaskZero(true)); otherwise
	// float sequences go through a Dense(features) first.
	ids bool
	// batch, steps, features of the data (ids: batch × steps from padIDs).
	batch, steps, features int
}

// padIDs are token ids with padding (0) at the end, at the start and in the middle.
var padIDs = [][]int{{3, 1, 4, 1, 5, 0, 0}, {0, 0, 2, 6, 5, 3, 5}, {6, 0, 2, 0, 0, 1, 0}}

const padVocab = 7

func idsTensor(rows [][]int) *tensor.Dense {
	var data []int32
	for _, r := range rows {
		for _, v := range r {
			data = append(data, int32(v))
		}
	}
	return tensor.New(tensor.WithShape(len(rows), len(rows[0])), tensor.WithBacking(data))
}

// seqWave gives deterministic, irregular sequence values.
func seqWave(i int) float64 { return math.Sin(1.3*float64(i)+0.7) * math.Cos(0.21*float64(i)) }

// checkLayerGradients builds the case's model, compiles it with mse losses and compares the
// gradient of the loss with respect to every trainable weight, computed by the training path
// (Model.Gradients), with central finite differences (kerastest.CheckGradients).
func checkLayerGradients(t *testing.T, c layerGradCase) {
	t.Helper()
	keras.SetRandomSeed(11)
	var in, x *keras.Tensor
	var data *tensor.Dense
	if c.ids {
		in = keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
		x = layers.Embedding(padVocab, c.features, layers.MaskZero(true), layers.DType("float64"),
			layers.EmbeddingsInitializer("glorot_uniform")).Call(in)
		data = idsTensor(padIDs)
	} else {
		in = keras.Input(keras.Shape{keras.None, c.features}, keras.DType("float64"))
		x = layers.Dense(c.features).Call(in)
		data = kerastest.Float64(seqWave, c.batch, c.steps, c.features)
	}
	outs := c.call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(outs...))
	if err != nil {
		t.Fatal(err)
	}
	losses := make([]string, len(outs))
	targets := make([]*tensor.Dense, len(outs))
	batch, steps := data.Shape()[0], data.Shape()[1]
	for i, o := range outs {
		losses[i] = "mse"
		shape := o.Shape()
		shape[0] = batch
		if len(shape) > 2 {
			shape[1] = steps
		}
		targets[i] = kerastest.Float64(func(j int) float64 { return 0.3 * math.Sin(0.7*float64(j+5*i)) }, shape...)
	}
	if err := m.Compile("sgd", losses); err != nil {
		t.Fatal(err)
	}
	kerastest.CheckGradients(t, m, data, targets, kerastest.GradCheckOptions{Tol: 1e-6, MaxEntries: 60})
}

func TestRecurrentGradients(t *testing.T) {
	one := func(l interface {
		CallAll(...*keras.Tensor) []*keras.Tensor
	}) func(x *keras.Tensor) []*keras.Tensor {
		return func(x *keras.Tensor) []*keras.Tensor { return l.CallAll(x) }
	}
	seq, state := layers.ReturnSequences(true), layers.ReturnState(true)
	float := func(name string, call func(*keras.Tensor) []*keras.Tensor) layerGradCase {
		return layerGradCase{name: name, call: call, batch: 3, steps: 5, features: 4}
	}
	masked := func(name string, call func(*keras.Tensor) []*keras.Tensor) layerGradCase {
		return layerGradCase{name: name, call: call, ids: true, features: 4}
	}
	cases := []layerGradCase{
		float("LSTM", one(layers.LSTM(3))),
		float("LSTM sequences and states", one(layers.LSTM(3, seq, state))),
		float("LSTM go backwards", one(layers.LSTM(3, seq, state, layers.GoBackwards(true)))),
		float("LSTM no bias", one(layers.LSTM(3, layers.UseBias(false), layers.ReturnState(true)))),
		float("LSTM hard sigmoid softsign", one(layers.LSTM(3, layers.RecurrentActivation("hard_sigmoid"), layers.Activation("softsign")))),
		{name: "LSTM one step", call: one(layers.LSTM(2, seq, state)), batch: 2, steps: 1, features: 3},
		masked("LSTM masked", one(layers.LSTM(3, seq, state))),
		masked("LSTM masked backwards", one(layers.LSTM(3, layers.GoBackwards(true), layers.ReturnState(true)))),
		float("LSTM stacked", func(x *keras.Tensor) []*keras.Tensor {
			return []*keras.Tensor{layers.LSTM(2).Call(layers.LSTM(3, layers.ReturnSequences(true)).Call(x))}
		}),
		float("GRU", one(layers.GRU(3, seq, state))),
		float("GRU go backwards", one(layers.GRU(3, layers.GoBackwards(true), layers.ReturnState(true)))),
		float("GRU no bias", one(layers.GRU(3, layers.UseBias(false)))),
		float("GRU reset before", one(layers.GRU(3, seq, state, layers.ResetAfter(false)))),
		masked("GRU masked", one(layers.GRU(3, seq, state))),
		masked("GRU reset before masked", one(layers.GRU(3, layers.ResetAfter(false), layers.GoBackwards(true), layers.ReturnSequences(true)))),
		float("SimpleRNN", one(layers.SimpleRNN(3, seq, state))),
		float("SimpleRNN relu backwards", one(layers.SimpleRNN(3, layers.Activation("relu"), layers.GoBackwards(true)))),
		masked("SimpleRNN masked", one(layers.SimpleRNN(3, seq, state))),
		float("Bidirectional LSTM", one(layers.Bidirectional(layers.LSTM(2, layers.ReturnSequences(true))))),
		masked("Bidirectional LSTM masked", one(layers.Bidirectional(layers.LSTM(2, seq, state)))),
		masked("Bidirectional GRU sum", one(layers.Bidirectional(layers.GRU(2, layers.ReturnState(true)), layers.MergeMode("sum")))),
		float("Bidirectional SimpleRNN none", one(layers.Bidirectional(layers.SimpleRNN(2, layers.ReturnSequences(true)), layers.MergeMode("none")))),
		float("Bidirectional mul and ave", func(x *keras.Tensor) []*keras.Tensor {
			a := layers.Bidirectional(layers.LSTM(2), layers.MergeMode("mul")).Call(x)
			b := layers.Bidirectional(layers.GRU(2), layers.MergeMode("ave")).Call(x)
			return []*keras.Tensor{a, b}
		}),
		float("shared LSTM", func(x *keras.Tensor) []*keras.Tensor {
			l := layers.LSTM(3)
			y := layers.Dense(4, layers.Activation("tanh")).Call(x)
			return []*keras.Tensor{layers.Concatenate().Call(l.Call(x), l.Call(y))}
		}),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkLayerGradients(t, c) })
	}
}

func TestEmbeddingGradients(t *testing.T) {
	cases := []struct {
		name     string
		maskZero bool
		then     func(x *keras.Tensor) *keras.Tensor
	}{
		{"lookup", false, func(x *keras.Tensor) *keras.Tensor { return x }},
		{"mask zero into LSTM", true, func(x *keras.Tensor) *keras.Tensor { return layers.LSTM(2).Call(x) }},
		{"dense on top", false, func(x *keras.Tensor) *keras.Tensor { return layers.Dense(2, layers.Activation("tanh")).Call(x) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keras.SetRandomSeed(5)
			in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
			e := layers.Embedding(padVocab, 3, layers.MaskZero(c.maskZero), layers.DType("float64"), layers.EmbeddingsInitializer("glorot_uniform"))
			out := c.then(e.Call(in))
			m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Compile("sgd", "mse"); err != nil {
				t.Fatal(err)
			}
			shape := out.Shape()
			shape[0] = len(padIDs)
			if shape[1] == keras.None {
				shape[1] = len(padIDs[0])
			}
			y := kerastest.Float64(func(j int) float64 { return 0.2 * math.Cos(float64(j)) }, shape...)
			kerastest.CheckGradients(t, m, idsTensor(padIDs), y, kerastest.GradCheckOptions{Tol: 1e-6, MaxEntries: 60})
		})
	}
}
