package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// AdagradOptimizer is the Adagrad optimizer returned by [Adagrad].
// Its Err method returns the first invalid option given to [Adagrad] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type AdagradOptimizer struct {
	state
	initialAccumulator, epsilon float64
}

var _ Optimizer = (*AdagradOptimizer)(nil)

// Adagrad returns Keras's Adagrad optimizer (keras.optimizers.Adagrad). Options:
// [LearningRate] (default 0.001), [InitialAccumulatorValue] (default 0.1, >= 0), [Epsilon]
// (default 1e-7, >= 0).
//
// Update rule for a weight w with gradient g, with an accumulator acc per weight starting at
// initial_accumulator_value:
//
//	acc += g*g
//	w -= learning_rate * g / sqrt(acc + epsilon)
//
// Variables: iteration, learning_rate, then one "accumulator" per parameter.
func Adagrad(opts ...Option) Optimizer {
	c, err := newConfig("adagrad", config{learningRate: 0.001, initialAccumulator: 0.1, epsilon: 1e-7},
		fieldLearningRate|fieldWeightDecay|fieldInitialAccumulator|fieldEpsilon, opts)
	if err == nil {
		err = firstErr(
			checkNonNegative("adagrad", "initial_accumulator_value", c.initialAccumulator, false),
			checkNonNegative("adagrad", "epsilon", c.epsilon, false),
		)
	}
	o := &AdagradOptimizer{
		state:              newState("adagrad", "adagrad", c, err),
		initialAccumulator: c.initialAccumulator,
		epsilon:            c.epsilon,
	}
	o.addSlotGroup(c.initialAccumulator, "accumulator")
	return o
}

// Config returns the Keras get_config() dict: the base entries plus
// initial_accumulator_value and epsilon.
func (o *AdagradOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["initial_accumulator_value"] = o.initialAccumulator
	c["epsilon"] = o.epsilon
	return c
}

// Apply performs one Adagrad step; see [Optimizer.Apply].
func (o *AdagradOptimizer) Apply(params, grads []*tensor.Dense) error {
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
			adagradStep(p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(), float32(o.lr), float32(o.epsilon))
		default:
			adagradStep(p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(), o.lr, o.epsilon)
		}
	}
	o.iterations++
	return nil
}

// adagradStep updates w and acc, on the vector kernel (adagrad_amd64.s) on CPUs with AVX2,
// with the same results to the bit as the loop; the conversion keeps lr*g rounded on its own
// (see adamStep).
func adagradStep[T float32 | float64](w, g, acc []T, lr, eps T) {
	g, acc = g[:len(w)], acc[:len(w)]
	start := adagradVector(w, g, acc, lr, eps)
	w, g, acc = w[start:], g[start:], acc[start:]
	g, acc = g[:len(w)], acc[:len(w)]
	for i := range w {
		gi := g[i]
		acc[i] += T(gi * gi)
		w[i] -= T(lr*gi) / T(math.Sqrt(float64(acc[i]+eps)))
	}
}
