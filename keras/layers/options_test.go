package layers_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
)

// Which option each layer takes, checked by the compiler (the calls of the shared contract
// among them); TestLayerOptionsDoNotCompile checks that the others are rejected.
var (
	_ layers.DenseOption              = layers.UseBias(false)
	_ layers.DenseOption              = layers.KernelInitializer("ones")
	_ layers.DenseOption              = layers.Name("y")
	_ layers.LSTMOption               = layers.RecurrentInitializer("orthogonal")
	_ layers.LSTMOption               = layers.ReturnSequences(false)
	_ layers.LSTMOption               = layers.UnitForgetBias(true)
	_ layers.GRUOption                = layers.ResetAfter(true)
	_ layers.SimpleRNNOption          = layers.GoBackwards(true)
	_ layers.EmbeddingOption          = layers.MaskZero(true)
	_ layers.Conv1DOption             = layers.Padding("same")
	_ layers.Conv2DOption             = layers.KernelSize2D(1, 3)
	_ layers.PoolingOption            = layers.Strides(2)
	_ layers.GlobalPoolingOption      = layers.KeepDims(true)
	_ layers.ConcatenateOption        = layers.Axis(-1)
	_ layers.BatchNormalizationOption = layers.Momentum(0.9)
	_ layers.BidirectionalOption      = layers.MergeMode("sum")
	_ layers.DropoutOption            = layers.Rate(0.5)
	_ layers.Option                   = layers.Trainable(false)
	_ layers.Option                   = layers.DType("float64")
)

// withOptions gives a constructor the options a test gathered for several layer kinds, as
// the option type of that constructor; one the layer does not take is an error naming it.
func withOptions[O any, L any](opts []any, newLayer func(...O) L) (L, error) {
	typed := make([]O, len(opts))
	for i, o := range opts {
		t, ok := o.(O)
		if !ok {
			var zero L
			return zero, fmt.Errorf("option %d (%T) is not a %T", i, o, typed)
		}
		typed[i] = t
	}
	return newLayer(typed...), nil
}

// TestLayerOptionsDoNotCompile builds small programs against this module in a temporary
// module (as keras's TestFitOnlyOptionsDoNotCompile does) and checks that an option a layer
// does not take is a compile error, while the calls of the shared API contract compile.
func TestLayerOptionsDoNotCompile(t *testing.T) {
	cases := []struct {
		name, call string
		ok         bool
	}{
		{"dense_padding", `layers.Dense(4, layers.Padding("same"))`, false},
		{"dense_keepdims", `layers.Dense(4, layers.KeepDims(true))`, false},
		{"flatten_axis", `layers.Flatten(layers.Axis(1))`, false},
		{"pooling_activation", `layers.MaxPooling2D(2, layers.Activation("relu"))`, false},
		{"conv1d_kernel_size_2d", `layers.Conv1D(2, 3, layers.KernelSize2D(1, 3))`, false},
		{"simple_rnn_recurrent_activation", `layers.SimpleRNN(2, layers.RecurrentActivation("sigmoid"))`, false},
		{"gru_unit_forget_bias", `layers.GRU(2, layers.UnitForgetBias(true))`, false},
		{"layer_keras_name", `layers.Dense(4, keras.Name("x"))`, false},
		{"dense_option_slice", `opts := []layers.DenseOption{layers.UseBias(false)}; layers.Conv1D(2, 3, opts...)`, false},
		{"contract", `layers.Dense(3, layers.UseBias(false), layers.KernelInitializer("ones"), layers.BiasInitializer("zeros"), layers.Name("y"))
	layers.LSTM(16, layers.ReturnSequences(false), layers.ReturnState(false), layers.RecurrentInitializer("orthogonal"))
	layers.Embedding(10000, 64, layers.MaskZero(true))
	layers.Conv1D(256, 5, layers.Activation("relu"), layers.Padding("same"), layers.Strides(1))
	layers.Conv2D(128, 3, layers.Activation("relu"), layers.Strides(2), layers.Padding("same"))
	layers.AveragePooling2D(3, layers.Strides(2), layers.Padding("same"))
	layers.Concatenate(layers.Axis(-1))
	layers.Dropout(0.5)
	layers.Flatten()
	layers.Add()
	layers.Dense(2, layers.KernelInitializer(initializers.RandomNormal(0, 0.2)))`, true},
	}
	snippets := make([]testenv.Snippet, len(cases))
	for i, c := range cases {
		snippets[i] = testenv.Snippet{Name: c.name, Body: c.call}
	}
	failed, out := testenv.CompileSnippets(t, "../..", []string{
		"github.com/kerago/kerago/keras",
		"github.com/kerago/kerago/keras/initializers",
		"github.com/kerago/kerago/keras/layers",
	}, "func f()", snippets)
	for _, c := range cases {
		switch {
		case c.ok && failed[c.name]:
			t.Errorf("%s: %s does not compile:\n%s", c.name, c.call, out)
		case !c.ok && !failed[c.name]:
			t.Errorf("%s: %s compiles; a layer must not take an option it does not use", c.name, c.call)
		}
	}
	if !strings.Contains(out, "as layers.DenseOption value") {
		t.Errorf("the compiler's message does not name layers.DenseOption:\n%s", out)
	}
}

// TestLayerReportsEveryBadOption: a layer made with several bad values reports all of them
// at its first call, not only the first.
func TestLayerReportsEveryBadOption(t *testing.T) {
	in := keras.Input(keras.Shape{4})
	out := layers.Dense(-2, layers.Activation("relu6x"), layers.KernelInitializer("no_such_init"),
		layers.BiasInitializer(3.5)).Call(in)
	_, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err == nil {
		t.Fatal("NewModel accepted a Dense with three bad options")
	}
	for _, want := range []string{"units must be positive", "relu6x", "no_such_init", "BiasInitializer(3.5)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if !errors.Is(err, keras.ErrInvalidArgument) || !errors.Is(err, keras.ErrUnknownName) {
		t.Errorf("error is not both an ErrInvalidArgument and an ErrUnknownName: %v", err)
	}
}
