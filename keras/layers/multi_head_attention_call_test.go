package layers_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// attentionMaskValues returns a (batch, rows..., T, S) attention mask of 0s and 1s with
// some masked pairs in every row, one query row masked whole and one entry 2 (nonzero
// counts as true, as Keras casts the mask to bool).
func attentionMaskValues(shape ...int) *tensor.Dense {
	return kerastest.Float64(func(i int) float64 {
		switch {
		case i == 3:
			return 2
		case i/shape[len(shape)-1] == 1: // the second query row: masked whole
			return 0
		case (i*7)%5 == 0:
			return 0
		}
		return 1
	}, shape...)
}

// float32Of converts a float64 tensor to float32.
func float32Of(x *tensor.Dense) *tensor.Dense {
	v := x.Float64s()
	f := make([]float32, len(v))
	for i := range v {
		f[i] = float32(v[i])
	}
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(f))
}

// sinInputs returns RunLayerTest's default input values for the shapes (batch 2), in
// float64.
func sinInputs(shapes ...keras.Shape) []*tensor.Dense {
	var xs []*tensor.Dense
	for k, s := range shapes {
		xs = append(xs, kerastest.Float64(func(i int) float64 { return math.Sin(0.7*float64(i)+1.3*float64(k)) * 0.9 }, append([]int{2}, s...)...))
	}
	return xs
}

// TestMultiHeadAttentionCallArguments: Keras's call arguments and attention axes, each
// compared with Keras 3 loading the Go-saved model (golden): return_attention_scores (the
// weights (batch, heads, T, S) as a second output); an attention_mask input of 0s and 1s
// (and a 2) with a query step masked whole, combined with a key; attention_axes (1,) on
// (batch, rows, columns, features), attending along the rows of each column, with a mask and
// the scores; the default axes of a 4-D input, which Keras's 2-D attention uses, with the
// scores.
func TestMultiHeadAttentionCallArguments(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.MultiHeadAttention(2, 3, layers.ReturnAttentionScores(true)) },
		InputShapes:  []keras.Shape{{4, 6}, {5, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 6}, {keras.None, 2, 4, 5}},
		Weights:      []keras.Shape{{6, 2, 3}, {2, 3}, {3, 2, 3}, {2, 3}, {3, 2, 3}, {2, 3}, {2, 3, 6}, {6}},
		Golden:       "testdata/kit/multi_head_attention_scores.json",
	})
	maskShapes := []keras.Shape{{4, 6}, {5, 3}, {5, 2}, {4, 5}}
	maskInputs := append(sinInputs(maskShapes[:3]...), attentionMaskValues(2, 4, 5))
	for i := range maskInputs {
		maskInputs[i] = float32Of(maskInputs[i])
	}
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.MultiHeadAttention(2, 3, layers.Name("mha")) },
		InputShapes:  maskShapes,
		Inputs:       maskInputs,
		OutputShapes: []keras.Shape{{keras.None, 4, 6}},
		Weights:      []keras.Shape{{6, 2, 3}, {2, 3}, {2, 2, 3}, {2, 3}, {3, 2, 3}, {2, 3}, {2, 3, 6}, {6}},
		BadInputs:    [][]keras.Shape{{{4, 6}, {5, 3}, {5, 2}, {5, 4}}, {{4, 6}, {5, 3}, {5, 2}, {4, 5, 1}}},
		Golden:       "testdata/kit/multi_head_attention_mask.json",
	})
	bcast := []*tensor.Dense{maskInputs[0], maskInputs[1], maskInputs[1], float32Of(attentionMaskValues(2, 1, 5))}
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.MultiHeadAttention(2, 3, layers.Name("mha")) },
		InputShapes:  []keras.Shape{{4, 6}, {5, 3}, {5, 3}, {1, 5}},
		Inputs:       bcast,
		OutputShapes: []keras.Shape{{keras.None, 4, 6}},
		Weights:      []keras.Shape{{6, 2, 3}, {2, 3}, {3, 2, 3}, {2, 3}, {3, 2, 3}, {2, 3}, {2, 3, 6}, {6}},
		BadInputs:    [][]keras.Shape{{{4, 6}, {5, 3}, {5, 3}, {2, 5}}},
		Golden:       "testdata/kit/multi_head_attention_mask_broadcast.json",
	})
	axesShapes := []keras.Shape{{3, 4, 6}, {5, 4, 2}, {4, 3, 5}}
	axesInputs := append(sinInputs(axesShapes[:2]...), attentionMaskValues(2, 4, 3, 5))
	for i := range axesInputs {
		axesInputs[i] = float32Of(axesInputs[i])
	}
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New: func() keras.Layer {
			return layers.MultiHeadAttention(2, 3, layers.AttentionAxes(1), layers.ReturnAttentionScores(true))
		},
		InputShapes:  []keras.Shape{axesShapes[0], axesShapes[1], axesShapes[1], axesShapes[2]},
		Inputs:       []*tensor.Dense{axesInputs[0], axesInputs[1], axesInputs[1], axesInputs[2]},
		OutputShapes: []keras.Shape{{keras.None, 3, 4, 6}, {keras.None, 4, 2, 3, 5}},
		Weights:      []keras.Shape{{6, 2, 3}, {2, 3}, {2, 2, 3}, {2, 3}, {2, 2, 3}, {2, 3}, {2, 3, 6}, {6}},
		BadInputs:    [][]keras.Shape{{{3, 4, 6}, {5, 3, 2}}, {{3, 4, 6}, {5, 4, 2}, {5, 4, 2}, {3, 4, 5}}},
		Golden:       "testdata/kit/multi_head_attention_axes.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New: func() keras.Layer {
			return layers.MultiHeadAttention(2, 2, layers.AttentionAxes(1, 2), layers.ReturnAttentionScores(true))
		},
		InputShapes:  []keras.Shape{{2, 3, 4}, {3, 2, 4}},
		OutputShapes: []keras.Shape{{keras.None, 2, 3, 4}, {keras.None, 2, 2, 3, 3, 2}},
		Weights:      []keras.Shape{{4, 2, 2}, {2, 2}, {4, 2, 2}, {2, 2}, {4, 2, 2}, {2, 2}, {2, 2, 4}, {4}},
		Golden:       "testdata/kit/multi_head_attention_2d.json",
	})
}

