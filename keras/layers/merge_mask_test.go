package layers_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// mergeMaskGoldenFile holds the output masks Keras 3 attaches to Concatenate and the merge
// layers fed with embeddings, written by testdata/merge_mask_golden.py.
const mergeMaskGoldenFile = "testdata/merge_mask_golden.json"

type mergeMaskInput struct {
	IDs      [][]int32 `json:"ids"`
	MaskZero bool      `json:"mask_zero"`
	Dim      int       `json:"dim"`
}

type mergeMaskCase struct {
	Name        string           `json:"name"`
	Layer       string           `json:"layer"`
	Axis        *int             `json:"axis"`
	Inputs      []mergeMaskInput `json:"inputs"`
	OutputShape []int            `json:"output_shape"`
	Mask        [][]int          `json:"mask"` // nil: Keras attaches no mask
}

// mergeLayer returns a new layer of the Keras class of a golden case.
func mergeLayer(t *testing.T, c mergeMaskCase) interface {
	Call(...*keras.Tensor) *keras.Tensor
} {
	t.Helper()
	switch c.Layer {
	case "Concatenate":
		return layers.Concatenate(layers.Axis(*c.Axis))
	case "Add":
		return layers.Add()
	case "Subtract":
		return layers.Subtract()
	case "Multiply":
		return layers.Multiply()
	case "Average":
		return layers.Average()
	case "Maximum":
		return layers.Maximum()
	case "Minimum":
		return layers.Minimum()
	}
	t.Fatalf("golden layer %q has no Go counterpart in this test", c.Layer)
	return nil
}

func ids2D(rows [][]int32) *tensor.Dense {
	var flat []int32
	for _, r := range rows {
		flat = append(flat, r...)
	}
	return tensor.New(tensor.WithShape(len(rows), len(rows[0])), tensor.WithBacking(flat))
}

// TestMergeMasksKerasValues: the mask a merge layer or Concatenate attaches to its output is
// Keras 3's (time-axis concatenation concatenates the masks, a missing one counting as ones;
// feature-axis concatenation and the element-wise merges OR them; an element-wise merge with
// an unmasked input has no mask), read through a probe layer that outputs it.
func TestMergeMasksKerasValues(t *testing.T) {
	cases := testenv.GoldenCases[mergeMaskCase](t, mergeMaskGoldenFile, 18, "KERAS_BACKEND=jax python3 keras/layers/testdata/merge_mask_golden.py")
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var ins, embs []*keras.Tensor
			var xs []*tensor.Dense
			for _, spec := range c.Inputs {
				in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
				ins = append(ins, in)
				embs = append(embs, layers.Embedding(8, spec.Dim, layers.MaskZero(spec.MaskZero)).Call(in))
				xs = append(xs, ids2D(spec.IDs))
			}
			merged := mergeLayer(t, c).Call(embs...)
			m, err := keras.NewModel(keras.Inputs(ins...), keras.Outputs(merged, newMaskProbe().Call(merged)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Predict(xs, keras.Verbose(0))
			if c.Mask == nil {
				if err == nil || !strings.Contains(err.Error(), "no mask") {
					t.Fatalf("Predict error %v, want the probe's \"no mask\": Keras attaches none", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got[0].Shape()) != fmt.Sprint(tensor.Shape(c.OutputShape)) {
				t.Errorf("output shape %v, Keras %v", got[0].Shape(), c.OutputShape)
			}
			var want []float64
			for _, row := range c.Mask {
				for _, v := range row {
					want = append(want, float64(v))
				}
			}
			if got[1].Shape()[0] != len(c.Mask) {
				t.Fatalf("mask shape %v, Keras (%d, %d)", got[1].Shape(), len(c.Mask), len(c.Mask[0]))
			}
			closeTo(t, got[1].Data().([]float32), want, 0)
		})
	}
}

// TestMergedMasksReachLSTM: an LSTM after a merge of embeddings sees the merged mask. With
// every input masked, padding the ids does not change its output; with an unmasked input,
// an element-wise merge has no mask (Keras 3) and feature concatenation an all-ones one, so
// the LSTM computes every step: its output equals that of the same model, same weights,
// built with no mask at all.
func TestMergedMasksReachLSTM(t *testing.T) {
	merges := []struct {
		name  string
		merge func(a, b *keras.Tensor) *keras.Tensor
	}{
		{"concatenate features", func(a, b *keras.Tensor) *keras.Tensor { return layers.Concatenate().Call(a, b) }},
		{"add", func(a, b *keras.Tensor) *keras.Tensor { return layers.Add().Call(a, b) }},
		{"subtract", func(a, b *keras.Tensor) *keras.Tensor { return layers.Subtract().Call(a, b) }},
		{"multiply", func(a, b *keras.Tensor) *keras.Tensor { return layers.Multiply().Call(a, b) }},
		{"average", func(a, b *keras.Tensor) *keras.Tensor { return layers.Average().Call(a, b) }},
		{"maximum", func(a, b *keras.Tensor) *keras.Tensor { return layers.Maximum().Call(a, b) }},
		{"minimum", func(a, b *keras.Tensor) *keras.Tensor { return layers.Minimum().Call(a, b) }},
	}
	// build returns the model embedding the ids twice (masked as given) -> merge -> LSTM.
	build := func(t *testing.T, merge func(a, b *keras.Tensor) *keras.Tensor, mask1, mask2 bool) *keras.Model {
		t.Helper()
		keras.SetRandomSeed(3)
		in := keras.Input(keras.Shape{keras.None}, keras.DType("int32"))
		e1 := layers.Embedding(10, 3, layers.MaskZero(mask1)).Call(in)
		e2 := layers.Embedding(10, 3, layers.MaskZero(mask2)).Call(in)
		m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.LSTM(2).Call(merge(e1, e2))))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	predict := func(t *testing.T, m *keras.Model, ids ...int32) []float32 {
		t.Helper()
		got, err := m.Predict(tensor.New(tensor.WithShape(1, len(ids)), tensor.WithBacking(ids)), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		return got[0].Data().([]float32)
	}
	far := func(a, b []float32) bool {
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-6 {
				return true
			}
		}
		return false
	}
	for _, mg := range merges {
		t.Run(mg.name+"/both masked", func(t *testing.T) {
			m := build(t, mg.merge, true, true)
			short := predict(t, m, 5)
			for _, ids := range [][]int32{{5, 0, 0}, {0, 5}, {0, 0, 5, 0, 0, 0}} {
				if got := predict(t, m, ids...); far(got, short) {
					t.Errorf("ids %v: %v, ids [5]: %v; padding must not count", ids, got, short)
				}
			}
		})
		t.Run(mg.name+"/masked and unmasked", func(t *testing.T) {
			m := build(t, mg.merge, true, false)
			ref := build(t, mg.merge, false, false)
			if err := ref.SetWeights(m.Weights()); err != nil {
				t.Fatal(err)
			}
			padded := predict(t, m, 5, 0, 0)
			if want := predict(t, ref, 5, 0, 0); far(padded, want) {
				t.Errorf("ids [5, 0, 0]: %v, without any mask %v; the LSTM must see every step", padded, want)
			}
			if short := predict(t, m, 5); !far(padded, short) {
				t.Errorf("ids [5, 0, 0] and [5] give one output %v: the padding was masked", short)
			}
		})
	}
}
