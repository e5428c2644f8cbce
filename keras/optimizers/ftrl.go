package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// FtrlOptimizer is the FTRL-Proximal optimizer returned by [Ftrl].
// Its Err method returns the first invalid option given to [Ftrl] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type FtrlOptimizer struct {
	state
	lrPower, initialAccumulator, l1, l2, l2Shrinkage, beta float64
}

var _ Optimizer = (*FtrlOptimizer)(nil)

// Ftrl returns Keras's FTRL optimizer (keras.optimizers.Ftrl). Options: [LearningRate]
// (default 0.001), [LearningRatePower] (default -0.5, <= 0), [InitialAccumulatorValue]
// (default 0.1, >= 0), [L1RegularizationStrength], [L2RegularizationStrength],
// [L2ShrinkageRegularizationStrength] and [Beta] (each default 0, >= 0), [WeightDecay].
//
// Update rule for a weight w with gradient g, with an accumulator n per weight starting at
// initial_accumulator_value and a linear term z starting at 0, p = -learning_rate_power:
//
//	l2_reg = l2 + beta / (2 * learning_rate)
//	n_new = n + g*g
//	z += g + 2*l2_shrinkage*w - (n_new^p - n^p) / learning_rate * w
//	quadratic = n_new^p / learning_rate + 2*l2_reg
//	w = (clip(z, -l1, l1) - z) / quadratic
//	n = n_new
//
// Variables: iteration, learning_rate, then for each parameter its "accumulator" and
// "linear" (interleaved, as Keras creates them).
func Ftrl(opts ...Option) Optimizer {
	c, err := newConfig("ftrl", config{learningRate: 0.001, lrPower: -0.5, initialAccumulator: 0.1},
		fieldLearningRate|fieldWeightDecay|fieldLRPower|fieldInitialAccumulator|fieldL1|fieldL2|
			fieldL2Shrinkage|fieldBeta, opts)
	if err == nil {
		err = firstErr(
			checkNonNegative("ftrl", "initial_accumulator_value", c.initialAccumulator, false),
			checkNonNegative("ftrl", "l1_regularization_strength", c.l1, false),
			checkNonNegative("ftrl", "l2_regularization_strength", c.l2, false),
			checkNonNegative("ftrl", "l2_shrinkage_regularization_strength", c.l2Shrinkage, false),
			checkNonNegative("ftrl", "beta", c.beta, false),
		)
	}
	if err == nil && (math.IsNaN(c.lrPower) || math.IsInf(c.lrPower, 0) || c.lrPower > 0) {
		err = newError("ftrl", "option", ErrInvalidOption,
			"learning_rate_power must be a finite number <= 0, got %v", c.lrPower)
	}
	o := &FtrlOptimizer{state: newState("ftrl", "ftrl", c, err), lrPower: c.lrPower,
		initialAccumulator: c.initialAccumulator, l1: c.l1, l2: c.l2, l2Shrinkage: c.l2Shrinkage, beta: c.beta}
	o.addSlotGroup(0, "accumulator", "linear")
	o.slotInit[0] = c.initialAccumulator // accumulator starts at initial_accumulator_value, linear at 0
	return o
}

// Config returns the Keras get_config() dict: the base entries plus learning_rate_power,
// initial_accumulator_value, l1_regularization_strength, l2_regularization_strength,
// l2_shrinkage_regularization_strength and beta.
func (o *FtrlOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["learning_rate_power"] = o.lrPower
	c["initial_accumulator_value"] = o.initialAccumulator
	c["l1_regularization_strength"] = o.l1
	c["l2_regularization_strength"] = o.l2
	c["l2_shrinkage_regularization_strength"] = o.l2Shrinkage
	c["beta"] = o.beta
	return c
}

// Apply performs one FTRL step; see [Optimizer.Apply].
func (o *FtrlOptimizer) Apply(params, grads []*tensor.Dense) error {
	o.mu.Lock() // the step and a callback reading the state must not overlap
	defer o.mu.Unlock()
	ok, err := o.prepare(params, grads)
	if !ok {
		return err
	}
	grads = o.before(params, grads)
	for i, p := range params {
		g := grads[i]
		switch p.Dtype() {
		case tensor.Float32:
			lr := float32(o.lr)
			ftrlStep(p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(), o.slot(1, i).Float32s(),
				lr, -o.lrPower, float32(o.l1), float32(2*o.l2Shrinkage), 2*(float32(o.l2)+float32(o.beta)/(2*lr)))
		default:
			ftrlStep(p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(), o.slot(1, i).Float64s(),
				o.lr, -o.lrPower, o.l1, 2*o.l2Shrinkage, 2*(o.l2+o.beta/(2*o.lr)))
		}
	}
	o.iterations++
	return nil
}

// ftrlStep updates w, the accumulator n and the linear term z in one pass, in Keras's
// operation order (p is -learning_rate_power, shrink2 2*l2_shrinkage, l2reg2 2*l2_reg); the
// conversions keep each product rounded on its own (no fused multiply-add).
func ftrlStep[T float32 | float64](w, g, n, z []T, lr T, p float64, l1, shrink2, l2reg2 T) {
	g, n, z = g[:len(w)], n[:len(w)], z[:len(w)]
	for i := range w {
		gi, wi, ni := g[i], w[i], n[i]
		use := gi + T(shrink2*wi)
		nNew := ni + T(gi*gi)
		pNew := T(math.Pow(float64(nNew), p))
		zi := z[i] + (use - T(((pNew-T(math.Pow(float64(ni), p)))/lr)*wi))
		quadratic := pNew/lr + l2reg2
		w[i] = (min(max(zi, -l1), l1) - zi) / quadratic
		z[i], n[i] = zi, nNew
	}
}
