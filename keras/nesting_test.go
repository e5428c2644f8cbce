package keras_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// nestedChain returns depth models inside one another (the outermost included), the
// innermost Input(4) → Dense(2).
func nestedChain(t *testing.T, depth int) *keras.Model {
	t.Helper()
	in := keras.Input(keras.Shape{4})
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(layers.Dense(2).Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < depth; i++ {
		in := keras.Input(keras.Shape{4})
		if m, err = keras.NewModel(keras.Inputs(in), keras.Outputs(m.Call(in))); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// TestNestingLimit checks that what Save writes LoadModel reads: a model at
// MaxModelNesting saves and loads, one level more is refused by Save (and SaveWeights) with
// a short message, and a crafted config one level too deep is refused by LoadModel with a
// short message (it once repeated the group path 250 times, 14 KB).
func TestNestingLimit(t *testing.T) {
	dir := t.TempDir()
	t.Run("at the limit", func(t *testing.T) {
		m := nestedChain(t, keras.MaxModelNesting)
		for _, name := range []string{"deep.keras", "deep.h5"} {
			p := filepath.Join(dir, name)
			if err := m.Save(p); err != nil {
				t.Fatal(err)
			}
			if _, err := keras.LoadModel(p); err != nil {
				t.Fatalf("LoadModel of a model Save wrote: %v", err)
			}
		}
		p := filepath.Join(dir, "deep.weights.h5")
		if err := m.SaveWeights(p); err != nil {
			t.Fatal(err)
		}
		if err := m.LoadWeights(p); err != nil {
			t.Fatalf("LoadWeights of what SaveWeights wrote: %v", err)
		}
	})
	t.Run("beyond the limit", func(t *testing.T) {
		m := nestedChain(t, keras.MaxModelNesting+1)
		for _, name := range []string{"deeper.keras", "deeper.h5", "deeper.weights.h5"} {
			p := filepath.Join(dir, name)
			var err error
			if strings.HasSuffix(name, ".weights.h5") {
				err = m.SaveWeights(p)
			} else {
				err = m.Save(p)
			}
			if !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), "nests 129 models") || len(err.Error()) > 300 {
				t.Errorf("%s: got %v (%d bytes), want a short error saying it nests 129 models", name, err, len(fmt.Sprint(err)))
			}
		}
	})
	t.Run("crafted config beyond the limit", func(t *testing.T) {
		p := filepath.Join(dir, "one.keras")
		if err := nestedChain(t, 1).Save(p); err != nil {
			t.Fatal(err)
		}
		members := archiveMembers(t, p)
		var top map[string]any
		if err := json.Unmarshal(members["config.json"], &top); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= keras.MaxModelNesting; i++ {
			top = wrapInModel(top, i)
		}
		b, _ := json.Marshal(top)
		members["config.json"] = b
		crafted := filepath.Join(dir, "crafted.keras")
		writeArchive(t, crafted, members, 0)
		_, err := keras.LoadModel(crafted)
		if !errors.Is(err, keras.ErrFileFormat) || !strings.Contains(err.Error(), "nested more than 128") || len(err.Error()) > 400 {
			t.Fatalf("got %v (%d bytes), want a short error about nesting", err, len(fmt.Sprint(err)))
		}
	})
}

// wrapInModel returns the config of a Functional model that calls the model top describes on
// its input.
func wrapInModel(top map[string]any, i int) map[string]any {
	inner := map[string]any{}
	for k, v := range top {
		inner[k] = v
	}
	cfg := top["config"].(map[string]any)
	innerName := cfg["name"].(string)
	inName := fmt.Sprintf("input_%d", i)
	inner["name"] = innerName
	inner["inbound_nodes"] = []any{map[string]any{
		"args": []any{map[string]any{"class_name": "__keras_tensor__", "config": map[string]any{
			"dtype": "float32", "keras_history": []any{inName, 0, 0}, "shape": []any{nil, 4},
		}}},
		"kwargs": map[string]any{},
	}}
	return map[string]any{
		"class_name": "Functional",
		"config": map[string]any{
			"name": fmt.Sprintf("outer_%d", i),
			"layers": []any{
				map[string]any{"class_name": "InputLayer", "name": inName, "inbound_nodes": []any{},
					"config": map[string]any{"batch_shape": []any{nil, 4}, "dtype": "float32", "name": inName}},
				inner,
			},
			"input_layers":  []any{inName, 0, 0},
			"output_layers": []any{innerName, 0, 0},
			"trainable":     true,
		},
	}
}
