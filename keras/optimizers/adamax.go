package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// AdamaxOptimizer is the Adamax optimizer returned by [Adamax].
// Its Err method returns the first invalid option given to [Adamax] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type AdamaxOptimizer struct {
	state
	beta1, beta2, epsilon float64
}

var _ Optimizer = (*AdamaxOptimizer)(nil)

// Adamax returns Keras's Adamax optimizer (keras.optimizers.Adamax), Adam with the infinity
// norm. Options: [LearningRate] (default 0.001), [Beta1] (default 0.9), [Beta2] (default
// 0.999), both in [0, 1), [Epsilon] (default 1e-7, >= 0), [WeightDecay].
//
// Update rule for a weight w with gradient g, with m and u per weight starting at 0 and
// t = iterations + 1:
//
//	m += (g - m) * (1 - beta_1)
//	u = max(beta_2 * u, |g|)
//	w -= learning_rate * m / ((1 - beta_1^t) * (u + epsilon))
//
// Variables: iteration, learning_rate, then for each parameter its "momentum" and "norm"
// (interleaved, as Keras creates them).
func Adamax(opts ...Option) Optimizer {
	c, err := newConfig("adamax", config{learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7},
		fieldLearningRate|fieldWeightDecay|fieldBeta1|fieldBeta2|fieldEpsilon, opts)
	if err == nil {
		err = firstErr(
			checkRange("adamax", "beta_1", c.beta1, 0, 1, true),
			checkRange("adamax", "beta_2", c.beta2, 0, 1, true),
			checkNonNegative("adamax", "epsilon", c.epsilon, false),
		)
	}
	o := &AdamaxOptimizer{state: newState("adamax", "adamax", c, err),
		beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon}
	o.addSlotGroup(0, "momentum", "norm")
	return o
}

// Config returns the Keras get_config() dict: the base entries plus beta_1, beta_2 and
// epsilon.
func (o *AdamaxOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["beta_1"] = o.beta1
	c["beta_2"] = o.beta2
	c["epsilon"] = o.epsilon
	return c
}

// Apply performs one Adamax step; see [Optimizer.Apply].
func (o *AdamaxOptimizer) Apply(params, grads []*tensor.Dense) error {
	o.mu.Lock() // the step and a callback reading the state must not overlap
	defer o.mu.Unlock()
	ok, err := o.prepare(params, grads)
	if !ok {
		return err
	}
	grads = o.before(params, grads)
	bias := 1 - math.Pow(o.beta1, float64(o.iterations+1))
	for i, p := range params {
		g := grads[i]
		switch p.Dtype() {
		case tensor.Float32:
			adamaxStep(p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(), o.slot(1, i).Float32s(),
				float32(o.lr), float32(1-o.beta1), float32(o.beta2), float32(bias), float32(o.epsilon))
		default:
			adamaxStep(p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(), o.slot(1, i).Float64s(),
				o.lr, 1-o.beta1, o.beta2, bias, o.epsilon)
		}
	}
	o.iterations++
	return nil
}

// adamaxStep updates w, m and u in one pass, in Keras's operation order; the conversions keep
// each product rounded on its own (no fused multiply-add), as Keras's ops round them.
func adamaxStep[T float32 | float64](w, g, m, u []T, lr, omb1, beta2, bias, eps T) {
	g, m, u = g[:len(w)], m[:len(w)], u[:len(w)]
	for i := range w {
		gi := g[i]
		mi := m[i] + T((gi-m[i])*omb1)
		ui := max(T(beta2*u[i]), T(math.Abs(float64(gi))))
		m[i], u[i] = mi, ui
		w[i] -= T(lr*mi) / T(bias*(ui+eps))
	}
}
