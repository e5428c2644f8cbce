package layers_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func int32s(shape []int, v ...int32) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// Keras's embedding_test: embeddings [[0, 0], [2, 2], [3, 3]], ids [2, 1, 0] → [[3, 3], [2, 2],
// [0, 0]] (KERAS.md §3.2), for ids of several ranks.
func TestEmbeddingLookup(t *testing.T) {
	table := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{0, 0, 2, 2, 3, 3}))
	cases := []struct {
		name  string
		shape keras.Shape // Input shape, batch excluded
		ids   *tensor.Dense
		want  []float32
		out   keras.Shape
	}{
		{"one id per sample", keras.Shape{}, int32s([]int{3}, 2, 1, 0), []float32{3, 3, 2, 2, 0, 0}, keras.Shape{keras.None, 2}},
		{"sequences", keras.Shape{keras.None}, int32s([]int{1, 3}, 2, 1, 0), []float32{3, 3, 2, 2, 0, 0}, keras.Shape{keras.None, keras.None, 2}},
		{"rank 3", keras.Shape{2, keras.None}, int32s([]int{1, 2, 2}, 2, 1, 0, 2), []float32{3, 3, 2, 2, 0, 0, 3, 3}, keras.Shape{keras.None, 2, keras.None, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(c.shape, keras.DType("int32"))
			out := layers.Embedding(3, 2).Call(in)
			if !out.Shape().Equal(c.out) {
				t.Errorf("output shape %v, want %v", out.Shape(), c.out)
			}
			got := predictOne(t, in, out, []*tensor.Dense{table}, c.ids)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// maskProbe is a test layer that outputs the mask of its input, so tests see what
// Embedding(MaskZero) attaches.
type maskProbe struct{ keras.LayerBase }

func newMaskProbe() *maskProbe {
	p := &maskProbe{}
	p.Init("MaskProbe", "")
	return p
}

func (p *maskProbe) ClassName() string                   { return "MaskProbe" }
func (p *maskProbe) Build([]keras.Shape) error           { return nil }
func (p *maskProbe) Config() map[string]any              { return map[string]any{} }
func (p *maskProbe) Call(in *keras.Tensor) *keras.Tensor { return keras.CallOne(p, in) }
func (p *maskProbe) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return []keras.Shape{in[0][:len(in[0])-1]}, nil
}
func (p *maskProbe) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	m := ctx.Mask(in[0])
	if m == nil {
		return nil, errors.New("no mask")
	}
	return []*G.Node{m}, nil
}

func TestEmbeddingMaskZero(t *testing.T) {
	in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	out := newMaskProbe().Call(layers.Embedding(5, 3, layers.MaskZero(true)).Call(in))
	got := predictOne(t, in, out, nil, int32s([]int{2, 3}, 2, 1, 0, 0, 4, 0))
	if want := "[1 1 0 0 1 0]"; fmt.Sprint(got) != want {
		t.Errorf("mask %v, want %s", got, want)
	}
	// Without MaskZero there is no mask.
	in = keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(newMaskProbe().Call(layers.Embedding(5, 3).Call(in))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(int32s([]int{1, 2}, 1, 0), keras.Verbose(0)); err == nil || !strings.Contains(err.Error(), "no mask") {
		t.Errorf("error %v, want no mask", err)
	}
}

// Ids outside [0, inputDim) make Fit and Predict fail with ErrData naming the layer and the
// id, before Gorgonia reads out of bounds; the model keeps working.
func TestEmbeddingIDsOutOfRange(t *testing.T) {
	in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
	out := layers.LSTM(2).Call(layers.Embedding(10, 3, layers.Name("words")).Call(in))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	y := tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32))
	cases := []struct {
		name string
		ids  *tensor.Dense
		msg  string
	}{
		{"id equal to input_dim", int32s([]int{2, 3}, 1, 2, 3, 4, 10, 5), "token id 10 at index [1 1]"},
		{"negative id", int32s([]int{2, 3}, 1, -1, 3, 4, 5, 6), "token id -1 at index [0 1]"},
		{"int64 ids", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int64{1, 2, 3, 4, 5, 99})), "token id 99"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, fitErr := m.Fit(c.ids, y, keras.Verbose(0), keras.Shuffle(false))
			_, predErr := m.Predict(c.ids, keras.Verbose(0))
			for _, err := range []error{fitErr, predErr} {
				var le *keras.LayerError
				if !errors.Is(err, keras.ErrData) || !errors.As(err, &le) || le.Layer != "words" || !strings.Contains(err.Error(), c.msg) {
					t.Errorf("error %v, want ErrData from layer words with %q", err, c.msg)
				}
			}
		})
	}
	if _, err := m.Fit(int32s([]int{2, 3}, 1, 2, 3, 4, 9, 0), y, keras.Verbose(0)); err != nil {
		t.Errorf("valid ids after failures: %v", err)
	}
}

func TestEmbeddingErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		l    *layers.EmbeddingLayer
	}{
		{"zero input dim", layers.Embedding(0, 2)},
		{"negative output dim", layers.Embedding(3, -2)},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
			if _, err := keras.NewModel(keras.Inputs(in), keras.Outputs(c.l.Call(in))); !errors.Is(err, keras.ErrInvalidArgument) {
				t.Errorf("error %v, want ErrInvalidArgument", err)
			}
		})
	}
}

// The config has Keras 3's keys (keras.layers.Embedding(10, 4).get_config(), Keras 3.15).
func TestEmbeddingConfig(t *testing.T) {
	l := layers.Embedding(10, 4, layers.MaskZero(true))
	cfg := keras.LayerConfig(l)
	var keys []string
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := "activity_regularizer dtype embeddings_constraint embeddings_initializer embeddings_regularizer input_dim mask_zero name output_dim quantization_config trainable"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("keys %s\nwant %s", got, want)
	}
	init, _ := cfg["embeddings_initializer"].(map[string]any)
	if cfg["input_dim"] != 10 || cfg["output_dim"] != 4 || cfg["mask_zero"] != true || init["class_name"] != "RandomUniform" {
		t.Errorf("config %v", cfg)
	}
}

// TestEmbeddingKit runs Embedding through the layer kit against Keras 3, with and without
// mask_zero. The kit's models take float32 inputs, so the ids are whole float32 values (which
// Keras and kerago cast to integers); ids are not differentiable, so the kit's gradient check,
// which needs its own float inputs, is skipped.
func TestEmbeddingKit(t *testing.T) {
	ids := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float32{1, 4, 0, 2, 3, 3, 0, 0}))
	for _, maskZero := range []bool{false, true} {
		name, golden := "plain", "testdata/kit/embedding.json"
		if maskZero {
			name, golden = "mask_zero", "testdata/kit/embedding_mask_zero.json"
		}
		t.Run(name, func(t *testing.T) {
			kerastest.RunLayerTest(t, kerastest.LayerCase{
				New:          func() keras.Layer { return layers.Embedding(5, 3, layers.MaskZero(maskZero)) },
				InputShapes:  []keras.Shape{{4}},
				Inputs:       []*tensor.Dense{ids},
				OutputShapes: []keras.Shape{{none, 4, 3}},
				Weights:      []keras.Shape{{5, 3}},
				BadInputs:    [][]keras.Shape{{{4}, {4}}},
				Golden:       golden,
				NoGradients:  "token ids are not differentiable",
			})
		})
	}
}
