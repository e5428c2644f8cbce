package layers_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/layers"
)

const initializerConfigsFile = "testdata/initializer_configs.json"

// initializerKeys returns the initializer entries of a layer config, as JSON decodes them,
// without the keys Keras 3.15 adds with null values (VarianceScaling's input_axes and
// output_axes), which this library neither reads nor writes.
func initializerKeys(t *testing.T, cfg map[string]any) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, v := range jsonOf(t, cfg).(map[string]any) {
		if !strings.HasSuffix(k, "_initializer") {
			continue
		}
		if m, ok := v.(map[string]any); ok {
			if c, ok := m["config"].(map[string]any); ok {
				for _, axes := range []string{"input_axes", "output_axes"} {
					if x, present := c[axes]; present && x == nil {
						delete(c, axes)
					}
				}
			}
		}
		out[k] = v
	}
	return out
}

// initializerModel is a model whose layers take initializers with non-default arguments.
func initializerModel(t *testing.T) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{5, 3})
	x := layers.Conv1D(3, 2, layers.Name("conv"),
		layers.KernelInitializer(initializers.VarianceScaling(2, initializers.FanOut, initializers.DistributionUniform)),
		layers.BiasInitializer(initializers.Constant(0.5))).Call(in)
	x = layers.LSTM(2, layers.Name("lstm"),
		layers.KernelInitializer(initializers.TruncatedNormal(0.1, 0.3)),
		layers.RecurrentInitializer(initializers.Orthogonal(2))).Call(x)
	out := layers.Dense(2, layers.Name("dense"), layers.KernelInitializer(initializers.RandomNormal(0, 0.2)),
		layers.BiasInitializer("ones")).Call(x)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestInitializerArgumentsSurviveSaveAndLoad: initializers given as values fill the weights
// with their arguments, are written to the config as Keras writes them, and come back from a
// saved file with the same arguments.
func TestInitializerArgumentsSurviveSaveAndLoad(t *testing.T) {
	m := initializerModel(t)
	for _, l := range m.Layers() {
		if l.Name() != "conv" {
			continue
		}
		bias := l.Variables()[1].Value.Data().([]float32)
		for i, v := range bias {
			if v != 0.5 {
				t.Fatalf("conv bias[%d] = %v, want Constant(0.5)'s 0.5", i, v)
			}
		}
	}
	want := map[string]any{"module": "keras.initializers", "class_name": "RandomNormal",
		"config": map[string]any{"mean": 0.0, "stddev": 0.2, "seed": nil}, "registered_name": nil}
	path := filepath.Join(t.TempDir(), "m.keras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Layers()) != len(m.Layers()) {
		t.Fatalf("loaded %d layers, saved %d", len(loaded.Layers()), len(m.Layers()))
	}
	for i, l := range m.Layers() {
		before, after := initializerKeys(t, keras.LayerConfig(l)), initializerKeys(t, keras.LayerConfig(loaded.Layers()[i]))
		if !reflect.DeepEqual(before, after) {
			t.Errorf("%s: initializers changed by save and load:\n saved  %v\n loaded %v", l.Name(), before, after)
		}
		if l.Name() == "dense" && !reflect.DeepEqual(after["kernel_initializer"], jsonOf(t, want)) {
			t.Errorf("dense kernel_initializer after load %v, want %v", after["kernel_initializer"], want)
		}
	}
}

// TestKerasInitializerArgumentsLoad rebuilds layers from configs Keras wrote: each
// initializer keeps its arguments (RandomNormal's stddev 0.2, Orthogonal's gain 2, a seed).
func TestKerasInitializerArgumentsLoad(t *testing.T) {
	var entries []map[string]any
	testenv.ReadJSON(t, initializerConfigsFile, &entries, "KERAS_BACKEND=jax python3 keras/layers/testdata/initializer_configs.py")
	if len(entries) < 5 {
		t.Fatalf("%d cases in %s, want 5", len(entries), initializerConfigsFile)
	}
	for _, e := range entries {
		cfg, _ := e["config"].(map[string]any)
		name, _ := cfg["name"].(string)
		t.Run(name, func(t *testing.T) {
			l, err := keras.DeserializeLayer(e)
			if err != nil {
				t.Fatal(err)
			}
			want, got := initializerKeys(t, cfg), initializerKeys(t, keras.LayerConfig(l))
			if len(want) == 0 || !reflect.DeepEqual(want, got) {
				t.Errorf("initializers:\n Keras wrote %v\n Go writes   %v", want, got)
			}
		})
	}
}

// TestKerasReadsGoInitializerArguments: Keras rebuilds the layers Go saved with initializer
// values and gives back the same initializer configs.
func TestKerasReadsGoInitializerArguments(t *testing.T) {
	t.Setenv("KERAS_BACKEND", "jax")
	py := testenv.Python(t, "keras")
	m := initializerModel(t)
	var entries []any
	for _, l := range m.Layers()[1:] { // the InputLayer has no initializers
		entries = append(entries, map[string]any{"module": "keras.layers", "class_name": l.ClassName(),
			"config": keras.LayerConfig(l), "registered_name": nil})
	}
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "layers.json")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	const script = `
import json, sys
import keras
out = []
for e in json.load(open(sys.argv[1])):
    layer = keras.layers.deserialize(e)
    out.append(keras.saving.serialize_keras_object(layer)["config"])
print(json.dumps(out))
`
	var back []map[string]any
	if err := json.Unmarshal(testenv.PythonOutput(t, py, "-c", script, in), &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(entries) {
		t.Fatalf("Keras gave back %d layers, want %d", len(back), len(entries))
	}
	for i, l := range m.Layers()[1:] {
		want, got := initializerKeys(t, keras.LayerConfig(l)), initializerKeys(t, back[i])
		if len(want) == 0 || !reflect.DeepEqual(want, got) {
			t.Errorf("%s: initializers:\n Go wrote     %v\n Keras reads %v", l.Name(), want, got)
		}
	}
}
