package losses

import (
	"fmt"
	"math"
)

// Configurable is a loss that Compile configs can write as Keras writes a loss object:
// {"module": "keras.losses", "class_name": ClassName(), "config": Config(), ...}. Every loss
// of this package is one; FromConfig reads the object back.
type Configurable interface {
	Loss
	// ClassName is the Keras class: "CategoricalCrossentropy" ...
	ClassName() string
	// Config is the class's constructor config with Keras's keys and values.
	Config() map[string]any
}

var (
	_ Configurable = MeanSquaredError{}
	_ Configurable = MeanAbsoluteError{}
	_ Configurable = BinaryCrossentropy{}
	_ Configurable = CategoricalCrossentropy{}
	_ Configurable = SparseCategoricalCrossentropy{}
)

// baseConfig is the config every loss writes: its name and its reduction.
func baseConfig(name string, r Reduction) map[string]any {
	return map[string]any{"name": name, "reduction": r.configValue()}
}

// crossentropyConfig is the config of the cross-entropies with targets of pred's shape (the
// binary and categorical ones and their focal forms): baseConfig, from_logits,
// label_smoothing, and axis, always the last.
func crossentropyConfig(name string, r Reduction, fromLogits bool, smoothing float64) map[string]any {
	c := baseConfig(name, r)
	c["from_logits"], c["label_smoothing"], c["axis"] = fromLogits, smoothing, -1
	return c
}

// ClassName returns "MeanSquaredError".
func (MeanSquaredError) ClassName() string { return "MeanSquaredError" }

// Config returns Keras's config: name and reduction.
func (l MeanSquaredError) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// ClassName returns "MeanAbsoluteError".
func (MeanAbsoluteError) ClassName() string { return "MeanAbsoluteError" }

// Config returns Keras's config: name and reduction.
func (l MeanAbsoluteError) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// ClassName returns "BinaryCrossentropy".
func (BinaryCrossentropy) ClassName() string { return "BinaryCrossentropy" }

// Config returns Keras's config: name, reduction, from_logits, label_smoothing and axis.
func (l BinaryCrossentropy) Config() map[string]any {
	return crossentropyConfig(l.Name(), l.Reduction, l.FromLogits, l.LabelSmoothing)
}

// ClassName returns "CategoricalCrossentropy".
func (CategoricalCrossentropy) ClassName() string { return "CategoricalCrossentropy" }

// Config returns Keras's config: name, reduction, from_logits, label_smoothing and axis.
func (l CategoricalCrossentropy) Config() map[string]any {
	return crossentropyConfig(l.Name(), l.Reduction, l.FromLogits, l.LabelSmoothing)
}

// ClassName returns "SparseCategoricalCrossentropy".
func (SparseCategoricalCrossentropy) ClassName() string { return "SparseCategoricalCrossentropy" }

// Config returns Keras's config: name, reduction, from_logits and ignore_class (always null).
func (l SparseCategoricalCrossentropy) Config() map[string]any {
	c := baseConfig(l.Name(), l.Reduction)
	c["from_logits"], c["ignore_class"] = l.FromLogits, nil
	return c
}

// FromConfig returns the loss of a Keras loss object's class_name and config, as Keras
// writes them in compile configs, with its reduction (null, Keras's None, reads as
// NoReduction). Arguments kerago does not compute are errors naming them: an axis other than
// -1, an ignore_class, a reduction that is not Keras's.
func FromConfig(className string, config map[string]any) (Loss, error) {
	r, err := readReduction(className, config)
	if err != nil {
		return nil, err
	}
	l, err := argsFromConfig(className, config)
	if err != nil {
		return nil, err
	}
	l, err = withReduction(l, r)
	if err != nil {
		return nil, fmt.Errorf("loss %s: %w", className, err)
	}
	return l, nil
}

// argsFromConfig reads the loss of className with its other arguments.
func argsFromConfig(className string, config map[string]any) (Loss, error) {
	l, err := Get(className)
	if err != nil {
		return nil, err
	}
	if more, ok, err := moreFromConfig(l, className, config); ok {
		return more, err
	}
	if shaped, ok, err := shapedFromConfig(l, className, config); ok {
		return shaped, err
	}
	if a, ok := config["axis"]; ok && a != nil && !isNumber(a, -1) {
		return nil, fmt.Errorf("loss %s: axis %v is not supported (only -1)", className, a)
	}
	if ic, ok := config["ignore_class"]; ok && ic != nil {
		return nil, fmt.Errorf("loss %s: ignore_class %v is not supported", className, ic)
	}
	fromLogits, err := boolArg(className, config, "from_logits")
	if err != nil {
		return nil, err
	}
	smoothing, err := numberArg(className, config, "label_smoothing")
	if err != nil {
		return nil, err
	}
	switch l := l.(type) {
	case BinaryCrossentropy:
		l.FromLogits, l.LabelSmoothing = fromLogits, smoothing
		return l, l.Validate()
	case CategoricalCrossentropy:
		l.FromLogits, l.LabelSmoothing = fromLogits, smoothing
		return l, l.Validate()
	case SparseCategoricalCrossentropy:
		l.FromLogits = fromLogits
		return l, checkNoSmoothing(className, smoothing)
	}
	if fromLogits {
		return nil, fmt.Errorf("loss %s has no from_logits argument", className)
	}
	return l, checkNoSmoothing(className, smoothing)
}

func checkNoSmoothing(className string, s float64) error {
	if s != 0 {
		return fmt.Errorf("loss %s has no label_smoothing argument", className)
	}
	return nil
}

func isNumber(v any, want float64) bool {
	switch n := v.(type) {
	case float64:
		return n == want
	case int:
		return float64(n) == want
	}
	return false
}

func boolArg(className string, config map[string]any, key string) (bool, error) {
	v, ok := config[key]
	if !ok || v == nil {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("loss %s: %s is %T %v, want a boolean", className, key, v, v)
	}
	return b, nil
}

func numberArg(className string, config map[string]any, key string) (float64, error) {
	v, ok := config[key]
	if !ok || v == nil {
		return 0, nil
	}
	switch n := v.(type) {
	case float64:
		return n, nil
	case int:
		return float64(n), nil
	}
	return math.NaN(), fmt.Errorf("loss %s: %s is %T %v, want a number", className, key, v, v)
}
