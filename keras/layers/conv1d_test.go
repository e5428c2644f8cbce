package layers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

const none = keras.None

// TestConv1DOutputShapes holds KERAS.md §3.5's shape table (Keras's conv_test) and the
// output-length rules for every padding, strides, dilation and unknown lengths.
func TestConv1DOutputShapes(t *testing.T) {
	runConvShapeCases(t, []convShapeCase{
		{"keras (3,5,4) k=2 valid", keras.Shape{5, 4}, func() caller { return layers.Conv1D(5, 2) }, keras.Shape{none, 4, 5}, 2*4*5 + 5},
		{"keras (3,4,4) k=2 same d=2", keras.Shape{4, 4}, func() caller { return layers.Conv1D(6, 2, layers.Padding("same"), layers.DilationRate(2)) }, keras.Shape{none, 4, 6}, 2*4*6 + 6},
		{"keras (3,5,4) k=2 s=2 valid", keras.Shape{5, 4}, func() caller { return layers.Conv1D(6, 2, layers.Strides(2)) }, keras.Shape{none, 2, 6}, 2*4*6 + 6},
		{"keras params k=5 32->64", keras.Shape{100, 32}, func() caller { return layers.Conv1D(64, 5) }, keras.Shape{none, 96, 64}, 10304},
		{"valid exact fit", keras.Shape{5, 3}, func() caller { return layers.Conv1D(2, 5) }, keras.Shape{none, 1, 2}, 5*3*2 + 2},
		{"valid strides 2 floor", keras.Shape{8, 3}, func() caller { return layers.Conv1D(2, 3, layers.Strides(2)) }, keras.Shape{none, 3, 2}, 20},
		{"valid dilation 2", keras.Shape{9, 2}, func() caller { return layers.Conv1D(2, 3, layers.DilationRate(2)) }, keras.Shape{none, 5, 2}, 14},
		{"same strides 2 ceil", keras.Shape{7, 3}, func() caller { return layers.Conv1D(2, 4, layers.Strides(2), layers.Padding("same")) }, keras.Shape{none, 4, 2}, 26},
		{"same upper case", keras.Shape{7, 3}, func() caller { return layers.Conv1D(2, 4, layers.Padding("SAME")) }, keras.Shape{none, 7, 2}, 26},
		{"causal", keras.Shape{6, 2}, func() caller { return layers.Conv1D(3, 3, layers.Padding("causal")) }, keras.Shape{none, 6, 3}, 21},
		{"causal strides 3", keras.Shape{8, 2}, func() caller { return layers.Conv1D(2, 2, layers.Strides(3), layers.Padding("causal")) }, keras.Shape{none, 3, 2}, 10},
		{"causal dilation 4 longer than input", keras.Shape{3, 2}, func() caller { return layers.Conv1D(2, 3, layers.DilationRate(4), layers.Padding("causal")) }, keras.Shape{none, 3, 2}, 14},
		{"no bias", keras.Shape{5, 4}, func() caller { return layers.Conv1D(5, 2, layers.UseBias(false)) }, keras.Shape{none, 4, 5}, 40},
		{"unknown length valid", keras.Shape{none, 8}, func() caller { return layers.Conv1D(4, 3) }, keras.Shape{none, none, 4}, 3*8*4 + 4},
		{"unknown length same strides", keras.Shape{none, 8}, func() caller { return layers.Conv1D(4, 3, layers.Strides(2), layers.Padding("same")) }, keras.Shape{none, none, 4}, 100},
	})
}