// TestMultiHeadAttentionMaskGradients: the gradient check with an attention mask input
// (RunLayerTest skips it for given inputs), on a key separate from the value and on other
// attention axes: the masked scores' gradients are zero, the mask's own too.
func TestMultiHeadAttentionMaskGradients(t *testing.T) {
	for _, c := range []struct {
		name   string
		layer  *layers.MultiHeadAttentionLayer
		shapes []keras.Shape // query, value, key, mask
	}{
		{"key and mask", layers.MultiHeadAttention(2, 3), []keras.Shape{{4, 6}, {5, 3}, {5, 2}, {4, 5}}},
		{"broadcast mask", layers.MultiHeadAttention(2, 3), []keras.Shape{{4, 6}, {5, 3}, {5, 3}, {1, 5}}},
		{"axes 1, mask, scores", layers.MultiHeadAttention(2, 3, layers.AttentionAxes(1), layers.ReturnAttentionScores(true)),
			[]keras.Shape{{3, 4, 6}, {5, 4, 2}, {5, 4, 2}, {4, 3, 5}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ins []*keras.Tensor
			for _, s := range c.shapes {
				ins = append(ins, keras.Input(s, keras.DType("float64")))
			}
			outs := c.layer.CallAll(ins...)
			m, err := keras.NewModel(ins, outs)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Compile(optimizers.SGD(), "mse"); err != nil {
				t.Fatal(err)
			}
			xs := append(sinInputs(c.shapes[:3]...), attentionMaskValues(append([]int{2}, c.shapes[3]...)...))
			var ys []*tensor.Dense
			for k, o := range outs {
				s := o.Shape().Clone()
				s[0] = 2
				ys = append(ys, kerastest.Float64(func(i int) float64 { return math.Cos(0.3*float64(i) + float64(k)) }, s...))
			}
			kerastest.CheckGradients(t, m, xs, ys, kerastest.GradCheckOptions{})
		})
	}
}

