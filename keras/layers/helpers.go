package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	"gorgonia.org/tensor"
)

// adaptBatches reads the data an Adapt method takes, one *tensor.Dense or a []*tensor.Dense
// of batches, as a list of batches; class and name name the layer in the error.
func adaptBatches(class, name string, data any) ([]*tensor.Dense, error) {
	switch d := data.(type) {
	case *tensor.Dense:
		return []*tensor.Dense{d}, nil
	case []*tensor.Dense:
		return d, nil
	}
	return nil, fmt.Errorf("%w: %s %s: Adapt takes a *tensor.Dense or a []*tensor.Dense of batches, got %T", keras.ErrInvalidArgument, class, name, data)
}

// checkOneInput checks that a layer got exactly one input of at least minRank dimensions
// (batch included).
func checkOneInput(in []keras.Shape, minRank int) error {
	if len(in) != 1 {
		return keras.ShapeError("expects 1 input, got %d", len(in))
	}
	if in[0].Rank() < minRank {
		return keras.ShapeError("expects an input of rank at least %d (batch included), got shape %v", minRank, in[0])
	}
	return nil
}

// initializerConfig is how Keras 3 writes an initializer in a layer config, arguments
// included: {"module": "keras.initializers", "class_name": "RandomNormal", "config": {"mean":
// 0.0, "stddev": 0.2, "seed": null}, "registered_name": null}.
func initializerConfig(init initializers.Initializer) any {
	if init == nil {
		return nil
	}
	return initializers.Serialize(init)
}

// initializerOf resolves the value of an initializer option (KernelInitializer, ...): a Keras
// name ("glorot_uniform", "RandomNormal") or an initializers.Initializer value, which keeps
// its arguments. The initializer must be one of package initializers, whose Keras config can
// be saved.
func initializerOf(option string, v any) (initializers.Initializer, error) {
	switch x := v.(type) {
	case string:
		init, err := initializers.Get(x)
		if err != nil {
			return nil, fmt.Errorf("%s(%q): %w", option, x, err)
		}
		return init, nil
	case initializers.Initializer:
		if class, _ := initializers.Config(x); class == "" {
			return nil, fmt.Errorf("%w: %s(%T): not an initializer of package initializers, so it has no Keras config to save",
				keras.ErrInvalidArgument, option, x)
		}
		return x, nil
	}
	return nil, fmt.Errorf("%w: %s(%v): want a Keras initializer name or an initializers.Initializer, got %T",
		keras.ErrInvalidArgument, option, v, v)
}

// resolveInit resolves one initializer option of a layer, recording a problem on the layer.
func resolveInit(b *keras.LayerBase, option string, v any) initializers.Initializer {
	init, err := initializerOf(option, v)
	b.SetErr(err)
	return init
}
