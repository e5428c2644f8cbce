package layers_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// TestMasking: the steps of all zeros (the mask value) come out zero, the others unchanged, as
// Keras's (the golden file); the gradient check keeps the zero steps zero, so the mask does
// not move under its probes.
func TestMasking(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 4, 3), tensor.WithBacking([]float32{
		0.3, -0.7, 0.1, 0, 0, 0, 0.9, 0, -0.2, 0, 0, 0,
		0, 0, 0, -0.5, 0.4, 0.8, 0, 0, 0, 0.6, -0.1, 0.2,
	}))
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Masking(0) },
		InputShapes:  []keras.Shape{{4, 3}},
		Inputs:       []*tensor.Dense{x},
		OutputShapes: []keras.Shape{{none, 4, 3}},
		BadInputs:    [][]keras.Shape{{{4, 3}, {4, 3}}, {{}}},
		Golden:       "testdata/kit/masking.json",
	})
}

// maskingLSTMGolden is written by testdata/masking_lstm_golden.py.
type maskingLSTMGolden struct {
	MaskValue   float64 `json:"mask_value"`
	Units       int     `json:"units"`
	X           any     `json:"x"`
	Unpadded    any     `json:"unpadded"`
	Last        any     `json:"last"`
	Sequences   any     `json:"sequences"`
	MaskedInput any     `json:"masked_input"`
}

// flatJSON flattens a nested JSON list of numbers, returning its values and shape.
func flatJSON(v any) ([]float64, []int) {
	l, ok := v.([]any)
	if !ok {
		return []float64{v.(float64)}, nil
	}
	var out []float64
	var inner []int
	for _, e := range l {
		vals, s := flatJSON(e)
		out, inner = append(out, vals...), s
	}
	return out, append([]int{len(l)}, inner...)
}

func jsonTensor(v any) *tensor.Dense {
	vals, shape := flatJSON(v)
	f := make([]float32, len(vals))
	for i, x := range vals {
		f[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
}

// maxDiff is the largest |got − want| over a float32 output and a JSON list.
func maxDiff(t *testing.T, got *tensor.Dense, want any) float64 {
	t.Helper()
	w, shape := flatJSON(want)
	if !got.Shape().Eq(tensor.Shape(shape)) {
		t.Fatalf("output shape %v, want %v", got.Shape(), shape)
	}
	d := 0.0
	for i, g := range got.Data().([]float32) {
		d = math.Max(d, math.Abs(float64(g)-w[i]))
	}
	return d
}

// maskedLSTM returns Masking followed by an LSTM with the golden script's weights, for
// sequences of the given length.
func maskedLSTM(t *testing.T, g maskingLSTMGolden, steps int, seqs bool) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{steps, 3})
	lstm := layers.LSTM(g.Units, layers.ReturnSequences(seqs))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(lstm.Call(layers.Masking(g.MaskValue).Call(in))))
	if err != nil {
		t.Fatal(err)
	}
	var ws []*tensor.Dense
	for k, w := range m.Weights() {
		s := w.Shape()
		vals := make([]float32, s.TotalSize())
		for i := range vals {
			vals[i] = float32(0.3 * math.Sin(0.7*float64(i)+float64(k)))
		}
		ws = append(ws, tensor.New(tensor.WithShape(s...), tensor.WithBacking(vals)))
	}
	if err := m.SetWeights(ws); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMaskingLSTMKerasValues: an LSTM after Masking gives Keras 3's outputs on sequences
// padded with the mask value after and before their steps, and its last output equals the
// unpadded sequences' (the padded steps are skipped, not read as data).
func TestMaskingLSTMKerasValues(t *testing.T) {
	raw, err := os.ReadFile("testdata/masking_lstm_golden.json")
	if err != nil {
		t.Fatalf("%v (regenerate: KERAS_BACKEND=jax python3 keras/layers/testdata/masking_lstm_golden.py)", err)
	}
	var g maskingLSTMGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	x, unpadded := jsonTensor(g.X), jsonTensor(g.Unpadded)
	steps := x.Shape()[1]
	for _, c := range []struct {
		name string
		seqs bool
		want any
	}{{"last", false, g.Last}, {"sequences", true, g.Sequences}} {
		got, err := maskedLSTM(t, g, steps, c.seqs).Predict([]*tensor.Dense{x}, keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		d := maxDiff(t, got[0], c.want)
		t.Logf("%s: max |Go − Keras| = %.3g", c.name, d)
		if d > 1e-5 {
			t.Errorf("%s: max difference to Keras %g", c.name, d)
		}
	}
	got, err := maskedLSTM(t, g, unpadded.Shape()[1], false).Predict([]*tensor.Dense{unpadded}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(t, got[0], g.Last); d > 1e-6 {
		t.Errorf("unpadded sequences' last output differs from the padded ones' by %g", d)
	}
}

// TestMaskingGradients: training through Masking differentiates: the gradients of PReLU's
// alpha (before Masking) and of the LSTM's weights (after it) match finite differences on
// sequences padded with zero steps, the mask's comparison contributing none.
func TestMaskingGradients(t *testing.T) {
	in := keras.Input(keras.Shape{4, 3}, keras.DType("float64"))
	h := layers.Masking(0).Call(layers.PReLU("ones", nil).Call(in))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.LSTM(2).Call(h)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
		t.Fatal(err)
	}
	x := kerastest.Float64(func(i int) float64 {
		if step := i / 3 % 4; (i < 12 && step >= 2) || (i >= 12 && step == 0) {
			return 0 // padding: row 0 after two steps, row 1 before three
		}
		return math.Sin(1.7*float64(i)) - 0.2
	}, 2, 4, 3)
	y := kerastest.Float64(func(i int) float64 { return 0.3 * float64(i%3) }, 2, 2)
	kerastest.CheckGradients(t, m, x, y, kerastest.GradCheckOptions{})
}
