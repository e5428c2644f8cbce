package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// AdadeltaOptimizer is the Adadelta optimizer returned by [Adadelta].
// Its Err method returns the first invalid option given to [Adadelta] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type AdadeltaOptimizer struct {
	state
	rho, epsilon float64
}

var _ Optimizer = (*AdadeltaOptimizer)(nil)

// Adadelta returns Keras's Adadelta optimizer (keras.optimizers.Adadelta). Options:
// [LearningRate] (default 0.001), [Rho] (default 0.95, in [0, 1]), [Epsilon] (default 1e-7,
// >= 0), [WeightDecay].
//
// Update rule for a weight w with gradient g, with accumulators a and d per weight starting
// at 0:
//
//	a = rho * a + (1 - rho) * g*g
//	delta = -(sqrt(d + epsilon) * g) / sqrt(a + epsilon)
//	d = rho * d + (1 - rho) * delta*delta
//	w += learning_rate * delta
//
// Variables: iteration, learning_rate, then for each parameter its "accumulated_grad" and
// "accumulated_delta_var" (interleaved, as Keras creates them).
func Adadelta(opts ...Option) Optimizer {
	c, err := newConfig("adadelta", config{learningRate: 0.001, rho: 0.95, epsilon: 1e-7},
		fieldLearningRate|fieldWeightDecay|fieldRho|fieldEpsilon, opts)
	if err == nil {
		err = firstErr(
			checkRange("adadelta", "rho", c.rho, 0, 1, false),
			checkNonNegative("adadelta", "epsilon", c.epsilon, false),
		)
	}
	o := &AdadeltaOptimizer{state: newState("adadelta", "adadelta", c, err), rho: c.rho, epsilon: c.epsilon}
	o.addSlotGroup(0, "accumulated_grad", "accumulated_delta_var")
	return o
}

// Config returns the Keras get_config() dict: the base entries plus rho and epsilon.
func (o *AdadeltaOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["rho"] = o.rho
	c["epsilon"] = o.epsilon
	return c
}

// Apply performs one Adadelta step; see [Optimizer.Apply].
func (o *AdadeltaOptimizer) Apply(params, grads []*tensor.Dense) error {
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
			adadeltaStep(p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(), o.slot(1, i).Float32s(),
				float32(o.lr), float32(o.rho), float32(1-o.rho), float32(o.epsilon))
		default:
			adadeltaStep(p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(), o.slot(1, i).Float64s(),
				o.lr, o.rho, 1-o.rho, o.epsilon)
		}
	}
	o.iterations++
	return nil
}

// adadeltaStep updates w, a and d in one pass, in Keras's operation order; the conversions
// keep each product rounded on its own (no fused multiply-add), as Keras's ops round them.
func adadeltaStep[T float32 | float64](w, g, a, d []T, lr, rho, omr, eps T) {
	g, a, d = g[:len(w)], a[:len(w)], d[:len(w)]
	for i := range w {
		gi := g[i]
		ai := T(rho*a[i]) + T(omr*T(gi*gi))
		delta := -(T(T(math.Sqrt(float64(d[i]+eps)))*gi) / T(math.Sqrt(float64(ai+eps))))
		a[i] = ai
		d[i] = T(rho*d[i]) + T(omr*T(delta*delta))
		w[i] += T(lr * delta)
	}
}
