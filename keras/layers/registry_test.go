package layers_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// registryCase is a layer built with non-default options and the input it is called on.
type registryCase struct {
	layer keras.Layer
	input []keras.Shape
	dtype string
}

func registryCases() map[string]registryCase {
	f := func(s ...int) []keras.Shape { return []keras.Shape{append(keras.Shape{keras.None}, s...)} }
	two := func(s ...int) []keras.Shape { return append(f(s...), f(s...)...) }
	return map[string]registryCase{
		"Dense": {layer: layers.Dense(3, layers.Activation("tanh"), layers.UseBias(false),
			layers.KernelInitializer("he_normal"), layers.Trainable(false)), input: f(4)},
		"Embedding": {layer: layers.Embedding(20, 4, layers.MaskZero(true), layers.EmbeddingsInitializer("glorot_uniform")),
			input: f(keras.None), dtype: "int32"},
		"LSTM": {layer: layers.LSTM(3, layers.ReturnSequences(true), layers.GoBackwards(true),
			layers.UnitForgetBias(false), layers.RecurrentActivation("hard_sigmoid")), input: f(5, 2)},
		"GRU":       {layer: layers.GRU(3, layers.ResetAfter(false), layers.ReturnState(true)), input: f(5, 2)},
		"SimpleRNN": {layer: layers.SimpleRNN(3, layers.Activation("relu"), layers.UseBias(false)), input: f(keras.None, 2)},
		"Bidirectional": {layer: layers.Bidirectional(layers.GRU(2, layers.ReturnSequences(true)), layers.MergeMode("sum")),
			input: f(5, 3)},
		"Conv1D": {layer: layers.Conv1D(4, 3, layers.Padding("causal"), layers.DilationRate(2), layers.Activation("relu")),
			input: f(9, 2)},
		"Conv2D": {layer: layers.Conv2D(4, 3, layers.KernelSize2D(1, 3), layers.Strides(2), layers.Padding("same")),
			input: f(6, 6, 2)},
		"MaxPooling1D":           {layer: layers.MaxPooling1D(3, layers.Strides(1), layers.Padding("same")), input: f(7, 2)},
		"AveragePooling1D":       {layer: layers.AveragePooling1D(2), input: f(6, 2)},
		"MaxPooling2D":           {layer: layers.MaxPooling2D(2, layers.Strides(1)), input: f(4, 4, 2)},
		"AveragePooling2D":       {layer: layers.AveragePooling2D(2, layers.Padding("same")), input: f(5, 5, 2)},
		"GlobalMaxPooling1D":     {layer: layers.GlobalMaxPooling1D(layers.KeepDims(true)), input: f(5, 2)},
		"GlobalAveragePooling1D": {layer: layers.GlobalAveragePooling1D(), input: f(5, 2)},
		"GlobalMaxPooling2D":     {layer: layers.GlobalMaxPooling2D(), input: f(3, 3, 2)},
		"GlobalAveragePooling2D": {layer: layers.GlobalAveragePooling2D(layers.KeepDims(true)), input: f(3, 3, 2)},
		"Flatten":                {layer: layers.Flatten(), input: f(3, 2)},
		"Reshape":                {layer: layers.Reshape(keras.Shape{3, -1}), input: f(6)},
		"Dropout":                {layer: layers.Dropout(0.25), input: f(4)},
		"LeakyReLU":              {layer: layers.LeakyReLU(0.15), input: f(3, 2)},
		"BatchNormalization": {layer: layers.BatchNormalization(layers.Momentum(0.8), layers.Epsilon(1e-4),
			layers.Center(false)), input: f(4)},
		"Concatenate":   {layer: layers.Concatenate(layers.Axis(1)), input: two(3, 2)},
		"Add":           {layer: layers.Add(), input: two(3)},
		"Subtract":      {layer: layers.Subtract(), input: two(3)},
		"Multiply":      {layer: layers.Multiply(), input: two(3)},
		"Maximum":       {layer: layers.Maximum(), input: two(3)},
		"Minimum":       {layer: layers.Minimum(), input: two(3)},
		"Average":       {layer: layers.Average(), input: two(3)},
		"Activation":    {layer: layers.ActivationOf("softmax"), input: f(3)},
		"ZeroPadding2D": {layer: layers.ZeroPadding2DSides(1, 2, 0, 3), input: f(3, 3, 1)},
	}
}

