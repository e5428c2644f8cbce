package losses

import (
	"fmt"
	"math"
)

// The Keras loss objects beyond the cross-entropies and the two mean errors: their classes,
// configs as Keras 3.15 writes them, and how FromConfig reads their arguments.

var (
	_ Configurable = MeanAbsolutePercentageError{}
	_ Configurable = MeanSquaredLogarithmicError{}
	_ Configurable = Huber{}
	_ Configurable = LogCosh{}
	_ Configurable = KLDivergence{}
	_ Configurable = Poisson{}
	_ Configurable = CosineSimilarity{}
	_ Configurable = Hinge{}
	_ Configurable = SquaredHinge{}
	_ Configurable = CategoricalHinge{}
	_ Configurable = BinaryFocalCrossentropy{}
	_ Configurable = CategoricalFocalCrossentropy{}
	_ Configurable = Dice{}
	_ Configurable = Tversky{}
	_ Configurable = CategoricalGeneralizedCrossEntropy{}
)

func init() {
	register(func() Loss { return MeanAbsolutePercentageError{} }, "mape", "MAPE", "mean_absolute_percentage_error", "MeanAbsolutePercentageError")
	register(func() Loss { return MeanSquaredLogarithmicError{} }, "msle", "MSLE", "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError")
	register(func() Loss { return Huber{} }, "huber", "Huber")
	register(func() Loss { return LogCosh{} }, "log_cosh", "LogCosh")
	register(func() Loss { return KLDivergence{} }, "kl_divergence", "kld", "KLD", "KLDivergence")
	register(func() Loss { return Poisson{} }, "poisson", "Poisson")
	register(func() Loss { return CosineSimilarity{} }, "cosine_similarity", "CosineSimilarity")
	register(func() Loss { return Hinge{} }, "hinge", "Hinge")
	register(func() Loss { return SquaredHinge{} }, "squared_hinge", "SquaredHinge")
	register(func() Loss { return CategoricalHinge{} }, "categorical_hinge", "CategoricalHinge")
	register(func() Loss { return BinaryFocalCrossentropy{} }, "binary_focal_crossentropy", "BinaryFocalCrossentropy")
	register(func() Loss { return CategoricalFocalCrossentropy{} }, "categorical_focal_crossentropy", "CategoricalFocalCrossentropy")
	register(func() Loss { return Dice{} }, "dice", "Dice")
	register(func() Loss { return Tversky{} }, "tversky", "Tversky")
	// Keras has no function of this name, only the class.
	register(func() Loss { return CategoricalGeneralizedCrossEntropy{} }, "categorical_generalized_cross_entropy", "CategoricalGeneralizedCrossEntropy")
}

// ClassName returns "MeanAbsolutePercentageError".
func (MeanAbsolutePercentageError) ClassName() string { return "MeanAbsolutePercentageError" }

// Config returns Keras's config: name and reduction.
func (l MeanAbsolutePercentageError) Config() map[string]any {
	return baseConfig(l.Name(), l.Reduction)
}

// ClassName returns "MeanSquaredLogarithmicError".
func (MeanSquaredLogarithmicError) ClassName() string { return "MeanSquaredLogarithmicError" }

// Config returns Keras's config: name and reduction.
func (l MeanSquaredLogarithmicError) Config() map[string]any {
	return baseConfig(l.Name(), l.Reduction)
}

// ClassName returns "Huber".
func (Huber) ClassName() string { return "Huber" }

// Config returns Keras's config, name "huber_loss" and reduction, and delta when it is not
// the default 1. Keras 3.15's Huber writes no delta at all (its value is lost on saving);
// Keras reads the key back, so kerago keeps a delta that differs.
func (l Huber) Config() map[string]any {
	c := baseConfig("huber_loss", l.Reduction)
	if d := l.delta(); d != 1 {
		c["delta"] = d
	}
	return c
}

// ClassName returns "LogCosh".
func (LogCosh) ClassName() string { return "LogCosh" }

// Config returns Keras's config: name and reduction.
func (l LogCosh) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// ClassName returns "KLDivergence".
func (KLDivergence) ClassName() string { return "KLDivergence" }

// Config returns Keras's config: name and reduction.
func (l KLDivergence) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// ClassName returns "Poisson".
func (Poisson) ClassName() string { return "Poisson" }

