package initializers

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func TestSerialize(t *testing.T) {
	for _, tc := range []struct {
		init Initializer
		want string // JSON of Serialize(init), keys sorted
	}{
		{GlorotUniform(), `{"class_name":"GlorotUniform","config":{"seed":null},"module":"keras.initializers","registered_name":null}`},
		{Zeros(), `{"class_name":"Zeros","config":{},"module":"keras.initializers","registered_name":null}`},
		{Constant(0.5), `{"class_name":"Constant","config":{"value":0.5},"module":"keras.initializers","registered_name":null}`},
		{RandomUniform(-0.05, 0.05), `{"class_name":"RandomUniform","config":{"maxval":0.05,"minval":-0.05,"seed":null},"module":"keras.initializers","registered_name":null}`},
		{Orthogonal(1), `{"class_name":"Orthogonal","config":{"gain":1,"seed":null},"module":"keras.initializers","registered_name":null}`},
		{VarianceScaling(2, FanOut, DistributionNormal), `{"class_name":"VarianceScaling","config":{"distribution":"truncated_normal","mode":"fan_out","scale":2,"seed":null},"module":"keras.initializers","registered_name":null}`},
	} {
		raw, err := json.Marshal(Serialize(tc.init))
		if err != nil {
			t.Fatal(err)
		}
		if string(raw) != tc.want {
			t.Errorf("Serialize =\n%s\nwant\n%s", raw, tc.want)
		}
	}
	if Serialize(custom{}) != nil {
		t.Error("Serialize of a foreign initializer should be nil")
	}
	if class, cfg := Config(custom{}); class != "" || cfg != nil {
		t.Error("Config of a foreign initializer should be empty")
	}
}

type custom struct{}

func (custom) Initialize(*tensor.Dense, *rand.Rand) error { return nil }

func TestConfigRoundTrip(t *testing.T) {
	for _, init := range []Initializer{
		Zeros(), Ones(), Constant(-1.25), Identity(3), RandomNormal(0.5, 2), RandomUniform(-1, 3),
		TruncatedNormal(0, 0.2), VarianceScaling(0.3, FanAvg, DistributionUntruncatedNormal),
		GlorotUniform(), GlorotNormal(), HeNormal(), HeUniform(), LecunNormal(), LecunUniform(), Orthogonal(0.7),
	} {
		class, _ := Config(init)
		t.Run(class, func(t *testing.T) {
			raw, err := json.Marshal(Serialize(init))
			if err != nil {
				t.Fatal(err)
			}
			var dict map[string]any
			d := json.NewDecoder(strings.NewReader(string(raw)))
			d.UseNumber()
			if err := d.Decode(&dict); err != nil {
				t.Fatal(err)
			}
			back, err := Deserialize(dict)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(Serialize(back), Serialize(init)) {
				t.Errorf("round trip gave %v, want %v", Serialize(back), Serialize(init))
			}
			// The rebuilt initializer draws the same values.
			a := zerosOf(tensor.Float64, 6, 9)
			b := zerosOf(tensor.Float64, 6, 9)
			if err := init.Initialize(a, newRNG(3)); err != nil {
				t.Fatal(err)
			}
			if err := back.Initialize(b, newRNG(3)); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(values(a), values(b)) {
				t.Error("the rebuilt initializer draws different values")
			}
		})
	}
}

func TestFromConfigKeras(t *testing.T) {
	// Entries as Keras 2 and Keras 3 write them (KERAS.md §6).
	for _, js := range []string{
		`{"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": null}}`,
		`{"module": "keras.initializers", "class_name": "RandomUniform", "config": {"seed": null, "minval": -0.05, "maxval": 0.05}, "registered_name": null}`,
		`{"class_name": "GlorotUniform", "config": {"seed": null}}`,
		`{"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}}`,
		`{"class_name": "OrthogonalInitializer", "config": {"gain": 1.0, "seed": null}}`,
		`{"class_name": "Zeros", "config": {}}`,
		`{"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_in", "distribution": "normal", "seed": null, "dtype": "float32"}}`,
		`"glorot_uniform"`,
	} {
		var v any
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Fatal(err)
		}
		init, err := Deserialize(v)
		if err != nil || init == nil {
			t.Errorf("Deserialize(%s) = %v, %v", js, init, err)
		}
	}
	if init, err := Deserialize(nil); init != nil || err != nil {
		t.Errorf("Deserialize(nil) = %v, %v; want nil, nil", init, err)
	}
	vs, _ := FromConfig("VarianceScaling", map[string]any{})
	if _, cfg := Config(vs); cfg["scale"] != 1.0 || cfg["mode"] != "fan_in" || cfg["distribution"] != "truncated_normal" {
		t.Errorf("VarianceScaling defaults = %v", cfg)
	}
}

func TestFromConfigSeed(t *testing.T) {
	init, err := FromConfig("GlorotUniform", map[string]any{"seed": 42.0})
	if err != nil {
		t.Fatal(err)
	}
	a := initialized(t, init, tensor.Float32, 1, 5, 5)
	b := initialized(t, init, tensor.Float32, 2, 5, 5)
	if !reflect.DeepEqual(a, b) {
		t.Error("a seeded initializer gave different values for different rngs")
	}
	if err := init.Initialize(zerosOf(tensor.Float32, 5, 5), nil); err != nil {
		t.Errorf("a seeded initializer needs no rng: %v", err)
	}
	if _, cfg := Config(init); cfg["seed"] != int64(42) {
		t.Errorf("seed in config = %#v, want 42", cfg["seed"])
	}
}

func TestFromConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, class string
		cfg         map[string]any
		sentinels   []error
		want        string
	}{
		{"unknown class", "Xavier", nil, []error{ErrUnknownInitializer}, "Xavier"},
		{"unknown key", "GlorotUniform", map[string]any{"scale": 2.0}, []error{ErrConfig}, "scale"},
		{"wrong type", "RandomNormal", map[string]any{"stddev": "big"}, []error{ErrConfig}, "stddev"},
		{"wrong mode type", "VarianceScaling", map[string]any{"mode": 1.0}, []error{ErrConfig}, "mode"},
		{"fractional seed", "HeNormal", map[string]any{"seed": 1.5}, []error{ErrConfig}, "seed"},
		{"invalid value", "RandomNormal", map[string]any{"stddev": -1.0}, []error{ErrConfig, ErrInvalidArgument}, "stddev"},
		{"invalid mode", "VarianceScaling", map[string]any{"mode": "fan_sum"}, []error{ErrConfig, ErrInvalidArgument}, "fan_sum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			init, err := FromConfig(tc.class, tc.cfg)
			if init != nil {
				t.Error("an initializer came back with the error")
			}
			for _, s := range tc.sentinels {
				if !errors.Is(err, s) {
					t.Errorf("error %v is not %v", err, s)
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v does not mention %q", err, tc.want)
			}
		})
	}
	for _, v := range []any{42, map[string]any{"config": map[string]any{}}, map[string]any{"class_name": "Zeros", "config": 3}} {
		if _, err := Deserialize(v); !errors.Is(err, ErrConfig) {
			t.Errorf("Deserialize(%v) = %v, want ErrConfig", v, err)
		}
	}
}