// call calls l on fresh inputs of the given shapes (batch dimension first).
func call(t *testing.T, l keras.Layer, shapes []keras.Shape, dtype string) {
	t.Helper()
	var ins []*keras.Tensor
	for _, s := range shapes {
		opts := []keras.InputOption{}
		if dtype != "" {
			opts = append(opts, keras.DType(dtype))
		}
		ins = append(ins, keras.Input(s[1:], opts...))
	}
	for _, out := range keras.Call(l, ins...) {
		if err := out.Err(); err != nil {
			t.Fatalf("calling %s: %v", l.Name(), err)
		}
	}
}

// jsonOf renders a config as JSON decodes it, so configs from Go values and from files compare.
func jsonOf(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// kitCovers reports whether class has a kerastest.RunLayerTest golden file in testdata/kit:
// RunLayerTest rebuilds its config through LoadModel, so it needs no registry case here.
func kitCovers(t *testing.T, class string) bool {
	t.Helper()
	// An operation (registered as module>class) is covered by TestNumpyOp's golden files,
	// named numpy_op_<class>.
	if op, ok := strings.CutPrefix(class, layers.NumpyOpModule+">"); ok {
		class = "NumpyOp" + op
	}
	ok, err := kerastest.HasGolden("testdata/kit", class)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestRegistryRebuildsEveryLayer rebuilds each registered class from the config of a layer
// made with non-default options: the rebuilt layer has the same config and weight shapes.
func TestRegistryRebuildsEveryLayer(t *testing.T) {
	cases := registryCases()
	registered := keras.RegisteredLayers()
	for _, class := range registered {
		if _, ok := cases[class]; !ok && !kitCovers(t, class) {
			t.Errorf("registered class %s has neither a registry test case nor a kerastest.RunLayerTest golden file", class)
		}
	}
	for class, c := range cases {
		t.Run(class, func(t *testing.T) {
			call(t, c.layer, c.input, c.dtype)
			entry := jsonOf(t, map[string]any{"class_name": c.layer.ClassName(), "config": keras.LayerConfig(c.layer)}).(map[string]any)
			l, err := keras.DeserializeLayer(entry)
			if err != nil {
				t.Fatalf("DeserializeLayer: %v", err)
			}
			if l.ClassName() != class || l.Name() != c.layer.Name() {
				t.Errorf("rebuilt %s named %s, want %s %s", l.ClassName(), l.Name(), class, c.layer.Name())
			}
			call(t, l, c.input, c.dtype)
			want, got := jsonOf(t, keras.LayerConfig(c.layer)), jsonOf(t, keras.LayerConfig(l))
			if !reflect.DeepEqual(want, got) {
				t.Errorf("config changed:\n before %v\n after  %v", want, got)
			}
			if len(l.Variables()) != len(c.layer.Variables()) {
				t.Fatalf("%d weights, want %d", len(l.Variables()), len(c.layer.Variables()))
			}
			for i, v := range l.Variables() {
				if !reflect.DeepEqual(v.Shape(), c.layer.Variables()[i].Shape()) {
					t.Errorf("weight %s has shape %v, want %v", v.Path, v.Shape(), c.layer.Variables()[i].Shape())
				}
			}
		})
	}
}

// TestRegistryRejectsUnsupportedConfigs checks that settings this library does not implement
// are refused, naming them, instead of being dropped.
func TestRegistryRejectsUnsupportedConfigs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		class string
		cfg   map[string]any
		want  string
	}{
		{"activity regularizer", "Dense", map[string]any{"units": 2.0, "activity_regularizer": map[string]any{"class_name": "L2"}}, "activity_regularizer"},
		{"unknown regularizer", "Dense", map[string]any{"units": 2.0, "kernel_regularizer": map[string]any{"class_name": "SpectralRegularizer"}}, "kernel_regularizer"},
		{"constraint as regularizer", "Conv1D", map[string]any{"filters": 2.0, "kernel_size": []any{3.0}, "bias_regularizer": "max_norm"}, "bias_regularizer"},
		{"bad constraint", "Dense", map[string]any{"units": 2.0, "kernel_constraint": map[string]any{"class_name": "MinMaxNorm", "config": map[string]any{"min_value": 2.0, "max_value": 1.0}}}, "kernel_constraint"},
		{"recurrent activity regularizer", "LSTM", map[string]any{"units": 2.0, "activity_regularizer": "l2"}, "activity_regularizer"},
		{"channels_first", "Cropping1D", map[string]any{"cropping": []any{1.0, 1.0}, "data_format": "channels_first"}, "channels_first"},
		{"recurrent dropout", "LSTM", map[string]any{"units": 2.0, "recurrent_dropout": 0.5}, "recurrent_dropout"},
		{"stateful", "GRU", map[string]any{"units": 2.0, "stateful": true}, "stateful"},
		{"mixed precision", "Dense", map[string]any{"units": 2.0, "dtype": "mixed_float16"}, "mixed_float16"},
		{"missing units", "Dense", map[string]any{"activation": "relu"}, "units is missing"},
		{"fractional units", "Dense", map[string]any{"units": 2.5}, "not an integer"},
		{"unknown activation", "Dense", map[string]any{"units": 2.0, "activation": "gelu_fancy"}, "gelu_fancy"},
		{"unknown initializer", "Dense", map[string]any{"units": 2.0, "kernel_initializer": "mystery"}, "mystery"},
		{"rectangular pool", "MaxPooling2D", map[string]any{"pool_size": []any{2.0, 3.0}}, "square"},
		{"wrapper without layer", "Bidirectional", map[string]any{"merge_mode": "sum"}, "layer is missing"},
		{"wrapper with null layer", "Bidirectional", map[string]any{"layer": nil}, `"layer" dict`},
		{"wrapped non-recurrent", "Bidirectional", map[string]any{"layer": map[string]any{"class_name": "Dense", "config": map[string]any{"units": 2.0}}}, "Bidirectional"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := keras.DeserializeLayer(map[string]any{"class_name": tc.class, "config": tc.cfg})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got (%v, %v), want an error naming %q", l, err, tc.want)
			}
		})
	}
	_, err := keras.DeserializeLayer(map[string]any{"class_name": "NoSuchLayer", "config": map[string]any{}})
	if !errors.Is(err, keras.ErrUnknownName) || !strings.Contains(err.Error(), "NoSuchLayer") {
		t.Errorf("unknown class: %v", err)
	}
}

