package layers_test

import (
	"math"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// arange returns 0, 1, 2, ... as a float32 tensor of the given shape.
func arange(shape ...int) *tensor.Dense {
	n := tensor.Shape(shape).TotalSize()
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(i)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}

// constants returns float32 tensors filled with the given value, one per shape.
func filled(v float32, shape ...int) *tensor.Dense {
	t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
	for i := range t.Data().([]float32) {
		t.Data().([]float32)[i] = v
	}
	return t
}

// kerasConstantWeights returns the weights Keras's tests set with Constant initializers:
// kernel 0.01, recurrent kernel 0.02, bias 0.03 (the LSTM forget gate's slice 1 with
// unit_forget_bias).
func kerasConstantWeights(l keras.Layer, gates, features, units int, unitForgetBias bool) []*tensor.Dense {
	ws := []*tensor.Dense{filled(0.01, features, gates*units), filled(0.02, units, gates*units)}
	if len(l.Variables()) == 3 {
		shape := l.Variables()[2].Shape()
		b := filled(0.03, shape...)
		if unitForgetBias {
			for i := units; i < 2*units; i++ {
				b.Data().([]float32)[i] = 1
			}
		}
		ws = append(ws, b)
	}
	return ws
}

// predictOne runs a one-layer model on x and returns its first output.
func predictOne(t *testing.T, in, out *keras.Tensor, weights []*tensor.Dense, x *tensor.Dense) []float32 {
	t.Helper()
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if weights != nil {
		if err := m.SetWeights(weights); err != nil {
			t.Fatal(err)
		}
	}
	got, err := m.Predict(x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	return got[0].Data().([]float32)
}

func closeTo(t *testing.T, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values %v, want %d %v", len(got), got, len(want), want)
	}
	for i, w := range want {
		if math.Abs(float64(got[i])-w) > tol {
			t.Fatalf("got %v,\nwant %v", got, want)
		}
	}
}

func rep(v []float64, n int) []float64 {
	var out []float64
	for _, x := range v {
		for range n {
			out = append(out, x)
		}
	}
	return out
}

// TestLSTMKerasValues reproduces keras/src/layers/rnn/lstm_test.py (KERAS.md §3.3): input
// arange(72).reshape(3, 6, 4), 3 units, constant weights.
func TestLSTMKerasValues(t *testing.T) {
	cases := []struct {
		name           string
		opts           []layers.LSTMOption
		unitForgetBias bool
		want           []float64
	}{
		{"default", nil, true, []float64{0.6288687, 0.86899155, 0.9460773}},
		{"go backwards", []layers.LSTMOption{layers.GoBackwards(true)}, true, []float64{0.35622165, 0.74789524, 0.8872726}},
		{"unit forget bias false", []layers.LSTMOption{layers.UnitForgetBias(false)}, false, []float64{0.57019705, 0.8661914, 0.9459622}},
		{"no bias", []layers.LSTMOption{layers.UseBias(false)}, false, []float64{0.54986924, 0.86226785, 0.9443936}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(keras.Shape{keras.None, 4})
			l := layers.LSTM(3, c.opts...)
			out := l.Call(in)
			got := predictOne(t, in, out, kerasConstantWeights(l, 4, 4, 3, c.unitForgetBias), arange(3, 6, 4))
			closeTo(t, got, rep(c.want, 3), 1e-6)
		})
	}
}

// maskedArange feeds arange(24).reshape(2, 4, 3) through an Embedding whose rows are those
// vectors, with ids 0 where Keras's test masks: [[T, T, T, F], [T, T, F, F]].
func maskedArange(t *testing.T) (in, x *keras.Tensor, table, ids *tensor.Dense) {
	t.Helper()
	in = keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	x = layers.Embedding(7, 3, layers.MaskZero(true)).Call(in)
	table = tensor.New(tensor.WithShape(7, 3), tensor.Of(tensor.Float32))
	src := arange(2, 4, 3).Data().([]float32)
	rows := [][2]int{{1, 0}, {2, 1}, {3, 2}, {4, 4}, {5, 5}} // id → position in arange
	for _, r := range rows {
		copy(table.Data().([]float32)[r[0]*3:(r[0]+1)*3], src[r[1]*3:(r[1]+1)*3])
	}
	ids = tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]int32{1, 2, 3, 0, 4, 5, 0, 0}))
	return in, x, table, ids
}

// TestLSTMMaskingKerasValues: Keras's masking test (KERAS.md §3.3), mask from MaskZero.
func TestLSTMMaskingKerasValues(t *testing.T) {
	cases := []struct {
		name string
		seq  bool
		want []float64
	}{
		{"last output", false, rep([]float64{0.11755939, 0.28556206}, 2)},
		{"sequences repeat the last valid output", true, rep([]float64{
			0.0158891, 0.05552048, 0.11755939, 0.11755939,
			0.14185596, 0.28556206, 0.28556206, 0.28556206}, 2)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, x, table, ids := maskedArange(t)
			l := layers.LSTM(2, layers.ReturnSequences(c.seq))
			out := l.Call(x)
			ws := append([]*tensor.Dense{table}, kerasConstantWeights(l, 4, 3, 2, true)...)
			closeTo(t, predictOne(t, in, out, ws, ids), c.want, 1e-6)
		})
	}
}

