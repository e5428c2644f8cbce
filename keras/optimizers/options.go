package optimizers

import (
	"math"
	"strings"
)

// Option sets one hyper-parameter of an optimizer constructor. Options only record values;
// the constructor validates them and keeps the first problem as a sticky error.
type Option func(*config)

// field identifies one hyper-parameter, for validation and error messages.
type field uint

const (
	fieldLearningRate field = 1 << iota
	fieldMomentum
	fieldNesterov
	fieldBeta1
	fieldBeta2
	fieldEpsilon
	fieldRho
	fieldAMSGrad
	fieldCentered
	fieldInitialAccumulator
	fieldWeightDecay
	fieldClipNorm
	fieldGlobalClipNorm
	fieldClipValue
	fieldLRPower
	fieldL1
	fieldL2
	fieldL2Shrinkage
	fieldBeta
)

// baseFields are the arguments of Keras's base optimizer, which every optimizer takes.
const baseFields = fieldLearningRate | fieldWeightDecay | fieldClipNorm | fieldGlobalClipNorm | fieldClipValue

// fieldNames are the Keras keyword-argument names of the fields.
var fieldNames = map[field]string{
	fieldLearningRate:       "learning_rate",
	fieldMomentum:           "momentum",
	fieldNesterov:           "nesterov",
	fieldBeta1:              "beta_1",
	fieldBeta2:              "beta_2",
	fieldEpsilon:            "epsilon",
	fieldRho:                "rho",
	fieldAMSGrad:            "amsgrad",
	fieldCentered:           "centered",
	fieldInitialAccumulator: "initial_accumulator_value",
	fieldWeightDecay:        "weight_decay",
	fieldClipNorm:           "clipnorm",
	fieldGlobalClipNorm:     "global_clipnorm",
	fieldClipValue:          "clipvalue",
	fieldLRPower:            "learning_rate_power",
	fieldL1:                 "l1_regularization_strength",
	fieldL2:                 "l2_regularization_strength",
	fieldL2Shrinkage:        "l2_shrinkage_regularization_strength",
	fieldBeta:               "beta",
}

// config holds every hyper-parameter any optimizer takes; each constructor reads the ones it
// uses. set records which options were given, so one that the optimizer does not take is
// reported instead of silently ignored.
type config struct {
	learningRate       float64
	momentum           float64
	nesterov           bool
	beta1              float64
	beta2              float64
	epsilon            float64
	rho                float64
	amsgrad            bool
	centered           bool
	initialAccumulator float64
	weightDecay        float64
	clipnorm           float64
	globalClipnorm     float64
	clipvalue          float64
	lrPower            float64
	l1, l2             float64
	l2Shrinkage        float64
	beta               float64
	set                field
}

// LearningRate sets the learning rate (Keras learning_rate). It must be finite and >= 0.
// Defaults: SGD 0.01; Adam, RMSprop and Adagrad 0.001.
func LearningRate(f float64) Option {
	return func(c *config) { c.learningRate = f; c.set |= fieldLearningRate }
}

// Momentum sets the momentum of [SGD] and [RMSprop], in [0, 1]. Default 0 (no momentum).
func Momentum(f float64) Option {
	return func(c *config) { c.momentum = f; c.set |= fieldMomentum }
}

// Nesterov makes [SGD] use Nesterov momentum. Default false.
func Nesterov(b bool) Option {
	return func(c *config) { c.nesterov = b; c.set |= fieldNesterov }
}

// Beta1 sets [Adam]'s exponential decay rate for the first moment, in [0, 1). Default 0.9.
func Beta1(f float64) Option {
	return func(c *config) { c.beta1 = f; c.set |= fieldBeta1 }
}

// Beta2 sets [Adam]'s exponential decay rate for the second moment, in [0, 1). Default 0.999.
func Beta2(f float64) Option {
	return func(c *config) { c.beta2 = f; c.set |= fieldBeta2 }
}

// Epsilon sets the small constant added for numerical stability by [Adam], [RMSprop] and
// [Adagrad]. Default 1e-7. It must be finite and > 0 (Adam and Adagrad also accept 0).
func Epsilon(f float64) Option {
	return func(c *config) { c.epsilon = f; c.set |= fieldEpsilon }
}

// Rho sets [RMSprop]'s discounting factor for the old squared gradients, in [0, 1].
// Default 0.9.
func Rho(f float64) Option {
	return func(c *config) { c.rho = f; c.set |= fieldRho }
}

// AMSGrad makes [Adam] use the AMSGrad variant (Keras amsgrad). Default false.
func AMSGrad(b bool) Option {
	return func(c *config) { c.amsgrad = b; c.set |= fieldAMSGrad }
}

// Centered makes [RMSprop] normalize gradients by their estimated variance (Keras
// centered). Default false.
func Centered(b bool) Option {
	return func(c *config) { c.centered = b; c.set |= fieldCentered }
}

// InitialAccumulatorValue sets [Adagrad]'s starting value of the accumulators, >= 0.
// Default 0.1.
func InitialAccumulatorValue(f float64) Option {
	return func(c *config) { c.initialAccumulator = f; c.set |= fieldInitialAccumulator }
}

// WeightDecay sets Keras's weight_decay, taken by every optimizer: before each update every
// parameter w becomes w - w * weight_decay * learning_rate (decoupled weight decay, applied
// by Keras's base optimizer). It must be finite and >= 0. Default: none, except [AdamW]
// 0.004.
func WeightDecay(f float64) Option {
	return func(c *config) { c.weightDecay = f; c.set |= fieldWeightDecay }
}

