package initializers

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
)

// configurer is implemented by every initializer of this package.
type configurer interface {
	kerasConfig() (className string, cfg map[string]any)
}

// Config returns the Keras 3 class name and get_config() dict of an initializer of this
// package, e.g. ("GlorotUniform", {"seed": nil}) or ("RandomUniform", {"seed": nil,
// "minval": -0.05, "maxval": 0.05}). For an initializer defined elsewhere it returns ("", nil).
func Config(init Initializer) (className string, cfg map[string]any) {
	if c, ok := init.(configurer); ok {
		return c.kerasConfig()
	}
	return "", nil
}

// Serialize returns the dict Keras 3 writes for an initializer in a saved model's config:
//
//	{"module": "keras.initializers", "class_name": "GlorotUniform",
//	 "config": {"seed": null}, "registered_name": null}
//
// It returns nil for an initializer defined outside this package.
func Serialize(init Initializer) map[string]any {
	class, cfg := Config(init)
	if class == "" {
		return nil
	}
	return map[string]any{
		"module":          "keras.initializers",
		"class_name":      class,
		"config":          cfg,
		"registered_name": nil,
	}
}

// configKeys lists the config keys each class accepts besides "seed".
var configKeys = map[string][]string{
	"zeros":           {},
	"ones":            {},
	"constant":        {"value"},
	"identity":        {"gain"},
	"randomnormal":    {"mean", "stddev"},
	"truncatednormal": {"mean", "stddev"},
	"randomuniform":   {"minval", "maxval"},
	"variancescaling": {"scale", "mode", "distribution"},
	"glorotuniform":   {},
	"glorotnormal":    {},
	"heuniform":       {},
	"henormal":        {},
	"lecununiform":    {},
	"lecunnormal":     {},
	"orthogonal":      {"gain"},
}

// FromConfig rebuilds an initializer from a Keras class name and config dict, as found in a
// saved model ("GlorotUniform" with {"seed": null}, "RandomUniform" with {"minval": -0.05,
// "maxval": 0.05, "seed": null}, ...). Class names match as in [Get] (ignoring case and
// underscores), so Keras 2's names and "OrthogonalInitializer" work too. Keys left out take
// Keras's defaults; numbers may be float64, int or json.Number. An integer "seed" makes the
// initializer draw from its own generator seeded with it, ignoring the rng passed to
// Initialize (each call then gives the same values, as in Keras). Unknown keys, values of the
// wrong type and invalid values give an error wrapping [ErrConfig]; an unknown class wraps
// [ErrUnknownInitializer].
func FromConfig(className string, cfg map[string]any) (Initializer, error) {
	key := normalize(className)
	switch key {
	case "zero":
		key = "zeros"
	case "one":
		key = "ones"
	case "orthogonalinitializer":
		key = "orthogonal"
	case "identityinitializer":
		key = "identity"
	case "normal":
		key = "randomnormal"
	case "uniform":
		key = "randomuniform"
	}
	allowed, ok := configKeys[key]
	if !ok {
		return nil, newError("", ErrUnknownInitializer, "unknown initializer class %q; known classes: %s",
			className, "Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal, "+
				"LecunUniform, Ones, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros")
	}
	fail := func(format string, args ...any) (Initializer, error) {
		return nil, newError(className, ErrConfig, format, args...)
	}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	nums := map[string]float64{}
	strs := map[string]string{}
	var seedVal *int64
	for _, k := range keys {
		v := cfg[k]
		if k == "seed" {
			if v == nil {
				continue
			}
			f, ok := number(v)
			if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return fail("seed must be null or an integer, got %v", v)
			}
			s := int64(f)
			seedVal = &s
			continue
		}
		if k == "dtype" { // written by Keras 1 and some Keras 2 versions; the tensor decides
			continue
		}
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		if !known {
			return fail("unknown config key %q", k)
		}
		if k == "mode" || k == "distribution" {
			s, ok := v.(string)
			if !ok {
				return fail("%s must be a string, got %T", k, v)
			}
			strs[k] = s
			continue
		}
		f, ok := number(v)
		if !ok {
			return fail("%s must be a number, got %T", k, v)
		}
		nums[k] = f
	}
	num := func(k string, def float64) float64 {
		if v, ok := nums[k]; ok {
			return v
		}
		return def
	}
	str := func(k, def string) string {
		if v, ok := strs[k]; ok {
			return v
		}
		return def
	}
	var init Initializer
	switch key {
	case "zeros":
		init = Zeros()
	case "ones":
		init = Ones()
	case "constant":
		init = Constant(num("value", 0))
	case "identity":
		init = Identity(num("gain", 1))
	case "randomnormal":
		n := newNormal(num("mean", 0), num("stddev", 0.05), false)
		n.seed.value = seedVal
		init = n
	case "truncatednormal":
		n := newNormal(num("mean", 0), num("stddev", 0.05), true)
		n.seed.value = seedVal
		init = n
	case "randomuniform":
		u := RandomUniform(num("minval", -0.05), num("maxval", 0.05)).(uniform)
		u.seed.value = seedVal
		init = u
	case "variancescaling":
		v := newVarianceScaling("VarianceScaling", num("scale", 1), Mode(str("mode", string(FanIn))),
			Distribution(str("distribution", string(DistributionTruncatedNormal))))
		v.seed.value = seedVal
		init = v
	case "orthogonal":
		o := Orthogonal(num("gain", 1)).(orthogonal)
		o.seed.value = seedVal
		init = o
	default: // the VarianceScaling presets
		f, _ := Get(key)
		v := f.(varianceScaling)
		v.seed.value = seedVal
		init = v
	}
	if err := initErr(init); err != nil {
		detail := err.Error()
		var e *Error
		if errors.As(err, &e) {
			detail = e.Detail
		}
		return nil, &Error{Initializer: className, Detail: detail,
			Err: fmt.Errorf("%w: %w", ErrConfig, ErrInvalidArgument)}
	}
	return init, nil
}

// Deserialize rebuilds an initializer from what a Keras config holds for it: a name string
// ("glorot_uniform"), or a dict with "class_name" and "config" (as [Serialize] writes it;
// "module" and "registered_name" are ignored). nil gives (nil, nil), as Keras's
// initializers.get(None) does.
func Deserialize(v any) (Initializer, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return Get(x)
	case map[string]any:
		class, ok := x["class_name"].(string)
		if !ok {
			return nil, newError("", ErrConfig, "initializer dict has no string \"class_name\"")
		}
		var cfg map[string]any
		switch c := x["config"].(type) {
		case nil:
		case map[string]any:
			cfg = c
		default:
			return nil, newError(class, ErrConfig, "\"config\" must be a dict, got %T", c)
		}
		return FromConfig(class, cfg)
	}
	return nil, newError("", ErrConfig, "cannot read an initializer from a %T", v)
}

// initErr returns the construction error an initializer carries.
func initErr(init Initializer) error {
	switch x := init.(type) {
	case identity:
		return x.err
	case normal:
		return x.err
	case uniform:
		return x.err
	case varianceScaling:
		return x.err
	case orthogonal:
		return x.err
	}
	return nil
}

// number converts a JSON-decoded number to float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
