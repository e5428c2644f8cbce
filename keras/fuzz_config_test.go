package keras_test

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// FuzzLoadModelConfig substitutes one fuzzed value into one entry of a valid config.json
// (any dict with a class_name and a config: layers, models, initializers, dtype policies),
// zips it with the valid weights, loads it and, when that succeeds, predicts on one sample
// under a 64 MiB memory limit. Every outcome must be a model or an ordinary error: no panic,
// no internal error, and no allocation the memory check did not approve (the fuzzer's own
// memory would show it). Unlike FuzzLoadModel, which mutates bytes and so rarely produces
// valid JSON, every input here is a well-formed config with one odd value.
//
// The fuzzed arguments: the model (index into the seed models), the entry, the key (empty:
// an existing key chosen by pick; otherwise entries that have the key are preferred), the kind of value (a number, a string, a pair, null, a
// pair of pairs, a bool) and its number and string.
func FuzzLoadModelConfig(f *testing.F) {
	dir := f.TempDir()
	keras.SetRandomSeed(1)
	type seed struct {
		config  map[string]any
		weights []byte
	}
	var seeds []seed
	for _, c := range zoo() {
		switch c.name {
		case "mlp", "qa", "conv2d", "recurrent", "nested", "batchnorm":
		default:
			continue
		}
		p := filepath.Join(dir, c.name+".keras")
		if err := c.build(&testing.T{}).Save(p); err != nil {
			f.Fatal(err)
		}
		members := archiveMembers(f, p)
		var cfg map[string]any
		if err := json.Unmarshal(members["config.json"], &cfg); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, seed{cfg, members["model.weights.h5"]})
	}
	{ // ZeroPadding2D → GlobalMaxPooling2D → Dense: paddings reach Predict
		members := archiveMembers(f, paddedModel(f, dir, "padded.keras"))
		var cfg map[string]any
		if err := json.Unmarshal(members["config.json"], &cfg); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, seed{cfg, members["model.weights.h5"]})
	}
	// Seeds: the sizes of the issue and their kin. Models by index: mlp, qa, nested,
	// batchnorm, conv2d, recurrent (zoo order), padded.
	f.Add(uint8(6), uint8(0), "padding", uint8(0), 60000.0, "", uint8(0))
	f.Add(uint8(6), uint8(0), "padding", uint8(4), 2000.0, "", uint8(0))
	f.Add(uint8(6), uint8(0), "padding", uint8(0), 3.0, "", uint8(0))
	f.Add(uint8(4), uint8(0), "padding", uint8(0), 1e6, "", uint8(0))
	f.Add(uint8(4), uint8(0), "padding", uint8(0), 60000.0, "", uint8(0))
	f.Add(uint8(4), uint8(0), "padding", uint8(4), 3e4, "", uint8(0))
	f.Add(uint8(4), uint8(0), "kernel_size", uint8(2), 1e5, "", uint8(0))
	f.Add(uint8(4), uint8(1), "strides", uint8(0), 0.0, "", uint8(0))
	f.Add(uint8(4), uint8(0), "dilation_rate", uint8(0), 65536.0, "", uint8(0))
	f.Add(uint8(4), uint8(0), "pool_size", uint8(0), -1.0, "", uint8(0))
	f.Add(uint8(4), uint8(2), "padding", uint8(1), 0.0, "full", uint8(0))
	f.Add(uint8(0), uint8(0), "units", uint8(0), 1e12, "", uint8(0))
	f.Add(uint8(0), uint8(1), "units", uint8(0), 2.5, "", uint8(0))
	f.Add(uint8(0), uint8(0), "batch_shape", uint8(2), 1e9, "", uint8(0))
	f.Add(uint8(5), uint8(0), "batch_shape", uint8(2), 1e5, "", uint8(0))
	f.Add(uint8(1), uint8(0), "input_dim", uint8(0), 1e15, "", uint8(0))
	f.Add(uint8(3), uint8(1), "", uint8(5), 0.0, "", uint8(3))
	f.Add(uint8(4), uint8(1), "", uint8(3), 0.0, "", uint8(1))
	f.Add(uint8(5), uint8(1), "momentum", uint8(1), 0.0, "fast", uint8(0))
	f.Fuzz(func(t *testing.T, model, entry uint8, key string, kind uint8, num float64, str string, pick uint8) {
		if math.IsNaN(num) || math.IsInf(num, 0) {
			t.Skip("JSON has no NaN or infinity")
		}
		s := seeds[int(model)%len(seeds)]
		var cfg map[string]any
		b, _ := json.Marshal(s.config)
		json.Unmarshal(b, &cfg) // a deep copy
		entries := configEntries(cfg)
		if key != "" { // prefer the entries that have the key
			var with []map[string]any
			for _, e := range entries {
				if _, ok := e[key]; ok {
					with = append(with, e)
				}
			}
			if len(with) > 0 {
				entries = with
			}
		}
		target := entries[int(entry)%len(entries)]
		if key == "" {
			keys := make([]string, 0, len(target))
			for k := range target {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if len(keys) == 0 {
				t.Skip("an empty config")
			}
			key = keys[int(pick)%len(keys)]
		}
		var value any
		switch kind % 6 {
		case 0:
			value = num
		case 1:
			value = str
		case 2:
			value = []any{num, num}
		case 3:
			value = nil
		case 4:
			value = []any{[]any{num, num}, []any{num, num}}
		case 5:
			value = num != 0
		}
		target[key] = value
		config, err := json.Marshal(cfg)
		if err != nil {
			t.Skip("not JSON")
		}
		p := filepath.Join(t.TempDir(), "m.keras")
		writeArchive(t, p, map[string][]byte{
			"metadata.json":    []byte(`{"keras_version": "3.15.1"}`),
			"config.json":      config,
			"model.weights.h5": s.weights,
		}, zip.Store)
		m, err := keras.LoadModel(p)
		if errors.Is(err, keras.ErrInternal) {
			t.Fatalf("LoadModel with %s=%v: %v", key, value, err)
		}
		if err != nil {
			t.Logf("%s=%v: %.200v", key, value, err)
			return
		}
		m.SetMemoryLimit(64 << 20)
		var xs []*tensor.Dense
		for _, in := range m.Inputs() {
			shape, n := []int{1}, 1
			for _, d := range in.Shape()[1:] {
				if d < 0 {
					d = 3
				}
				shape, n = append(shape, d), n*min(d, 1<<30)
				if n > 1<<20 {
					// The fuzzed input shape itself is large: the test's own input would
					// take the memory, not the model.
					return
				}
			}
			dt := tensor.Float32
			switch in.DType() {
			case "int32", "int64":
				dt = tensor.Int32
			case "float64":
				dt = tensor.Float64
			}
			xs = append(xs, tensor.New(tensor.WithShape(shape...), tensor.Of(dt)))
		}
		_, err = m.Predict(xs, keras.Verbose(0))
		if errors.Is(err, keras.ErrInternal) {
			t.Fatalf("Predict after loading %s=%v: %v", key, value, err)
		}
		t.Logf("%s=%v: loaded; Predict: %.200v", key, value, err)
	})
}

// configEntries returns the config dict of every entry of a saved config tree that has a
// class_name and a config, the outermost first.
func configEntries(v any) []map[string]any {
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if c, ok := x["config"].(map[string]any); ok && x["class_name"] != nil {
				out = append(out, c)
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}