// ClipNorm sets Keras's clipnorm, taken by every optimizer: each gradient g is scaled to
// g * clipnorm / max(||g||, clipnorm) before the update, so no gradient's L2 norm exceeds
// clipnorm. It must be finite and >= 0 (0 is off, as in Keras); at most one of ClipNorm,
// GlobalClipNorm and ClipValue may be given. Default: none.
func ClipNorm(f float64) Option {
	return func(c *config) { c.clipnorm = f; c.set |= fieldClipNorm }
}

// GlobalClipNorm sets Keras's global_clipnorm, taken by every optimizer: all gradients are
// scaled together so that the L2 norm of all of them at once does not exceed it. It must be
// finite and >= 0 (0 is off). Default: none.
func GlobalClipNorm(f float64) Option {
	return func(c *config) { c.globalClipnorm = f; c.set |= fieldGlobalClipNorm }
}

// ClipValue sets Keras's clipvalue, taken by every optimizer: every gradient element is
// clipped to [-clipvalue, clipvalue] before the update. It must be finite and >= 0 (0 is
// off). Default: none.
func ClipValue(f float64) Option {
	return func(c *config) { c.clipvalue = f; c.set |= fieldClipValue }
}

// LearningRatePower sets [Ftrl]'s learning_rate_power, <= 0 (0 is a fixed learning
// rate). Default -0.5.
func LearningRatePower(f float64) Option {
	return func(c *config) { c.lrPower = f; c.set |= fieldLRPower }
}

// L1RegularizationStrength sets [Ftrl]'s l1_regularization_strength, >= 0. Default 0.
func L1RegularizationStrength(f float64) Option {
	return func(c *config) { c.l1 = f; c.set |= fieldL1 }
}

// L2RegularizationStrength sets [Ftrl]'s l2_regularization_strength, >= 0. Default 0.
func L2RegularizationStrength(f float64) Option {
	return func(c *config) { c.l2 = f; c.set |= fieldL2 }
}

// L2ShrinkageRegularizationStrength sets [Ftrl]'s l2_shrinkage_regularization_strength
// (an L2 penalty on the weights added to the gradient), >= 0. Default 0.
func L2ShrinkageRegularizationStrength(f float64) Option {
	return func(c *config) { c.l2Shrinkage = f; c.set |= fieldL2Shrinkage }
}

// Beta sets [Ftrl]'s beta, >= 0. Default 0.
func Beta(f float64) Option {
	return func(c *config) { c.beta = f; c.set |= fieldBeta }
}

// newConfig applies opts over the defaults, then checks that only allowed fields were set.
// It returns the config and the first problem found by the generic checks.
func newConfig(name string, defaults config, allowed field, opts []Option) (config, error) {
	c := defaults
	c.set = 0 // defaults.set marks defaults that count as given (AdamW's weight_decay)
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if extra := c.set &^ (allowed | baseFields); extra != 0 {
		var names []string
		for f := fieldLearningRate; f <= fieldBeta; f <<= 1 {
			if extra&f != 0 {
				names = append(names, fieldNames[f])
			}
		}
		return c, newError(name, "option", ErrInvalidOption,
			"%s does not take option(s) %s", name, strings.Join(names, ", "))
	}
	c.set |= defaults.set
	if err := checkLearningRate(name, c.learningRate); err != nil {
		return c, err
	}
	if c.set&fieldWeightDecay != 0 {
		if err := checkNonNegative(name, "weight_decay", c.weightDecay, false); err != nil {
			return c, err
		}
	}
	clips := 0
	for _, cl := range []struct {
		f   field
		key string
		v   float64
	}{{fieldClipNorm, "clipnorm", c.clipnorm}, {fieldGlobalClipNorm, "global_clipnorm", c.globalClipnorm},
		{fieldClipValue, "clipvalue", c.clipvalue}} {
		if c.set&cl.f == 0 {
			continue
		}
		clips++
		if err := checkNonNegative(name, cl.key, cl.v, false); err != nil {
			return c, err
		}
	}
	if clips > 1 {
		return c, newError(name, "option", ErrInvalidOption,
			"only one of clipnorm, clipvalue and global_clipnorm can be set, as in Keras")
	}
	return c, nil
}

func checkLearningRate(name string, lr float64) error {
	if math.IsNaN(lr) || math.IsInf(lr, 0) || lr < 0 {
		return newError(name, "option", ErrInvalidOption,
			"learning_rate must be a finite number >= 0, got %v", lr)
	}
	return nil
}

// checkRange reports v outside [lo, hi] (hi excluded when openHigh).
func checkRange(name, key string, v, lo, hi float64, openHigh bool) error {
	bad := math.IsNaN(v) || v < lo || v > hi || (openHigh && v == hi)
	if !bad {
		return nil
	}
	interval := "[%v, %v]"
	if openHigh {
		interval = "[%v, %v)"
	}
	return newError(name, "option", ErrInvalidOption,
		"%s must be in "+interval+", got %v", key, lo, hi, v)
}

// checkNonNegative reports v < 0, NaN or infinite; with positive, also v == 0.
func checkNonNegative(name, key string, v float64, positive bool) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (positive && v == 0) {
		want := ">= 0"
		if positive {
			want = "> 0"
		}
		return newError(name, "option", ErrInvalidOption,
			"%s must be a finite number %s, got %v", key, want, v)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