// Config returns Keras's config: name and reduction.
func (l Poisson) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// ClassName returns "CosineSimilarity".
func (CosineSimilarity) ClassName() string { return "CosineSimilarity" }

// Config returns Keras's config, name and reduction, and axis when it is not the default -1
// (Keras 3.15 writes no axis; it reads the key back).
func (l CosineSimilarity) Config() map[string]any {
	c := baseConfig(l.Name(), l.Reduction)
	if a := l.axis(); a != -1 {
		c["axis"] = a
	}
	return c
}

// ClassName returns "Hinge".
func (Hinge) ClassName() string { return "Hinge" }

// Config returns Keras's config: name and reduction.
func (l Hinge) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// ClassName returns "SquaredHinge".
func (SquaredHinge) ClassName() string { return "SquaredHinge" }

// Config returns Keras's config: name and reduction.
func (l SquaredHinge) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// ClassName returns "CategoricalHinge".
func (CategoricalHinge) ClassName() string { return "CategoricalHinge" }

// Config returns Keras's config: name and reduction.
func (l CategoricalHinge) Config() map[string]any { return baseConfig(l.Name(), l.Reduction) }

// ClassName returns "BinaryFocalCrossentropy".
func (BinaryFocalCrossentropy) ClassName() string { return "BinaryFocalCrossentropy" }

// Config returns Keras's config: name, reduction, from_logits, label_smoothing, axis,
// apply_class_balancing, alpha and gamma.
func (l BinaryFocalCrossentropy) Config() map[string]any {
	c := crossentropyConfig(l.Name(), l.Reduction, l.FromLogits, l.LabelSmoothing)
	c["apply_class_balancing"], c["alpha"], c["gamma"] = l.ApplyClassBalancing, l.alpha(), l.gamma()
	return c
}

// ClassName returns "CategoricalFocalCrossentropy".
func (CategoricalFocalCrossentropy) ClassName() string { return "CategoricalFocalCrossentropy" }

// Config returns Keras's config: name, reduction, from_logits, label_smoothing, axis, alpha
// and gamma.
func (l CategoricalFocalCrossentropy) Config() map[string]any {
	c := crossentropyConfig(l.Name(), l.Reduction, l.FromLogits, l.LabelSmoothing)
	c["alpha"], c["gamma"] = l.alpha(), l.gamma()
	return c
}

// ClassName returns "Dice".
func (Dice) ClassName() string { return "Dice" }

// Config returns Keras's config: name, reduction and axis (null for every axis).
func (l Dice) Config() map[string]any {
	c := baseConfig(l.Name(), l.Reduction)
	c["axis"] = axisConfig(l.Axis)
	return c
}

// ClassName returns "Tversky".
func (Tversky) ClassName() string { return "Tversky" }

// Config returns Keras's config: name, reduction, alpha, beta and axis.
func (l Tversky) Config() map[string]any {
	c := baseConfig(l.Name(), l.Reduction)
	c["alpha"], c["beta"] = l.weights()
	c["axis"] = axisConfig(l.Axis)
	return c
}

// ClassName returns "CategoricalGeneralizedCrossEntropy".
func (CategoricalGeneralizedCrossEntropy) ClassName() string {
	return "CategoricalGeneralizedCrossEntropy"
}

// Config returns Keras's config: name, reduction and q.
func (l CategoricalGeneralizedCrossEntropy) Config() map[string]any {
	c := baseConfig(l.Name(), l.Reduction)
	c["q"] = l.q()
	return c
}

// axisConfig writes a Dice or Tversky axis: null, or a list.
func axisConfig(axis []int) any {
	if axis == nil {
		return nil
	}
	out := make([]any, len(axis))
	for i, a := range axis {
		out[i] = a
	}
	return out
}

