package optimizers

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// FromConfig rebuilds an optimizer from a Keras config, as stored in a saved model's
// compile_config or training_config: className is the Keras class name ("Adam", "AdamW",
// "Adamax", "Nadam", "Lion", "Adadelta", "Ftrl", "SGD", "RMSprop", "Adagrad"; matched case-insensitively) and cfg its get_config() dict (numbers
// may be float64, int or json.Number, as encoding/json decodes them).
//
// Keys left out take Keras's defaults; "name" is kept for [Optimizer.Config]. Keras 2
// leftovers ("jit_compile", "is_legacy_optimizer", "decay" of 0, "lr" for learning_rate) are
// accepted. weight_decay, clipnorm, global_clipnorm and clipvalue are honoured ([WeightDecay],
// [ClipNorm], [GlobalClipNorm], [ClipValue]). Features this package does not
// implement (use_ema, loss_scale_factor, gradient_accumulation_steps, learning-rate
// schedules) are accepted only when null or off; otherwise, and for unknown keys or values of
// the wrong type, FromConfig returns an error wrapping [ErrConfig]. An unknown className
// wraps [ErrUnknownOptimizer].
func FromConfig(className string, cfg map[string]any) (Optimizer, error) {
	var (
		name    string
		allowed map[string]field
	)
	common := map[string]field{"learning_rate": fieldLearningRate, "lr": fieldLearningRate}
	switch strings.ToLower(className) {
	case "sgd":
		name, allowed = "sgd", map[string]field{"momentum": fieldMomentum, "nesterov": fieldNesterov}
	case "adam", "adamw":
		name, allowed = strings.ToLower(className), map[string]field{"beta_1": fieldBeta1, "beta_2": fieldBeta2,
			"epsilon": fieldEpsilon, "amsgrad": fieldAMSGrad}
	case "adamax":
		name, allowed = "adamax", map[string]field{"beta_1": fieldBeta1, "beta_2": fieldBeta2,
			"epsilon": fieldEpsilon}
	case "lion":
		name, allowed = "lion", map[string]field{"beta_1": fieldBeta1, "beta_2": fieldBeta2}
	case "adadelta":
		name, allowed = "adadelta", map[string]field{"rho": fieldRho, "epsilon": fieldEpsilon}
	case "nadam":
		name, allowed = "nadam", map[string]field{"beta_1": fieldBeta1, "beta_2": fieldBeta2,
			"epsilon": fieldEpsilon}
	case "ftrl":
		name, allowed = "ftrl", map[string]field{"learning_rate_power": fieldLRPower,
			"initial_accumulator_value": fieldInitialAccumulator, "l1_regularization_strength": fieldL1,
			"l2_regularization_strength": fieldL2, "l2_shrinkage_regularization_strength": fieldL2Shrinkage,
			"beta": fieldBeta}
	case "rmsprop":
		name, allowed = "rmsprop", map[string]field{"rho": fieldRho, "momentum": fieldMomentum,
			"epsilon": fieldEpsilon, "centered": fieldCentered}
	case "adagrad":
		name, allowed = "adagrad", map[string]field{"initial_accumulator_value": fieldInitialAccumulator,
			"epsilon": fieldEpsilon}
	default:
		return nil, newError("", "FromConfig", ErrUnknownOptimizer,
			"unknown optimizer class %q; known classes: Adadelta, Adagrad, Adam, Adamax, AdamW, Ftrl, Lion, Nadam, RMSprop, SGD", className)
	}
	for k, v := range common {
		allowed[k] = v
	}
	fail := func(format string, args ...any) (Optimizer, error) {
		return nil, newError(name, "FromConfig", ErrConfig, format, args...)
	}

	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic first error
	var (
		opts       []Option
		configName string
		haveLR     bool
	)
	for _, k := range keys {
		v := cfg[k]
		switch k {
		case "name":
			if v == nil {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return fail("name must be a string, got %T", v)
			}
			configName = s
			continue
		case "jit_compile", "is_legacy_optimizer", "ema_momentum":
			continue
		case "use_ema":
			if b, ok := v.(bool); ok && !b || v == nil {
				continue
			}
			return fail("use_ema=%v is not supported", v)
		case "weight_decay":
			if v == nil {
				if name == "adamw" {
					return fail("weight_decay must be a number for AdamW, got null")
				}
				continue
			}
			x, ok := number(v)
			if !ok {
				return fail("weight_decay must be a number or null, got %T", v)
			}
			opts = append(opts, WeightDecay(x))
			continue
		case "clipnorm", "global_clipnorm", "clipvalue":
			if v == nil {
				continue
			}
			x, ok := number(v)
			if !ok {
				return fail("%s must be a number or null, got %T", k, v)
			}
			opts = append(opts, map[string]func(float64) Option{"clipnorm": ClipNorm,
				"global_clipnorm": GlobalClipNorm, "clipvalue": ClipValue}[k](x))
			continue
		case "loss_scale_factor",
			"gradient_accumulation_steps", "ema_overwrite_frequency":
			if v == nil {
				continue
			}
			return fail("%s=%v is not supported; only null is", k, v)
		case "decay":
			if f, ok := number(v); v == nil || ok && f == 0 {
				continue
			}
			return fail("decay=%v (Keras 2 learning-rate decay) is not supported", v)
		}
		f, ok := allowed[k]
		if !ok {
			return fail("unknown key %q for %s", k, className)
		}
		switch f {
		case fieldNesterov, fieldAMSGrad, fieldCentered:
			b, ok := v.(bool)
			if !ok {
				return fail("%s must be a bool, got %T", k, v)
			}
			switch f {
			case fieldNesterov:
				opts = append(opts, Nesterov(b))
			case fieldAMSGrad:
				opts = append(opts, AMSGrad(b))
			default:
				opts = append(opts, Centered(b))
			}
			continue
		}
		x, ok := number(v)
		if !ok {
			if _, isMap := v.(map[string]any); isMap && f == fieldLearningRate {
				return fail("learning-rate schedules are not supported; %s must be a number", k)
			}
			return fail("%s must be a number, got %T", k, v)
		}
		switch f {
		case fieldLearningRate:
			if k == "lr" && haveLR {
				continue // learning_rate wins over the Keras 2 alias
			}
			haveLR = haveLR || k == "learning_rate"
			opts = append(opts, LearningRate(x))
		case fieldMomentum:
			opts = append(opts, Momentum(x))
		case fieldBeta1:
			opts = append(opts, Beta1(x))
		case fieldBeta2:
			opts = append(opts, Beta2(x))
		case fieldEpsilon:
			opts = append(opts, Epsilon(x))
		case fieldRho:
			opts = append(opts, Rho(x))
		case fieldInitialAccumulator:
			opts = append(opts, InitialAccumulatorValue(x))
		case fieldLRPower:
			opts = append(opts, LearningRatePower(x))
		case fieldL1:
			opts = append(opts, L1RegularizationStrength(x))
		case fieldL2:
			opts = append(opts, L2RegularizationStrength(x))
		case fieldL2Shrinkage:
			opts = append(opts, L2ShrinkageRegularizationStrength(x))
		case fieldBeta:
			opts = append(opts, Beta(x))
		}
	}
	var (
		o  Optimizer
		st *state
	)
	switch name {
	case "sgd":
		x := SGD(opts...).(*SGDOptimizer)
		o, st = x, &x.state
	case "adam":
		x := Adam(opts...).(*AdamOptimizer)
		o, st = x, &x.state
	case "adamw":
		x := AdamW(opts...).(*AdamOptimizer)
		o, st = x, &x.state
	case "adamax":
		x := Adamax(opts...).(*AdamaxOptimizer)
		o, st = x, &x.state
	case "lion":
		x := Lion(opts...).(*LionOptimizer)
		o, st = x, &x.state
	case "adadelta":
		x := Adadelta(opts...).(*AdadeltaOptimizer)
		o, st = x, &x.state
	case "nadam":
		x := Nadam(opts...).(*NadamOptimizer)
		o, st = x, &x.state
	case "ftrl":
		x := Ftrl(opts...).(*FtrlOptimizer)
		o, st = x, &x.state
	case "rmsprop":
		x := RMSprop(opts...).(*RMSpropOptimizer)
		o, st = x, &x.state
	default:
		x := Adagrad(opts...).(*AdagradOptimizer)
		o, st = x, &x.state
	}
	if st.err != nil {
		detail := st.err.Error()
		var e *Error
		if errors.As(st.err, &e) {
			detail = e.Detail
		}
		return nil, &Error{Optimizer: name, Op: "FromConfig", Detail: detail,
			Err: fmt.Errorf("%w: %w", ErrConfig, ErrInvalidOption)}
	}
	if configName != "" {
		st.configName = configName
	}
	return o, nil
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
		return f, err == nil && !math.IsNaN(f)
	}
	return 0, false
}