// TestRegisterCustomLayer registers a class and rebuilds it through DeserializeLayer.
func TestRegisterCustomLayer(t *testing.T) {
	layers.Register("TestOnlyDouble", func(cfg map[string]any) (keras.Layer, error) {
		name, _ := cfg["name"].(string)
		return layers.Dense(2, layers.Name(name)), nil
	})
	l, err := keras.DeserializeLayer(map[string]any{"class_name": "TestOnlyDouble", "config": map[string]any{"name": "d"}})
	if err != nil || l.Name() != "d" {
		t.Fatalf("got (%v, %v)", l, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a class twice did not panic")
		}
	}()
	layers.Register("TestOnlyDouble", func(map[string]any) (keras.Layer, error) { return nil, nil })
}

func TestRegisteredLayersSorted(t *testing.T) {
	r := keras.RegisteredLayers()
	if !sort.StringsAreSorted(r) || len(r) < 29 {
		t.Errorf("RegisteredLayers: %v", r)
	}
}

// TestBidirectionalNullMergeMode: merge mode "none" is written as null, and a null merge_mode
// reads back as "none" while a missing one is Keras's "concat".
func TestBidirectionalNullMergeMode(t *testing.T) {
	b := layers.Bidirectional(layers.LSTM(2), layers.MergeMode("none"))
	call(t, b, []keras.Shape{{keras.None, 4, 3}}, "")
	entry := jsonOf(t, map[string]any{"class_name": "Bidirectional", "config": keras.LayerConfig(b)}).(map[string]any)
	cfg := entry["config"].(map[string]any)
	if m, present := cfg["merge_mode"]; !present || m != nil {
		t.Fatalf("merge_mode %v (present %v), want null", m, present)
	}
	l, err := keras.DeserializeLayer(entry)
	if err != nil {
		t.Fatal(err)
	}
	if m := l.Config()["merge_mode"]; m != nil {
		t.Errorf("merge_mode after loading %v, want null", m)
	}
	delete(cfg, "merge_mode")
	if l, err = keras.DeserializeLayer(entry); err != nil {
		t.Fatal(err)
	}
	if m := l.Config()["merge_mode"]; m != "concat" {
		t.Errorf("merge_mode without the key %v, want concat", m)
	}
}
