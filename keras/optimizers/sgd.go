package optimizers

import "gorgonia.org/tensor"

// SGDOptimizer is the gradient descent optimizer returned by [SGD].
// Its Err method returns the first invalid option given to [SGD] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type SGDOptimizer struct {
	state
	momentum float64
	nesterov bool
}

var _ Optimizer = (*SGDOptimizer)(nil)

// SGD returns Keras's gradient descent optimizer (keras.optimizers.SGD), with or without
// momentum. Options: [LearningRate] (default 0.01), [Momentum] (default 0, must be in
// [0, 1]), [Nesterov] (default false).
//
// Update rule for a weight w with gradient g, when momentum is 0:
//
//	w = w - learning_rate * g
//
// when momentum is not 0, with a velocity v per weight starting at 0:
//
//	v = momentum * v - learning_rate * g
//	w = w + v                                   // nesterov false
//	w = w + momentum * v - learning_rate * g    // nesterov true
//
// Variables: iteration, learning_rate, then one "momentum" slot per parameter when momentum
// is not 0.
func SGD(opts ...Option) Optimizer {
	c, err := newConfig("sgd", config{learningRate: 0.01},
		fieldLearningRate|fieldWeightDecay|fieldMomentum|fieldNesterov, opts)
	if err == nil {
		err = checkRange("sgd", "momentum", c.momentum, 0, 1, false)
	}
	o := &SGDOptimizer{
		state:    newState("sgd", "SGD", c, err),
		momentum: c.momentum,
		nesterov: c.nesterov,
	}
	if c.momentum != 0 {
		o.addSlotGroup(0, "momentum")
	}
	return o
}

// Config returns the Keras get_config() dict: the base entries plus momentum and nesterov.
func (o *SGDOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["momentum"] = o.momentum
	c["nesterov"] = o.nesterov
	return c
}

// Apply performs one SGD step; see [Optimizer.Apply].
func (o *SGDOptimizer) Apply(params, grads []*tensor.Dense) error {
	o.mu.Lock() // the step and a callback reading the state must not overlap
	defer o.mu.Unlock()
	ok, err := o.prepare(params, grads)
	if !ok {
		return err
	}
	grads = o.before(params, grads)
	lr, mom := o.lr, o.momentum
	useMomentum := len(o.slots) > 0
	for i, p := range params {
		g := grads[i]
		switch p.Dtype() {
		case tensor.Float32:
			if useMomentum {
				sgdMomentumStep(p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(), float32(lr), float32(mom), o.nesterov)
			} else {
				sgdStep(p.Float32s(), g.Float32s(), float32(lr))
			}
		default:
			if useMomentum {
				sgdMomentumStep(p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(), lr, mom, o.nesterov)
			} else {
				sgdStep(p.Float64s(), g.Float64s(), lr)
			}
		}
	}
	o.iterations++
	return nil
}

func sgdStep[T float32 | float64](w, g []T, lr T) {
	g = g[:len(w)]
	for i := range w {
		w[i] -= g[i] * lr
	}
}

func sgdMomentumStep[T float32 | float64](w, g, m []T, lr, mom T, nesterov bool) {
	g, m = g[:len(w)], m[:len(w)]
	if nesterov {
		for i := range w {
			m[i] = m[i]*mom - g[i]*lr
			w[i] += m[i]*mom - g[i]*lr
		}
		return
	}
	for i := range w {
		m[i] = m[i]*mom - g[i]*lr
		w[i] += m[i]
	}
}
