package layers

import (
	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
)

// A layer's Keras config is described once, as a table of its keys (configKeys): each key
// says how the layer writes it (Config) and how a saved value is read back into a fresh layer
// (the from-config function registerLayer derives), so a config key is spelled once per layer.
// Name, trainable and dtype are not in the table: keras.LayerConfig writes them for every
// layer and the config reader turns them into the common options.

// configKey is one key of a layer's Keras config.
type configKey[L any] struct {
	name     string
	required bool                                    // a config without the key is an error naming it
	null     bool                                    // read also holds a present null (Bidirectional's merge_mode: null is "none")
	write    func(l *L) any                          // the value Config writes
	aliases  []string                                // older spellings read when name is missing (Keras 2's "alpha")
	read     func(r *configReader, key string, l *L) // sets the layer's field from r.cfg[key], present and not null
	unset    func(l *L)                              // sets the default when the key is missing or null
	own      bool                                    // a non-null value is read, not refused by checkUnsupported (penalties.go)
}

// req marks the key required: a saved config without it is an error.
func (k configKey[L]) req() configKey[L] {
	k.required = true
	return k
}

// or adds an older spelling of the key, read when the key itself is missing.
func (k configKey[L]) or(alias string) configKey[L] {
	k.aliases = append(append([]string(nil), k.aliases...), alias)
	return k
}

// configKeys is the table of a layer's Keras config keys, in Keras's order.
type configKeys[L any] []configKey[L]

// config returns the layer's Keras config, without name, trainable and dtype.
func (ks configKeys[L]) config(l *L) map[string]any {
	out := make(map[string]any, len(ks))
	for _, k := range ks {
		out[k.name] = k.write(l)
	}
	return out
}

// read sets l's fields from the config r reads.
func (ks configKeys[L]) read(r *configReader, l *L) {
	for _, k := range ks {
		if key, ok := present(r.cfg, k.name, k.aliases, k.null); ok {
			k.read(r, key, l)
			continue
		}
		if k.required {
			r.fail("%s is missing", k.name)
		}
		if k.unset != nil {
			k.unset(l)
		}
	}
}

// present returns the first of name and aliases that the config holds, not null unless null
// is read.
func present(cfg map[string]any, name string, aliases []string, null bool) (string, bool) {
	for _, key := range append([]string{name}, aliases...) {
		if v, ok := cfg[key]; ok && (v != nil || null) {
			return key, true
		}
	}
	return "", false
}

// registerLayer registers class with keras.LoadModel: a saved config is read through keys into
// a new layer, which made then names (from the common options) and checks, as the layer's
// constructor does.
func registerLayer[L any](class string, keys configKeys[L], made func(l *L, o *options) keras.Layer) {
	Register(class, func(c map[string]any) (keras.Layer, error) {
		r := newConfigReader(class, withoutOwn(keys, c))
		r.cfg = c
		l := new(L)
		keys.read(r, l)
		if r.err != nil {
			return nil, r.err
		}
		return r.done(made(l, newOptions(optsAs[Option](r))))
	})
}

// Register makes a layer class loadable by keras.LoadModel: fromConfig rebuilds a layer from
// the "config" dict Keras saved for it (numbers are float64, lists []any, dicts
// map[string]any, as encoding/json decodes them). Every layer of this package registers its
// Keras class name from an init function in its own file; register your own layers the same
// way, under the class name their ClassName returns. Register panics on an empty or duplicate
// class name (see keras.RegisterLayer).
func Register(className string, fromConfig func(cfg map[string]any) (keras.Layer, error)) {
	keras.RegisterLayer(className, fromConfig)
}

// intKey is an integer key, bounded as toInt bounds config integers.
func intKey[L any](name string, field func(*L) *int, def int) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any { return *field(l) },
		read:  func(r *configReader, key string, l *L) { *field(l) = r.int(key, def, false) },
		unset: func(l *L) { *field(l) = def }}
}

// floatKey is a number key.
func floatKey[L any](name string, field func(*L) *float64, def float64) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any { return *field(l) },
		read:  func(r *configReader, key string, l *L) { *field(l) = r.float(key, def, false) },
		unset: func(l *L) { *field(l) = def }}
}

// noneFloatKey is a number key Keras may write as null (ReLU's max_value): the field holds
// none for null, and a missing or null key reads as none.
func noneFloatKey[L any](name string, field func(*L) *float64, none float64) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any {
			if v := *field(l); v != none {
				return v
			}
			return nil
		},
		read:  func(r *configReader, key string, l *L) { *field(l) = r.float(key, none, false) },
		unset: func(l *L) { *field(l) = none }}
}

