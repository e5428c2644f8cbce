package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// RMSpropOptimizer is the RMSprop optimizer returned by [RMSprop].
// Its Err method returns the first invalid option given to [RMSprop] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type RMSpropOptimizer struct {
	state
	rho, momentum, epsilon float64
	centered               bool
	kMomentum, kAverage    int // slot kinds, -1 when absent

	split splitter
	job32 rmspropJob[float32]
	job64 rmspropJob[float64]
}

var _ Optimizer = (*RMSpropOptimizer)(nil)

// RMSprop returns Keras's RMSprop optimizer (keras.optimizers.RMSprop). Options:
// [LearningRate] (default 0.001), [Rho] (default 0.9, in [0, 1]), [Momentum] (default 0, in
// [0, 1]), [Epsilon] (default 1e-7, > 0), [Centered] (default false).
//
// Update rule for a weight w with gradient g, with a velocity v per weight starting at 0
// (and a momentum m and mean gradient a when used):
//
//	v = rho * v + (1 - rho) * g*g
//	a = rho * a + (1 - rho) * g                          // centered only
//	increment = learning_rate * g / sqrt(v + epsilon)    // not centered
//	increment = learning_rate * g / sqrt(v - a*a + epsilon) // centered
//	m = momentum * m + increment; w -= m                 // momentum > 0
//	w -= increment                                       // momentum == 0
//
// Variables: iteration, learning_rate, one "velocity" per parameter, then one "momentum" per
// parameter when momentum > 0, then one "average_gradient" per parameter when centered.
func RMSprop(opts ...Option) Optimizer {
	c, err := newConfig("rmsprop", config{learningRate: 0.001, rho: 0.9, epsilon: 1e-7},
		fieldLearningRate|fieldWeightDecay|fieldRho|fieldMomentum|fieldEpsilon|fieldCentered, opts)
	if err == nil {
		err = firstErr(
			checkRange("rmsprop", "rho", c.rho, 0, 1, false),
			checkRange("rmsprop", "momentum", c.momentum, 0, 1, false),
			checkNonNegative("rmsprop", "epsilon", c.epsilon, true),
		)
	}
	o := &RMSpropOptimizer{
		state: newState("rmsprop", "rmsprop", c, err),
		rho:   c.rho, momentum: c.momentum, epsilon: c.epsilon, centered: c.centered,
		kMomentum: -1, kAverage: -1,
	}
	o.addSlotGroup(0, "velocity")
	if c.momentum > 0 {
		o.kMomentum = len(o.slotNames)
		o.addSlotGroup(0, "momentum")
	}
	if c.centered {
		o.kAverage = len(o.slotNames)
		o.addSlotGroup(0, "average_gradient")
	}
	return o
}

// Config returns the Keras get_config() dict: the base entries plus rho, momentum, epsilon
// and centered.
func (o *RMSpropOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["rho"] = o.rho
	c["momentum"] = o.momentum
	c["epsilon"] = o.epsilon
	c["centered"] = o.centered
	return c
}

// Apply performs one RMSprop step; see [Optimizer.Apply].
func (o *RMSpropOptimizer) Apply(params, grads []*tensor.Dense) error {
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
			j := &o.job32
			j.w, j.g, j.v, j.m, j.a = p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(), nil, nil
			if o.kMomentum >= 0 {
				j.m = o.slot(o.kMomentum, i).Float32s()
			}
			if o.kAverage >= 0 {
				j.a = o.slot(o.kAverage, i).Float32s()
			}
			j.lr, j.rho, j.omr, j.mom, j.eps = float32(o.lr), float32(o.rho), float32(1-o.rho), float32(o.momentum), float32(o.epsilon)
			splitRun(o, &o.split, len(j.w), j)
		default:
			j := &o.job64
			j.w, j.g, j.v, j.m, j.a = p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(), nil, nil
			if o.kMomentum >= 0 {
				j.m = o.slot(o.kMomentum, i).Float64s()
			}
			if o.kAverage >= 0 {
				j.a = o.slot(o.kAverage, i).Float64s()
			}
			j.lr, j.rho, j.omr, j.mom, j.eps = o.lr, o.rho, 1-o.rho, o.momentum, o.epsilon
			splitRun(o, &o.split, len(j.w), j)
		}
	}
	o.iterations++
	return nil
}

// rmspropJob is one parameter's RMSprop update, run by ranges (see splitter).
type rmspropJob[T float32 | float64] struct {
	w, g, v, m, a          []T
	lr, rho, omr, mom, eps T
}

func (j *rmspropJob[T]) run(lo, hi int) {
	part := func(s []T) []T {
		if s == nil {
			return nil
		}
		return s[lo:hi]
	}
	rmspropStep(j.w[lo:hi], j.g[lo:hi], j.v[lo:hi], part(j.m), part(j.a), j.lr, j.rho, j.omr, j.mom, j.eps)
}

// rmspropStep updates w; m (momentum) and a (average gradient) are nil when unused. The plain
// update (neither) runs on the vector kernel (rmsprop_amd64.s) on CPUs with AVX2, with the
// same results to the bit. The explicit conversions keep each product rounded on its own, as
// the kernel and Keras's update_step round it: Go may otherwise fuse a multiply and an add into
// one FMA (GOAMD64=v3, arm64), which rounds once.
func rmspropStep[T float32 | float64](w, g, v, m, a []T, lr, rho, omr, mom, eps T) {
	if m == nil && a == nil {
		start := rmspropVector(w, g[:len(w)], v[:len(w)], lr, rho, omr, eps)
		w, g, v = w[start:], g[start:], v[start:]
	}
	g, v = g[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		v[i] = T(rho*v[i]) + T(omr*T(gi*gi))
		var denom T
		if a != nil {
			a[i] = T(rho*a[i]) + T(omr*gi)
			denom = v[i] - T(a[i]*a[i]) + eps
		} else {
			denom = v[i] + eps
		}
		inc := T(lr*gi) / T(math.Sqrt(float64(denom)))
		if m != nil {
			m[i] = T(mom*m[i]) + inc
			w[i] -= m[i]
		} else {
			w[i] -= inc
		}
	}
}
