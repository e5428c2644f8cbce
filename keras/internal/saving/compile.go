package saving

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kerago/kerago/keras/internal/errs"
	"github.com/kerago/kerago/keras/losses"
	"github.com/kerago/kerago/keras/optimizers"
)

// OptimizerClass maps an optimizer's Keras identifier to its Keras class name.
func OptimizerClass(name string) string {
	switch name {
	case "sgd":
		return "SGD"
	case "adam":
		return "Adam"
	case "adamw":
		return "AdamW"
	case "adamax":
		return "Adamax"
	case "lion":
		return "Lion"
	case "ftrl":
		return "Ftrl"
	case "nadam":
		return "Nadam"
	case "adadelta":
		return "Adadelta"
	case "rmsprop":
		return "RMSprop"
	case "adagrad":
		return "Adagrad"
	}
	if name == "" {
		return ""
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// SerializeOptimizer is how Keras 3 writes an optimizer in a compile_config.
func SerializeOptimizer(o optimizers.Optimizer) map[string]any {
	return map[string]any{
		"module":          "keras.optimizers",
		"class_name":      OptimizerClass(o.Name()),
		"config":          o.Config(),
		"registered_name": nil,
	}
}

// LossConfig writes the loss argument of Compile as Keras writes it: a name stays a name, a
// losses value becomes Keras's loss object, in a list or a dict as given.
func LossConfig(loss any) any {
	switch l := loss.(type) {
	case string:
		return l
	case losses.Configurable:
		return lossObject(l)
	case losses.Loss:
		return l.Name()
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(l))
		for k, s := range l {
			out[k] = s
		}
		return out
	case []any:
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = LossConfig(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(l))
		for k, x := range l {
			out[k] = LossConfig(x)
		}
		return out
	}
	return nil
}

// lossObject is a loss value as Keras serialises a loss object.
func lossObject(l losses.Configurable) map[string]any {
	return map[string]any{
		"module":          "keras.losses",
		"class_name":      l.ClassName(),
		"config":          l.Config(),
		"registered_name": nil,
	}
}

// objectErr classifies the error of rebuilding a serialised optimizer or loss: an unknown
// class already wraps errs.UnknownName (through losses.ErrUnknownLoss and the like); any other
// problem (reduction "sum", a label_smoothing out of range, an argument of the wrong type) is
// a setting of the file this library cannot honour, errs.FileFormat, not an unknown name.
func objectErr(err error) error {
	if errors.Is(err, errs.UnknownName) {
		return err
	}
	return fmt.Errorf("%w: %w", errs.FileFormat, err)
}

// OptimizerFromConfig rebuilds an optimizer from a name or a serialised optimizer dict.
func OptimizerFromConfig(v any) (optimizers.Optimizer, error) {
	switch o := v.(type) {
	case string:
		opt, err := optimizers.Get(o)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errs.UnknownName, err)
		}
		return opt, nil
	case map[string]any:
		class, _ := o["class_name"].(string)
		if class == "" {
			return nil, fmt.Errorf("%w: optimizer has no class_name", errs.FileFormat)
		}
		cfg, _ := o["config"].(map[string]any)
		opt, err := optimizers.FromConfig(class, cfg)
		if err != nil {
			return nil, objectErr(err)
		}
		return opt, nil
	}
	return nil, fmt.Errorf("%w: optimizer is %T, want a name or a dict", errs.FileFormat, v)
}

// lossOf reads one loss: a name, or a serialised loss object with its arguments (nil for
// null).
func lossOf(v any) (any, error) {
	switch l := v.(type) {
	case nil:
		return nil, nil
	case string:
		if _, err := losses.Get(l); err != nil {
			return nil, fmt.Errorf("%w: %w", errs.UnknownName, err)
		}
		return l, nil
	case map[string]any:
		class, _ := l["class_name"].(string)
		cfg, _ := l["config"].(map[string]any)
		loss, err := losses.FromConfig(class, cfg)
		if err != nil {
			return nil, objectErr(err)
		}
		return loss, nil
	}
	return nil, fmt.Errorf("%w: loss is %T", errs.FileFormat, v)
}

// LossFromConfig reads the loss argument: a name or loss object, or a list or a dict of
// them.
func LossFromConfig(v any) (any, error) {
	switch l := v.(type) {
	case []any:
		out := make([]any, len(l))
		for i, x := range l {
			n, err := lossOf(x)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		if _, isObject := l["class_name"]; isObject {
			return lossOf(l)
		}
		out := make(map[string]any, len(l))
		for k, x := range l {
			n, err := lossOf(x)
			if err != nil {
				return nil, err
			}
			if n != nil {
				out[k] = n
			}
		}
		return out, nil
	}
	return lossOf(v)
}
