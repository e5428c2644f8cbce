package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// rnnGoldenFile holds Keras 3's outputs for LSTM, GRU, SimpleRNN and Bidirectional models with
// random weights, in float64, written by testdata/rnn_golden.py.
const rnnGoldenFile = "testdata/rnn_golden.json"

type rnnGoldenArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type rnnGoldenCase struct {
	Name          string           `json:"name"`
	Layer         string           `json:"layer"`
	Units         int              `json:"units"`
	Options       map[string]any   `json:"options"`
	Bidirectional *string          `json:"bidirectional"`
	IDs           bool             `json:"ids"`
	Vocab         int              `json:"vocab"`
	Features      int              `json:"features"`
	X             rnnGoldenArray   `json:"x"`
	Weights       []rnnGoldenArray `json:"weights"`
	Outputs       []rnnGoldenArray `json:"outputs"`
	Config        map[string]any   `json:"config"`
}

func loadRNNGolden(t *testing.T) []rnnGoldenCase {
	t.Helper()
	return testenv.GoldenCases[rnnGoldenCase](t, rnnGoldenFile, 30, "KERAS_BACKEND=jax python3 keras/layers/testdata/rnn_golden.py")
}

// rnnOptions turns the Keras keyword arguments of a golden case into options.
func rnnOptions(t *testing.T, kw map[string]any) []any {
	t.Helper()
	var opts []any
	for k, v := range kw {
		switch k {
		case "return_sequences":
			opts = append(opts, layers.ReturnSequences(v.(bool)))
		case "return_state":
			opts = append(opts, layers.ReturnState(v.(bool)))
		case "go_backwards":
			opts = append(opts, layers.GoBackwards(v.(bool)))
		case "use_bias":
			opts = append(opts, layers.UseBias(v.(bool)))
		case "reset_after":
			opts = append(opts, layers.ResetAfter(v.(bool)))
		case "activation":
			opts = append(opts, layers.Activation(v.(string)))
		case "recurrent_activation":
			opts = append(opts, layers.RecurrentActivation(v.(string)))
		default:
			t.Fatalf("golden option %q has no Go counterpart in this test", k)
		}
	}
	return opts
}

// recurrentCaller is what the recurrent layers and Bidirectional have in common.
type recurrentCaller interface {
	keras.Layer
	CallAll(inputs ...*keras.Tensor) []*keras.Tensor
}

func newRecurrent(t *testing.T, kind string, units int, opts []any) recurrentCaller {
	t.Helper()
	var l recurrentCaller
	var err error
	switch kind {
	case "LSTM":
		l, err = withOptions(opts, func(o ...layers.LSTMOption) recurrentCaller { return layers.LSTM(units, o...) })
	case "GRU":
		l, err = withOptions(opts, func(o ...layers.GRUOption) recurrentCaller { return layers.GRU(units, o...) })
	case "SimpleRNN":
		l, err = withOptions(opts, func(o ...layers.SimpleRNNOption) recurrentCaller { return layers.SimpleRNN(units, o...) })
	default:
		t.Fatalf("unknown recurrent layer %q", kind)
	}
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return l
}

func goldenTensor(a rnnGoldenArray) *tensor.Dense {
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(append([]float64(nil), a.Data...)))
}

// TestRecurrentMatchesKeras builds each golden model in Go, sets Keras's weights (which also
// checks that Weights has Keras's get_weights order and shapes), and compares every output.
func TestRecurrentMatchesKeras(t *testing.T) {
	for _, c := range loadRNNGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			var in, h *keras.Tensor
			var x *tensor.Dense
			if c.IDs {
				in = keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
				h = layers.Embedding(c.Vocab, c.Features, layers.MaskZero(true), layers.DType("float64")).Call(in)
				ids := make([]int32, len(c.X.Data))
				for i, v := range c.X.Data {
					ids[i] = int32(v)
				}
				x = tensor.New(tensor.WithShape(c.X.Shape...), tensor.WithBacking(ids))
			} else {
				in = keras.Input(keras.Shape{keras.None, c.Features}, keras.DType("float64"))
				h = in
				x = goldenTensor(c.X)
			}
			var l recurrentCaller = newRecurrent(t, c.Layer, c.Units, rnnOptions(t, c.Options))
			if c.Bidirectional != nil {
				l = layers.Bidirectional(l, layers.MergeMode(*c.Bidirectional))
			}
			outs := l.CallAll(h)
			m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(outs...))
			if err != nil {
				t.Fatal(err)
			}
			ws := make([]*tensor.Dense, len(c.Weights))
			for i, w := range c.Weights {
				ws[i] = goldenTensor(w)
			}
			if err := m.SetWeights(ws); err != nil {
				t.Fatal(err)
			}
			got, err := m.Predict(x, keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.Outputs) {
				t.Fatalf("%d outputs, Keras has %d", len(got), len(c.Outputs))
			}
			for i, want := range c.Outputs {
				if !got[i].Shape().Eq(tensor.Shape(want.Shape)) {
					t.Fatalf("output %d has shape %v, Keras %v", i, got[i].Shape(), want.Shape)
				}
				g := got[i].Data().([]float64)
				worst := 0.0
				for j, w := range want.Data {
					worst = math.Max(worst, math.Abs(g[j]-w))
				}
				if worst > 1e-12 {
					t.Errorf("output %d differs from Keras by up to %.3g:\n got  %.6f\n want %.6f", i, worst, g, want.Data)
				}
			}
			if err := sameConfig(keras.LayerConfig(l), c.Config, ""); err != nil {
				t.Errorf("config: %v", err)
			}
		})
	}
}

// sameConfig compares a Go layer config with Keras's, ignoring names (Keras's carry other
// counters) and comparing initializers by class.
func sameConfig(got, want map[string]any, path string) error {
	norm := func(m map[string]any) map[string]any {
		raw, _ := json.Marshal(m)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	g, w := norm(got), norm(want)
	for k, wv := range w {
		if k == "name" {
			continue
		}
		gv, ok := g[k]
		if !ok {
			return fmt.Errorf("%s%s: missing (Keras: %v)", path, k, wv)
		}
		switch {
		case strings.HasSuffix(k, "_initializer"):
			gc, _ := gv.(map[string]any)
			wc, _ := wv.(map[string]any)
			if gc["class_name"] != wc["class_name"] {
				return fmt.Errorf("%s%s: %v, Keras %v", path, k, gc["class_name"], wc["class_name"])
			}
		case k == "config" || k == "layer" || k == "backward_layer":
			gm, _ := gv.(map[string]any)
			wm, _ := wv.(map[string]any)
			if err := sameConfig(gm, wm, path+k+"."); err != nil {
				return err
			}
		default:
			if !reflect.DeepEqual(gv, wv) {
				return fmt.Errorf("%s%s: %v, Keras %v", path, k, gv, wv)
			}
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			return fmt.Errorf("%s%s: not in Keras's config", path, k)
		}
	}
	return nil
}