// boolKey is a boolean key.
func boolKey[L any](name string, field func(*L) *bool, def bool) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any { return *field(l) },
		read: func(r *configReader, key string, l *L) {
			b, ok := r.cfg[key].(bool)
			if !ok {
				r.fail("%s: %v is not a bool", key, r.cfg[key])
			}
			*field(l) = b
		},
		unset: func(l *L) { *field(l) = def }}
}

// activationKey is an activation, written as its Keras name ("linear" for none) and read
// from a name or Keras's serialised function.
func activationKey[L any](name string, field func(*L) *string) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any { return activationConfig(*field(l)) },
		read:  func(r *configReader, key string, l *L) { *field(l) = r.activation(key) },
		unset: func(l *L) { *field(l) = "" }}
}

// initializerKey is an initializer, written and read with its arguments as Keras writes it.
func initializerKey[L any](name string, field func(*L) *initializers.Initializer, def func() initializers.Initializer) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any { return initializerConfig(*field(l)) },
		read:  func(r *configReader, key string, l *L) { *field(l) = r.initializer(key) },
		unset: func(l *L) { *field(l) = def() }}
}

// nullKey is a key Keras writes as null that this library does not implement (regularizers,
// constraints): a saved non-null value is refused by the config reader (checkUnsupported).
func nullKey[L any](name string) configKey[L] {
	return configKey[L]{name: name,
		write: func(*L) any { return nil },
		read:  func(*configReader, string, *L) {}}
}

// intsKey is a list of integers (Reshape's target_shape), each bounded as toInt bounds config
// integers.
func intsKey[L any](name string, field func(*L) *[]int) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any {
			out := make([]any, len(*field(l)))
			for i, d := range *field(l) {
				out[i] = d
			}
			return out
		},
		read: func(r *configReader, key string, l *L) { *field(l) = r.ints(key, 0) }}
}

// constKey is a key whose only supported value this library always writes (stateful false);
// the config reader refuses the others (checkUnsupported).
func constKey[L any](name string, value any) configKey[L] {
	return configKey[L]{name: name,
		write: func(*L) any { return value },
		read:  func(*configReader, string, *L) {}}
}

// zeroKey is a rate this library does not implement (a recurrent layer's dropout): written as
// 0.0, and a saved value other than 0 is refused, naming the key.
func zeroKey[L any](name string) configKey[L] {
	return configKey[L]{name: name,
		write: func(*L) any { return 0.0 },
		read: func(r *configReader, key string, _ *L) {
			if v := r.float(key, 0, false); v != 0 {
				r.fail("%s=%v is not supported", key, v)
			}
		}}
}

// writeKey is a key the layer writes but never reads back: the value is set by its owner
// (Bidirectional sets zero_output_for_mask on its copies), and the config reader refuses
// the values this library does not implement (checkUnsupported).
func writeKey[L any](name string, write func(l *L) any) configKey[L] {
	return configKey[L]{name: name, write: write, read: func(*configReader, string, *L) {}}
}

// fixedInitializerKey is an initializer the layer always uses (BatchNormalization's gamma is
// Ones): written as Keras writes it, and a saved one of another class is refused.
func fixedInitializerKey[L any](name string, init func() initializers.Initializer) configKey[L] {
	return configKey[L]{name: name,
		write: func(*L) any { return initializerConfig(init()) },
		read: func(r *configReader, key string, _ *L) {
			got := r.initializer(key)
			if got == nil {
				return
			}
			have, _ := initializers.Config(got)
			want, _ := initializers.Config(init())
			if have != want {
				r.fail("%s %s is not supported (only %s)", key, have, want)
			}
		}}
}

// stringKey is a string key (a convolution's or pooling's padding). The layer's made checks
// the value, as it checks the one given to the constructor.
func stringKey[L any](name string, field func(*L) *string, def string) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any { return *field(l) },
		read:  func(r *configReader, key string, l *L) { *field(l) = r.str(key, def) },
		unset: func(l *L) { *field(l) = def }}
}

// windowKey is a tuple of window sizes (kernel_size, strides, dilation_rate, pool_size),
// written as the list Keras writes and read from a list or from one integer, each bounded by
// MaxConfigWindow. A missing or null key leaves nil: the layer's made expands one value to
// every spatial axis and supplies the default, for the constructor's options and for a saved
// config alike.
func windowKey[L any](name string, field func(*L) *[]int) configKey[L] {
	return configKey[L]{name: name,
		write: func(l *L) any { return append([]int(nil), *field(l)...) },
		read:  func(r *configReader, key string, l *L) { *field(l) = r.ints(key, 0) },
		unset: func(l *L) { *field(l) = nil }}
}