// TestMultiHeadAttentionCallErrors: call arguments the layer cannot take are errors naming
// the problem, never a panic.
func TestMultiHeadAttentionCallErrors(t *testing.T) {
	q, v := keras.Input(keras.Shape{4, 6}), keras.Input(keras.Shape{5, 3})
	img := keras.Input(keras.Shape{3, 4, 6})
	for name, c := range map[string]struct {
		l   *layers.MultiHeadAttentionLayer
		ins []*keras.Tensor
		is  error
	}{
		"mask of the wrong shape":  {layers.MultiHeadAttention(2, 3), []*keras.Tensor{q, v, v, keras.Input(keras.Shape{5, 4})}, keras.ErrShape},
		"five inputs":              {layers.MultiHeadAttention(2, 3), []*keras.Tensor{q, v, v, v, v}, keras.ErrShape},
		"axis of the features":     {layers.MultiHeadAttention(2, 3, layers.AttentionAxes(3)), []*keras.Tensor{img, img}, keras.ErrShape},
		"decreasing axes":          {layers.MultiHeadAttention(2, 3, layers.AttentionAxes(2, 1)), []*keras.Tensor{img, img}, keras.ErrShape},
		"no axes":                  {layers.MultiHeadAttention(2, 3, layers.AttentionAxes()), []*keras.Tensor{img, img}, keras.ErrInvalidArgument},
		"causal on 4-D":            {layers.MultiHeadAttention(2, 3, layers.UseCausalMask(true)), []*keras.Tensor{img, img}, keras.ErrShape},
		"other axis differs":       {layers.MultiHeadAttention(2, 3, layers.AttentionAxes(2)), []*keras.Tensor{img, keras.Input(keras.Shape{2, 4, 6})}, keras.ErrShape},
		"Attention with ValueDim":  {nil, nil, keras.ErrInvalidArgument},
		"AttentionAxes: Attention": {nil, nil, keras.ErrInvalidArgument},
	} {
		var err error
		switch {
		case c.l != nil:
			err = c.l.Call(c.ins...).Err()
		case name == "Attention with ValueDim":
			err = layers.Attention(layers.ValueDim(2)).Call(q, q).Err()
		default:
			err = layers.AdditiveAttention(layers.AttentionAxes(1)).Call(q, q).Err()
		}
		if !errors.Is(err, c.is) {
			t.Errorf("%s: got %v, want %v", name, err, c.is)
		}
	}
}

// TestMultiHeadAttentionIntegerMask: an int32 attention mask (as Keras models declare it)
// predicts what the same mask in float32 does; integer query, value or key are refused
// naming them.
func TestMultiHeadAttentionIntegerMask(t *testing.T) {
	predict := func(maskDType string) *tensor.Dense {
		keras.SetRandomSeed(4)
		q, v := keras.Input(keras.Shape{4, 6}), keras.Input(keras.Shape{5, 3})
		m := keras.Input(keras.Shape{4, 5}, keras.DType(maskDType))
		model, err := keras.NewModel(keras.Inputs(q, v, m), keras.Outputs(layers.MultiHeadAttention(2, 3).Call(q, v, v, m)))
		if err != nil {
			t.Fatalf("mask %s: %v", maskDType, err)
		}
		xs := sinInputs(keras.Shape{4, 6}, keras.Shape{5, 3})
		mask := attentionMaskValues(2, 4, 5)
		if maskDType == "int32" {
			ids := make([]int32, 40)
			for i, f := range mask.Float64s() {
				ids[i] = int32(f)
			}
			mask = tensor.New(tensor.WithShape(2, 4, 5), tensor.WithBacking(ids))
		} else {
			mask = float32Of(mask)
		}
		ys, err := model.Predict([]*tensor.Dense{float32Of(xs[0]), float32Of(xs[1]), mask}, keras.Verbose(0))
		if err != nil {
			t.Fatalf("mask %s: Predict: %v", maskDType, err)
		}
		return ys[0]
	}
	a, b := predict("float32").Float32s(), predict("int32").Float32s()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("int32 mask: output %d is %v, with the float32 mask %v", i, b[i], a[i])
		}
	}
	ids := keras.Input(keras.Shape{4, 6}, keras.DType("int32"))
	v := keras.Input(keras.Shape{5, 3})
	_, err := keras.NewModel(keras.Inputs(ids, v), keras.Outputs(layers.MultiHeadAttention(2, 3).Call(ids, v)))
	if err == nil {
		t.Fatal("an integer query: no error")
	}
	if !errors.Is(err, keras.ErrDType) || !strings.Contains(err.Error(), "input 0") {
		t.Errorf("an integer query: %v, want ErrDType naming input 0", err)
	}
}