// TestLSTMPaddingIsIgnored: with MaskZero, padding the ids (before, after, or both) does not
// change the LSTM's output, in every variant. A Dense between the two passes the mask on and
// keeps Fit and Predict from dropping the padding themselves (see keras/bucket.go), so the
// LSTM does see the padded steps.
func TestLSTMPaddingIsIgnored(t *testing.T) {
	ids := []int32{5, 3, 8, 1}
	variants := []struct {
		name string
		opts []layers.LSTMOption
	}{
		{"forward", nil},
		{"go backwards", []layers.LSTMOption{layers.GoBackwards(true)}},
		{"states", []layers.LSTMOption{layers.ReturnState(true)}},
	}
	paddings := []struct {
		name        string
		before, end int
	}{{"none", 0, 0}, {"after", 0, 5}, {"before", 3, 0}, {"both", 2, 7}}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			keras.SetRandomSeed(21)
			in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
			x := layers.Dense(4, layers.Activation("tanh")).Call(layers.Embedding(10, 4, layers.MaskZero(true)).Call(in))
			outs := layers.LSTM(5, v.opts...).CallAll(x)
			m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(outs...))
			if err != nil {
				t.Fatal(err)
			}
			var ref [][]float32
			for _, p := range paddings {
				row := append(append(make([]int32, p.before), ids...), make([]int32, p.end)...)
				got, err := m.Predict(tensor.New(tensor.WithShape(1, len(row)), tensor.WithBacking(row)), keras.Verbose(0))
				if err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					for _, g := range got {
						ref = append(ref, g.Data().([]float32))
					}
					continue
				}
				for i, g := range got {
					for j, x := range g.Data().([]float32) {
						if math.Abs(float64(x-ref[i][j])) > 1e-6 {
							t.Fatalf("padding %s: output %d is %v, unpadded %v", p.name, i, g.Data(), ref[i])
						}
					}
				}
			}
		})
	}
}

// TestLSTMUnitForgetBias: the forget gate's bias starts at exactly 1 whatever the
// initializer; without UnitForgetBias the initializer fills everything.
func TestLSTMUnitForgetBias(t *testing.T) {
	cases := []struct {
		name       string
		opts       []layers.LSTMOption
		gate, rest float32 // NaN: random
	}{
		{"zeros", nil, 1, 0},
		{"ones", []layers.LSTMOption{layers.BiasInitializer("ones")}, 1, 1},
		{"random", []layers.LSTMOption{layers.BiasInitializer("random_normal")}, 1, float32(math.NaN())},
		{"off", []layers.LSTMOption{layers.UnitForgetBias(false)}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(keras.Shape{keras.None, 2})
			l := layers.LSTM(4, c.opts...)
			if err := l.Call(in).Err(); err != nil {
				t.Fatal(err)
			}
			b := l.Variables()[2].Value.Data().([]float32)
			for i, v := range b {
				want := c.rest
				if i >= 4 && i < 8 {
					want = c.gate
				}
				if !math.IsNaN(float64(want)) && v != want {
					t.Fatalf("bias %v", b)
				}
				if math.IsNaN(float64(want)) && (v == 0 || v == 1) {
					t.Fatalf("bias %v: random slices hold %v", b, v)
				}
			}
		})
	}
}

// TestLSTMKit runs LSTM through the layer kit against Keras 3: the whole sequence, and the
// reversed sequence with the final states as extra outputs.
func TestLSTMKit(t *testing.T) {
	weights := []keras.Shape{{3, 8}, {2, 8}, {8}}
	t.Run("return_sequences", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New:          func() keras.Layer { return layers.LSTM(2, layers.ReturnSequences(true)) },
			InputShapes:  []keras.Shape{{4, 3}},
			OutputShapes: []keras.Shape{{none, 4, 2}},
			Weights:      weights,
			BadInputs:    [][]keras.Shape{{{4, 2}}, {{3}}},
			Golden:       "testdata/kit/lstm_sequences.json",
			Grad:         kerastest.GradCheckOptions{MaxEntries: 8},
		})
	})
	t.Run("go_backwards_state", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.LSTM(2, layers.GoBackwards(true), layers.ReturnState(true))
			},
			InputShapes:  []keras.Shape{{4, 3}},
			OutputShapes: []keras.Shape{{none, 2}, {none, 2}, {none, 2}},
			Weights:      weights,
			BadInputs:    [][]keras.Shape{{{4, 5}}},
			Golden:       "testdata/kit/lstm_backwards_state.json",
			Grad:         kerastest.GradCheckOptions{MaxEntries: 8},
		})
	})
}
