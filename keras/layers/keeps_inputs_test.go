package layers_test

import (
	"math"
	"sort"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestLayersKeepTheirInputs runs kerastest.CheckKeepsInputs on the layers that reshape through
// Gorgonia's views (the convolutions' and poolings' GEMM and 1-D layouts, global pooling,
// Embedding, the recurrent layers' outputs), in the configurations that take each path: a
// tensor a layer reads must reach the layers that read it afterwards unchanged, and a later
// in-place write into it must not reach the layer's gradient. Before the audit,
// DepthwiseConv1D's kernel gradient was off by 0.33, SeparableConv1D's by 0.61 and
// GlobalMaxPooling2D(keepdims)'s input gradient by 0.89 (docs/gorgonia.md).
func TestLayersKeepTheirInputs(t *testing.T) {
	f := func(s ...int) []keras.Shape { return []keras.Shape{s} }
	grouped := func() keras.Layer { // groups has no Go option: it comes from Keras configs
		l, err := keras.DeserializeLayer(map[string]any{"class_name": "Conv2D", "config": map[string]any{
			"filters": 4.0, "kernel_size": []any{2.0, 2.0}, "groups": 2.0}})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for name, c := range map[string]struct {
		new   func() keras.Layer
		in    []keras.Shape
		dtype string
	}{
		"Conv2D_1x1":               {func() keras.Layer { return layers.Conv2D(3, 1) }, f(3, 3, 2), ""},
		"Conv2D_3x3_no_bias":       {func() keras.Layer { return layers.Conv2D(3, 3, layers.UseBias(false)) }, f(4, 4, 2), ""},
		"Conv1D_1":                 {func() keras.Layer { return layers.Conv1D(3, 1) }, f(5, 2), ""},
		"Conv1D_3":                 {func() keras.Layer { return layers.Conv1D(3, 3, layers.Activation("relu")) }, f(5, 2), ""},
		"Conv1DTranspose":          {func() keras.Layer { return layers.Conv1DTranspose(3, 2) }, f(4, 2), ""},
		"Conv2DTranspose":          {func() keras.Layer { return layers.Conv2DTranspose(3, 2) }, f(3, 3, 2), ""},
		"DepthwiseConv1D":          {func() keras.Layer { return layers.DepthwiseConv1D(2) }, f(5, 2), ""},
		"DepthwiseConv2D":          {func() keras.Layer { return layers.DepthwiseConv2D(2) }, f(3, 3, 2), ""},
		"SeparableConv1D":          {func() keras.Layer { return layers.SeparableConv1D(3, 2) }, f(5, 2), ""},
		"SeparableConv2D":          {func() keras.Layer { return layers.SeparableConv2D(3, 2) }, f(3, 3, 2), ""},
		"Conv2D_groups":            {grouped, f(3, 3, 2), ""},
		"MaxPooling1D":             {func() keras.Layer { return layers.MaxPooling1D(2) }, f(4, 2), ""},
		"AveragePooling1D":         {func() keras.Layer { return layers.AveragePooling1D(2) }, f(4, 2), ""},
		"GlobalMaxPooling1D":       {func() keras.Layer { return layers.GlobalMaxPooling1D(layers.KeepDims(true)) }, f(4, 2), ""},
		"GlobalMaxPooling2D":       {func() keras.Layer { return layers.GlobalMaxPooling2D() }, f(3, 3, 2), ""},
		"GlobalAveragePooling2D":   {func() keras.Layer { return layers.GlobalAveragePooling2D(layers.KeepDims(true)) }, f(3, 3, 2), ""},
		"Embedding_float_ids":      {func() keras.Layer { return layers.Embedding(5, 3, layers.MaskZero(true)) }, f(4), ""},
		"Embedding_int_ids":        {func() keras.Layer { return layers.Embedding(5, 3) }, f(2, 2), "int32"},
		"LSTM_sequences":           {func() keras.Layer { return layers.LSTM(3, layers.ReturnSequences(true)) }, f(4, 2), ""},
		"GRU_state":                {func() keras.Layer { return layers.GRU(3, layers.ReturnState(true)) }, f(4, 2), ""},
		"SimpleRNN":                {func() keras.Layer { return layers.SimpleRNN(3) }, f(4, 2), ""},
		"Bidirectional_LSTM":       {func() keras.Layer { return layers.Bidirectional(layers.LSTM(2, layers.ReturnSequences(true))) }, f(4, 2), ""},
		"BatchNormalization_4D":    {func() keras.Layer { return layers.BatchNormalization() }, f(2, 2, 3), ""},
		"BatchNormalization_dense": {func() keras.Layer { return layers.BatchNormalization() }, f(3), ""},
	} {
		t.Run(name, func(t *testing.T) {
			kerastest.CheckKeepsInputs(t, kerastest.LayerCase{New: c.new, InputShapes: c.in, InputDType: c.dtype})
		})
	}
}

// TestRegistryLayersKeepTheirInputs runs the same check on the layer of every registry case
// (non-default options; unknown lengths become 3).
func TestRegistryLayersKeepTheirInputs(t *testing.T) {
	var classes []string
	for class := range registryCases() {
		classes = append(classes, class)
	}
	sort.Strings(classes)
	for _, class := range classes {
		t.Run(class, func(t *testing.T) {
			c := registryCases()[class]
			var shapes []keras.Shape
			for _, s := range c.input {
				s = s[1:].Clone()
				for i := range s {
					if s[i] == keras.None {
						s[i] = 3
					}
				}
				shapes = append(shapes, s)
			}
			lc := kerastest.LayerCase{
				New:         func() keras.Layer { return registryCases()[class].layer },
				InputShapes: shapes,
				InputDType:  c.dtype,
			}
			if class == "Dropout" {
				lc.NoGradients = "a fresh random mask every step"
			}
			kerastest.CheckKeepsInputs(t, lc)
		})
	}
}

// TestResidualPointwiseConvGradients: the ResNet pattern h + Conv2D₁ₓ₁(h), trained. The 1×1
// convolution's product read a view of h in its gradient, and the shortcut's addition ran in
// place over h once nothing else read h: on the old code the gradient check of the 1×1
// kernel failed (the view then held h + conv(h)).
func TestResidualPointwiseConvGradients(t *testing.T) {
	keras.SetRandomSeed(11)
	in := keras.Input(keras.Shape{3, 3, 2}, keras.DType("float64"))
	h := layers.Conv2D(2, 3, layers.Padding("same")).Call(in)
	out := layers.Add().Call(h, layers.Conv2D(2, 1).Call(h))
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("sgd", "mse"); err != nil {
		t.Fatal(err)
	}
	x := kerastest.Float64(func(i int) float64 { return math.Sin(0.37 * float64(i)) }, 2, 3, 3, 2)
	y := kerastest.Float64(func(i int) float64 { return math.Cos(0.21 * float64(i)) }, 2, 3, 3, 2)
	kerastest.CheckGradients(t, m, x, y, kerastest.GradCheckOptions{})
}
