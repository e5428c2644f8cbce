package layers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
)

// This file reads saved Keras configs for the from-config functions each layer registers in
// its own file: value kinds (bounded integers, activations, initializers with their
// arguments) and the settings this library refuses.

// cloneMap returns a shallow copy of m.
func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// configReader reads one layer config, keeping the first problem.
type configReader struct {
	class string
	cfg   map[string]any
	err   error
	opts  []CommonOption // the options read so far, for any layer's constructor (see optsAs)
}

// newConfigReader starts reading cfg, with the options every layer takes.
func newConfigReader(class string, cfg map[string]any) *configReader {
	r := &configReader{class: class, cfg: cfg}
	r.checkUnsupported()
	r.common()
	return r
}

// add records options read from the config; nil ones are skipped.
func (r *configReader) add(opts ...applier) {
	for _, o := range opts {
		if o != nil {
			r.opts = append(r.opts, CommonOption{o.apply})
		}
	}
}

// optsAs returns the options read as the option type of the layer's constructor. The reader
// wraps them as CommonOption, which every layer takes: the config's keys, not the compiler,
// decide which options a layer gets here.
func optsAs[O applier](r *configReader) []O {
	out := make([]O, len(r.opts))
	for i, o := range r.opts {
		out[i] = any(o).(O)
	}
	return out
}

func (r *configReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s config: %s", keras.ErrInvalidArgument, r.class, fmt.Sprintf(format, args...))
	}
}

// failWith keeps err, when it is the first problem, as it stands: an error of another kind
// than ErrInvalidArgument (a wrapped layer's own error, a file without a required dict).
func (r *configReader) failWith(err error) {
	if r.err == nil {
		r.err = err
	}
}

// done returns the layer, or the first problem met while reading its config.
func (r *configReader) done(l keras.Layer) (keras.Layer, error) {
	if r.err != nil {
		return nil, r.err
	}
	return l, nil
}

// checkUnsupported rejects settings that change what a layer computes and that this library
// does not implement: regularizers, constraints, quantization, LoRA, channels-first data in a
// layer without Keras's data_format (data_format.go), stateful or time-major recurrence,
// grouped convolutions, noise shapes, renormalisation.
func (r *configReader) checkUnsupported() {
	keys := make([]string, 0, len(r.cfg))
	for k := range r.cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := r.cfg[k]
		switch {
		case strings.HasSuffix(k, "_regularizer"), strings.HasSuffix(k, "_constraint"),
			k == "quantization_config", k == "noise_shape", k == "renorm_clipping":
			if v != nil {
				r.fail("%s is not supported (only null)", k)
			}
		case k == "lora_rank":
			if n, ok := v.(float64); v != nil && (!ok || n != 0) {
				r.fail("lora_rank is not supported")
			}
		case k == "data_format" && !dataFormatClasses[r.class]:
			if v != nil && v != "channels_last" {
				r.fail("data_format %v is not supported (only channels_last)", v)
			}
		case k == "stateful", k == "time_major", k == "renorm", k == "zero_output_for_mask", k == "sparse", k == "ragged":
			if b, _ := v.(bool); b {
				r.fail("%s=true is not supported", k)
			}
		case k == "groups" && r.class != "GroupNormalization" && r.class != "Conv1D" && r.class != "Conv2D":
			// a convolution's; GroupNormalization's are its own, Conv1D's and Conv2D's are read
			if n, ok := v.(float64); ok && n != 1 {
				r.fail("groups=%v is not supported (only 1)", v)
			}
		}
	}
}

// common records the options every layer takes: Name, Trainable and DType.
func (r *configReader) common() {
	if n, ok := r.cfg["name"].(string); ok && n != "" {
		r.add(Name(n))
	}
	if t, ok := r.cfg["trainable"].(bool); ok {
		r.add(Trainable(t))
	}
	if d, ok := r.cfg["dtype"]; ok && d != nil {
		var name string
		switch x := d.(type) {
		case string:
			name = x
		case map[string]any:
			c, _ := x["config"].(map[string]any)
			name, _ = c["name"].(string)
		}
		switch name {
		case "float32", "float64":
			r.add(DType(name))
		default:
			r.fail("dtype policy %v is not supported (float32, float64)", d)
		}
	}
}