// TestConv1DWeights checks the Keras 3 layout of the weights, their glorot_uniform range and
// zero bias.
func TestConv1DWeights(t *testing.T) {
	keras.SetRandomSeed(1)
	l := layers.Conv1D(64, 5)
	if err := l.Call(keras.Input(keras.Shape{none, 32})).Err(); err != nil {
		t.Fatal(err)
	}
	vs := l.Variables()
	if len(vs) != 2 || vs[0].Path != l.Name()+"/kernel" || vs[1].Path != l.Name()+"/bias" {
		t.Fatalf("variables %v", vs)
	}
	if !vs[0].Shape().Equal(keras.Shape{5, 32, 64}) || !vs[1].Shape().Equal(keras.Shape{64}) {
		t.Fatalf("kernel %v, bias %v; want (5, 32, 64), (64)", vs[0].Shape(), vs[1].Shape())
	}
	// glorot_uniform: fan_in = 5·32, fan_out = 5·64, limit sqrt(6/(160+320)) = 0.1118.
	limit, maxAbs := 0.11180339887, 0.0
	for _, v := range vs[0].Value.Data().([]float32) {
		maxAbs = max(maxAbs, float64(max(v, -v)))
	}
	if maxAbs > limit || maxAbs < 0.9*limit {
		t.Errorf("largest |kernel| %.4f; glorot_uniform limit %.4f", maxAbs, limit)
	}
	for _, v := range vs[1].Value.Data().([]float32) {
		if v != 0 {
			t.Fatalf("bias not zero: %v", v)
		}
	}
}

// TestConv1DErrors checks that mistakes surface at NewModel, naming the layer.
func TestConv1DErrors(t *testing.T) {
	runConvErrCases(t, []convErrCase{
		{"kernel longer than input", keras.Shape{3, 4}, func() caller { return layers.Conv1D(2, 5) }, keras.ErrShape, []string{"kernel size 5", "length 3", "valid"}},
		{"dilated kernel longer than input", keras.Shape{5, 2}, func() caller { return layers.Conv1D(2, 3, layers.DilationRate(3)) }, keras.ErrShape, []string{"dilated to 7"}},
		{"rank 2 input", keras.Shape{8}, func() caller { return layers.Conv1D(2, 3) }, keras.ErrShape, []string{"rank 3", "(None, 8)"}},
		{"rank 4 input", keras.Shape{8, 8, 3}, func() caller { return layers.Conv1D(2, 3) }, keras.ErrShape, []string{"rank 3"}},
		{"unknown channels", keras.Shape{8, none}, func() caller { return layers.Conv1D(2, 3) }, keras.ErrShape, []string{"channel"}},
		{"unknown padding", keras.Shape{8, 2}, func() caller { return layers.Conv1D(2, 3, layers.Padding("full")) }, keras.ErrInvalidArgument, []string{`"full"`}},
		{"strides and dilation", keras.Shape{8, 2}, func() caller { return layers.Conv1D(2, 3, layers.Strides(2), layers.DilationRate(2)) }, keras.ErrInvalidArgument, []string{"dilation_rate"}},
		{"two strides", keras.Shape{8, 2}, func() caller { return layers.Conv1D(2, 3, layers.Strides(1, 2)) }, keras.ErrInvalidArgument, []string{"Strides"}},
		{"zero filters", keras.Shape{8, 2}, func() caller { return layers.Conv1D(0, 3) }, keras.ErrInvalidArgument, []string{"filters"}},
		{"zero kernel", keras.Shape{8, 2}, func() caller { return layers.Conv1D(2, 0) }, keras.ErrInvalidArgument, []string{"kernel_size"}},
		{"unknown activation", keras.Shape{8, 2}, func() caller { return layers.Conv1D(2, 3, layers.Activation("relu6x")) }, keras.ErrUnknownName, []string{"relu6x"}},
	})
}

// TestConv1DSharedChannelMismatch: a layer built for 4 channels cannot be called on 3.
func TestConv1DSharedChannelMismatch(t *testing.T) {
	l := layers.Conv1D(2, 3)
	a, b := keras.Input(keras.Shape{8, 4}), keras.Input(keras.Shape{8, 3})
	_ = l.Call(a)
	out := l.Call(b)
	err := out.Err()
	if !errors.Is(err, keras.ErrShape) || !strings.Contains(err.Error(), "built for 4") || !strings.Contains(err.Error(), l.Name()) {
		t.Fatalf("error %v; want ErrShape naming %s and the 4 channels", err, l.Name())
	}
}

