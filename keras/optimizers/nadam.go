package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// NadamOptimizer is the Nadam optimizer returned by [Nadam].
// Its Err method returns the first invalid option given to [Nadam] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type NadamOptimizer struct {
	state
	beta1, beta2, epsilon float64
}

var _ Optimizer = (*NadamOptimizer)(nil)

// Nadam returns Keras's Nadam optimizer (keras.optimizers.Nadam), Adam with Nesterov
// momentum. Options: [LearningRate] (default 0.001), [Beta1] (default 0.9), [Beta2]
// (default 0.999), both in [0, 1), [Epsilon] (default 1e-7, >= 0), [WeightDecay].
//
// Update rule for a weight w with gradient g, with m and v per weight starting at 0,
// t = iterations + 1, and u_product a scalar starting at 1:
//
//	u_t = beta_1 * (1 - 0.5 * 0.96^t);  u_t1 = beta_1 * (1 - 0.5 * 0.96^(t+1))
//	u_product *= u_t                     // once per step
//	m += (g - m) * (1 - beta_1)
//	v += (g*g - v) * (1 - beta_2)
//	m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
//	v_hat = v / (1 - beta_2^t)
//	w -= m_hat * learning_rate / (sqrt(v_hat) + epsilon)
//
// Variables: iteration, learning_rate, then for each parameter its "momentum" and
// "velocity" (interleaved, as Keras creates them), then u_product (a scalar), as Keras
// saves them.
func Nadam(opts ...Option) Optimizer {
	c, err := newConfig("nadam", config{learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7},
		fieldLearningRate|fieldWeightDecay|fieldBeta1|fieldBeta2|fieldEpsilon, opts)
	if err == nil {
		err = firstErr(
			checkRange("nadam", "beta_1", c.beta1, 0, 1, true),
			checkRange("nadam", "beta_2", c.beta2, 0, 1, true),
			checkNonNegative("nadam", "epsilon", c.epsilon, false),
		)
	}
	o := &NadamOptimizer{state: newState("nadam", "nadam", c, err),
		beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon}
	o.addSlotGroup(0, "momentum", "velocity")
	o.addScalar("u_product", 1)
	return o
}

// Config returns the Keras get_config() dict: the base entries plus beta_1, beta_2 and
// epsilon.
func (o *NadamOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["beta_1"] = o.beta1
	c["beta_2"] = o.beta2
	c["epsilon"] = o.epsilon
	return c
}

// Apply performs one Nadam step; see [Optimizer.Apply].
func (o *NadamOptimizer) Apply(params, grads []*tensor.Dense) error {
	o.mu.Lock() // the step and a callback reading the state must not overlap
	defer o.mu.Unlock()
	ok, err := o.prepare(params, grads)
	if !ok {
		return err
	}
	grads = o.before(params, grads)
	t := float64(o.iterations + 1)
	ut := o.beta1 * (1 - 0.5*math.Pow(0.96, t))
	ut1 := o.beta1 * (1 - 0.5*math.Pow(0.96, t+1))
	up := o.scalars[0] * ut
	if params[0].Dtype() == tensor.Float32 {
		// Keras keeps u_product in the first variable's dtype.
		up = float64(float32(up))
	}
	o.scalars[0] = up
	up1 := up * ut1
	b2p := math.Pow(o.beta2, t)
	for i, p := range params {
		g := grads[i]
		switch p.Dtype() {
		case tensor.Float32:
			nadamStep(p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(), o.slot(1, i).Float32s(),
				nadamScalars[float32]{lr: float32(o.lr), omb1: float32(1 - o.beta1), omb2: float32(1 - o.beta2),
					ut1: float32(ut1), omup1: float32(1 - up1), omut: float32(1 - ut), omup: float32(1 - up),
					omb2p: float32(1 - b2p), eps: float32(o.epsilon)})
		default:
			nadamStep(p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(), o.slot(1, i).Float64s(),
				nadamScalars[float64]{lr: o.lr, omb1: 1 - o.beta1, omb2: 1 - o.beta2,
					ut1: ut1, omup1: 1 - up1, omut: 1 - ut, omup: 1 - up, omb2p: 1 - b2p, eps: o.epsilon})
		}
	}
	o.iterations++
	return nil
}

// nadamScalars are the per-step constants of a Nadam update (om = "one minus").
type nadamScalars[T float32 | float64] struct {
	lr, omb1, omb2, ut1, omup1, omut, omup, omb2p, eps T
}

// nadamStep updates w, m and v in one pass, in Keras's operation order; the conversions keep
// each product rounded on its own (no fused multiply-add), as Keras's ops round them.
func nadamStep[T float32 | float64](w, g, m, v []T, c nadamScalars[T]) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		mi := m[i] + T((gi-m[i])*c.omb1)
		vi := v[i] + T((T(gi*gi)-v[i])*c.omb2)
		m[i], v[i] = mi, vi
		mHat := T(c.ut1*mi)/c.omup1 + T(c.omut*gi)/c.omup
		vHat := vi / c.omb2p
		w[i] -= T(mHat*c.lr) / (T(math.Sqrt(float64(vHat))) + c.eps)
	}
}