// Bounds on the integers a saved config may hold. A layer without weights (ZeroPadding2D,
// the poolings) is not limited by the size of the weights file, so a value from a file is
// checked here before any layer is made: a padding of 10^6 would otherwise ask for terabytes
// at the first Predict. The bounds are far above every Keras model (keras.applications uses
// kernels, pools and paddings of at most 7 and strides of at most 4; vocabularies and unit
// counts run to millions, not billions).
const (
	// MaxConfigWindow bounds the spatial sizes of a config: padding, pool_size,
	// kernel_size, strides and dilation_rate.
	MaxConfigWindow = 1 << 16
	// MaxConfigInt bounds every other integer of a config (units, filters, input_dim,
	// output_dim, target_shape dimensions).
	MaxConfigInt = 1<<31 - 1
)

// windowKeys are the config keys bounded by MaxConfigWindow.
var windowKeys = map[string]bool{
	"padding": true, "pool_size": true, "kernel_size": true, "strides": true, "dilation_rate": true,
}

// toInt converts a JSON number to an int, within the bound for key.
func (r *configReader) toInt(key string, v any) int {
	f, ok := v.(float64)
	if !ok {
		i, isInt := v.(int)
		if !isInt {
			r.fail("%s: %v is not a number", key, v)
			return 0
		}
		f = float64(i)
	}
	limit := float64(MaxConfigInt)
	if windowKeys[key] {
		limit = MaxConfigWindow
	}
	switch {
	case f != math.Trunc(f): // NaN included; ±Inf are whole and too large below
		r.fail("%s: %v is not an integer", key, v)
		return 0
	case math.Abs(f) > limit:
		r.fail("%s %.0f exceeds the limit %d", key, f, int64(limit))
		return 0
	}
	return int(f)
}

// int reads an integer; a missing key gives def, or an error when required.
func (r *configReader) int(key string, def int, required bool) int {
	v, ok := r.cfg[key]
	if !ok || v == nil {
		if required {
			r.fail("%s is missing", key)
		}
		return def
	}
	return r.toInt(key, v)
}

// ints reads an integer or a list of integers (Keras's tuples); an int is repeated n times
// when n > 0.
func (r *configReader) ints(key string, n int) []int {
	switch v := r.cfg[key].(type) {
	case []any:
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = r.toInt(key, x)
		}
		return out
	case nil:
		r.fail("%s is missing", key)
		return nil
	default:
		x := r.toInt(key, v)
		out := []int{x}
		for len(out) < n {
			out = append(out, x)
		}
		return out
	}
}

// float reads a number.
func (r *configReader) float(key string, def float64, required bool) float64 {
	v, ok := r.cfg[key]
	if !ok || v == nil {
		if required {
			r.fail("%s is missing", key)
		}
		return def
	}
	f, ok := v.(float64)
	if !ok {
		r.fail("%s: %v is not a number", key, v)
	}
	return f
}

// str reads a string.
func (r *configReader) str(key, def string) string {
	v, ok := r.cfg[key]
	if !ok || v == nil {
		return def
	}
	s, ok := v.(string)
	if !ok {
		r.fail("%s: %v is not a string", key, v)
	}
	return s
}

// activation reads an activation: a name, or Keras's serialised function.
func (r *configReader) activation(key string) string {
	switch v := r.cfg[key].(type) {
	case nil:
		return "linear"
	case string:
		return v
	case map[string]any:
		if s, ok := v["config"].(string); ok {
			return s
		}
		if s, ok := v["class_name"].(string); ok && s != "function" {
			return keras.SnakeCase(s)
		}
	}
	r.fail("%s: %v is not an activation name", key, r.cfg[key])
	return ""
}

// initializer reads an initializer (a name or a serialised initializer) with its arguments,
// so that RandomNormal(stddev=0.2) is written back as it was read.
func (r *configReader) initializer(key string) initializers.Initializer {
	v := r.cfg[key]
	if m, ok := v.(map[string]any); ok {
		// Keys newer Keras versions add with null values (GlorotUniform's input_axes and
		// output_axes in 3.15) change nothing.
		if c, ok := m["config"].(map[string]any); ok {
			c = cloneMap(c)
			for k, x := range c {
				if x == nil && k != "seed" {
					delete(c, k)
				}
			}
			m = cloneMap(m)
			m["config"] = c
			v = m
		}
	}
	init, err := initializers.Deserialize(v)
	if err != nil {
		r.fail("%s: %v", key, err)
		return nil
	}
	return init
}