// TestConv1DTooShortAtRunTime: with an unknown length, a batch shorter than the kernel is
// reported by Predict, naming the layer, and does not poison the model.
func TestConv1DTooShortAtRunTime(t *testing.T) {
	in := keras.Input(keras.Shape{none, 2})
	l := layers.Conv1D(3, 4)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(l.Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Predict(kerastest.Float64(convWave, 2, 3, 2), keras.Verbose(0))
	if err == nil || !strings.Contains(err.Error(), l.Name()) || !errors.Is(err, keras.ErrShape) {
		t.Fatalf("Predict on length 3 with kernel 4: error %v; want ErrShape naming %s", err, l.Name())
	}
	out, err := m.Predict(kerastest.Float64(convWave, 2, 6, 2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if s := out[0].Shape(); s[0] != 2 || s[1] != 3 || s[2] != 3 {
		t.Fatalf("output shape %v, want (2, 3, 3)", s)
	}
}

// TestConv1DGradients checks kernel and bias gradients for every padding, strides and
// dilation, and (through a Dense layer in front) the gradient flowing into the input.
func TestConv1DGradients(t *testing.T) {
	cases := []struct {
		name string
		opts []layers.Conv1DOption
	}{
		{"valid", nil},
		{"same even kernel", []layers.Conv1DOption{layers.Padding("same")}},
		{"causal", []layers.Conv1DOption{layers.Padding("causal")}},
		{"strides 2 same", []layers.Conv1DOption{layers.Strides(2), layers.Padding("same")}},
		{"strides 3 causal", []layers.Conv1DOption{layers.Strides(3), layers.Padding("causal")}},
		{"dilation 2 valid", []layers.Conv1DOption{layers.DilationRate(2)}},
		{"dilation 2 causal tanh", []layers.Conv1DOption{layers.DilationRate(2), layers.Padding("causal"), layers.Activation("tanh")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			convCheckModelGradients(t, keras.Shape{9, 3}, 2, func(x *keras.Tensor) *keras.Tensor {
				x = layers.Dense(3, layers.BiasInitializer("ones")).Call(x)
				return layers.Conv1D(2, 2, c.opts...).Call(x)
			})
		})
	}
}

// TestConv1DKit runs Conv1D through the layer kit against Keras 3: causal padding with
// dilation, and strides with "same" padding and no bias.
func TestConv1DKit(t *testing.T) {
	t.Run("causal_dilated_tanh", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.Conv1D(3, 2, layers.Padding("causal"), layers.DilationRate(2), layers.Activation("tanh"))
			},
			InputShapes:  []keras.Shape{{6, 2}},
			OutputShapes: []keras.Shape{{none, 6, 3}},
			Weights:      []keras.Shape{{2, 2, 3}, {3}},
			BadInputs:    [][]keras.Shape{{{6, 3}}, {{6}}, {{6, 2}, {6, 2}}},
			Golden:       "testdata/kit/conv1d_causal_dilated.json",
		})
	})
	t.Run("same_strided_no_bias", func(t *testing.T) {
		kerastest.RunLayerTest(t, kerastest.LayerCase{
			New: func() keras.Layer {
				return layers.Conv1D(2, 3, layers.Padding("same"), layers.Strides(2), layers.UseBias(false))
			},
			InputShapes:  []keras.Shape{{7, 3}},
			OutputShapes: []keras.Shape{{none, 4, 2}},
			Weights:      []keras.Shape{{3, 3, 2}},
			BadInputs:    [][]keras.Shape{{{7, 2}}},
			Golden:       "testdata/kit/conv1d_same_strided.json",
		})
	})
}
