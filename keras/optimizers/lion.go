package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// LionOptimizer is the Lion optimizer returned by [Lion].
// Its Err method returns the first invalid option given to [Lion] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type LionOptimizer struct {
	state
	beta1, beta2 float64
}

var _ Optimizer = (*LionOptimizer)(nil)

// Lion returns Keras's Lion optimizer (keras.optimizers.Lion), which steps by the sign of an
// interpolated momentum. Options: [LearningRate] (default 0.001), [Beta1] (default 0.9, in
// (0, 1], as Keras requires), [Beta2] (default 0.99), [WeightDecay].
//
// Update rule for a weight w with gradient g, with a momentum m per weight starting at 0:
//
//	w -= learning_rate * sign(m * beta_1 + g * (1 - beta_1))
//	m = m * beta_2 + g * (1 - beta_2)
//
// Variables: iteration, learning_rate, then one "momentum" per parameter.
func Lion(opts ...Option) Optimizer {
	c, err := newConfig("lion", config{learningRate: 0.001, beta1: 0.9, beta2: 0.99},
		fieldLearningRate|fieldWeightDecay|fieldBeta1|fieldBeta2, opts)
	if err == nil && (math.IsNaN(c.beta1) || c.beta1 <= 0 || c.beta1 > 1) {
		err = newError("lion", "option", ErrInvalidOption, "beta_1 must be in (0, 1], got %v", c.beta1)
	}
	if err == nil && (math.IsNaN(c.beta2) || math.IsInf(c.beta2, 0)) {
		err = newError("lion", "option", ErrInvalidOption, "beta_2 must be a finite number, got %v", c.beta2)
	}
	o := &LionOptimizer{state: newState("lion", "lion", c, err), beta1: c.beta1, beta2: c.beta2}
	o.addSlotGroup(0, "momentum")
	return o
}

// Config returns the Keras get_config() dict: the base entries plus beta_1 and beta_2.
func (o *LionOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["beta_1"] = o.beta1
	c["beta_2"] = o.beta2
	return c
}

// Apply performs one Lion step; see [Optimizer.Apply].
func (o *LionOptimizer) Apply(params, grads []*tensor.Dense) error {
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
			lionStep(p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(),
				float32(o.lr), float32(o.beta1), float32(1-o.beta1), float32(o.beta2), float32(1-o.beta2))
		default:
			lionStep(p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(),
				o.lr, o.beta1, 1-o.beta1, o.beta2, 1-o.beta2)
		}
	}
	o.iterations++
	return nil
}

// lionStep updates w and m in one pass, in Keras's operation order; the conversions keep
// each product rounded on its own (no fused multiply-add), as Keras's ops round them.
func lionStep[T float32 | float64](w, g, m []T, lr, b1, omb1, b2, omb2 T) {
	g, m = g[:len(w)], m[:len(w)]
	for i := range w {
		gi, mi := g[i], m[i]
		c := T(mi*b1) + T(gi*omb1)
		// sign as jnp.sign: 0 stays 0 and NaN stays NaN.
		switch {
		case c > 0:
			c = 1
		case c < 0:
			c = -1
		}
		w[i] -= T(lr * c)
		m[i] = T(mi*b2) + T(gi*omb2)
	}
}