// moreFromConfig reads the arguments of the losses of this file. ok is false for the other
// losses, whose arguments FromConfig reads itself.
func moreFromConfig(l Loss, className string, config map[string]any) (Loss, bool, error) {
	num := func(key string, def float64) (float64, error) { return numberOr(className, config, key, def) }
	var err error
	switch l := l.(type) {
	case Huber:
		if l.Delta, err = num("delta", 1); err == nil {
			err = l.Validate()
		}
		return l, true, err
	case CosineSimilarity:
		var a float64
		if a, err = num("axis", -1); err == nil && (a != math.Trunc(a) || a == 0) {
			err = fmt.Errorf("loss %s: axis %v is not supported", className, a)
		}
		l.Axis = int(a)
		return l, true, err
	case BinaryFocalCrossentropy:
		if err = checkAxisLast(className, config); err == nil {
			l.ApplyClassBalancing, err = boolArg(className, config, "apply_class_balancing")
		}
		if err == nil {
			l.FromLogits, l.LabelSmoothing, l.Alpha, l.Gamma, err = focalArgs(className, config)
		}
		if err != nil {
			return nil, true, err
		}
		return l, true, l.Validate()
	case CategoricalFocalCrossentropy:
		if err = checkAxisLast(className, config); err == nil {
			l.FromLogits, l.LabelSmoothing, l.Alpha, l.Gamma, err = focalArgs(className, config)
		}
		if err != nil {
			return nil, true, err
		}
		return l, true, l.Validate()
	case Dice:
		l.Axis, err = axisArg(className, config)
		return l, true, err
	case Tversky:
		if l.Axis, err = axisArg(className, config); err != nil {
			return nil, true, err
		}
		if l.Alpha, err = num("alpha", 0.5); err != nil {
			return nil, true, err
		}
		if l.Beta, err = num("beta", 0.5); err == nil && l.Alpha == 0 && l.Beta == 0 {
			err = fmt.Errorf("loss %s: alpha and beta both 0 are not supported", className)
		}
		if err == nil {
			err = l.Validate()
		}
		return l, true, err
	case CategoricalGeneralizedCrossEntropy:
		if l.Q, err = num("q", 0.5); err == nil {
			err = l.Validate()
		}
		return l, true, err
	}
	return l, false, nil
}

// focalArgs reads the arguments both focal cross-entropies take: from_logits,
// label_smoothing, alpha (default 0.25) and gamma (default 2). An explicit alpha or gamma of
// 0 is refused: the fields' zero value stands for Keras's default.
func focalArgs(className string, config map[string]any) (fromLogits bool, smoothing, alpha, gamma float64, err error) {
	if fromLogits, err = boolArg(className, config, "from_logits"); err != nil {
		return
	}
	if smoothing, err = numberArg(className, config, "label_smoothing"); err != nil {
		return
	}
	if alpha, err = numberOr(className, config, "alpha", 0.25); err != nil {
		return
	}
	if gamma, err = numberOr(className, config, "gamma", 2); err != nil {
		return
	}
	err = errorsJoin(nonZeroArg(className, "alpha", alpha), nonZeroArg(className, "gamma", gamma))
	return
}

// numberOr reads the number argument key, def when the config lacks it or holds null.
func numberOr(className string, config map[string]any, key string, def float64) (float64, error) {
	v, err := numberArg(className, config, key)
	if _, present := config[key]; !present || config[key] == nil {
		return def, err
	}
	return v, err
}

// nonZeroArg refuses an explicit 0 for key, where the loss field's zero value means Keras's
// default.
func nonZeroArg(className, key string, v float64) error {
	if v == 0 {
		return fmt.Errorf("loss %s: %s 0 is not supported", className, key)
	}
	return nil
}

// errorsJoin returns the first non-nil error.
func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkAxisLast(className string, config map[string]any) error {
	if a, ok := config["axis"]; ok && a != nil && !isNumber(a, -1) {
		return fmt.Errorf("loss %s: axis %v is not supported (only -1)", className, a)
	}
	return nil
}

// axisArg reads a Dice or Tversky axis: null, a number, or a list of numbers.
func axisArg(className string, config map[string]any) ([]int, error) {
	v, ok := config["axis"]
	if !ok || v == nil {
		return nil, nil
	}
	one := func(x any) (int, error) {
		f, ok := x.(float64)
		if i, isInt := x.(int); isInt {
			f, ok = float64(i), true
		}
		if !ok || f != math.Trunc(f) {
			return 0, fmt.Errorf("loss %s: axis %v is not an integer or a list of them", className, v)
		}
		return int(f), nil
	}
	if list, ok := v.([]any); ok {
		out := make([]int, len(list))
		for i, x := range list {
			a, err := one(x)
			if err != nil {
				return nil, err
			}
			out[i] = a
		}
		return out, nil
	}
	a, err := one(v)
	if err != nil {
		return nil, err
	}
	return []int{a}, nil
}
