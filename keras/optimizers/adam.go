package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// AdamOptimizer is the Adam optimizer returned by [Adam].
// Its Err method returns the first invalid option given to [Adam] (or an invalid learning
// rate set later), the error Apply returns; constructors never panic.
type AdamOptimizer struct {
	state
	beta1, beta2, epsilon float64
	amsgrad               bool

	split splitter
	job32 adamJob[float32]
	job64 adamJob[float64]
}

var _ Optimizer = (*AdamOptimizer)(nil)

// Adam returns Keras's Adam optimizer (keras.optimizers.Adam). Options: [LearningRate]
// (default 0.001), [Beta1] (default 0.9), [Beta2] (default 0.999), both in [0, 1),
// [Epsilon] (default 1e-7, >= 0), [AMSGrad] (default false).
//
// Update rule for a weight w with gradient g, with moments m and v per weight starting at 0
// and t = iterations + 1:
//
//	m += (g - m) * (1 - beta_1)
//	v += (g*g - v) * (1 - beta_2)
//	v_hat = max(v_hat, v); v = v_hat           // amsgrad only
//	alpha = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//	w -= alpha * m / (sqrt(v) + epsilon)
//
// alpha is computed in float64, the element-wise work in the weight's dtype.
//
// Variables: iteration, learning_rate, then for each parameter its "momentum" and
// "velocity" (interleaved, as Keras creates them), then with amsgrad one "velocity_hat" per
// parameter.
func Adam(opts ...Option) Optimizer {
	return newAdam("adam", "adam", config{learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7}, opts)
}

// newAdam builds Adam or AdamW (name; configName is Keras's default name) over the defaults given.
func newAdam(name, configName string, defaults config, opts []Option) *AdamOptimizer {
	c, err := newConfig(name, defaults,
		fieldLearningRate|fieldWeightDecay|fieldBeta1|fieldBeta2|fieldEpsilon|fieldAMSGrad, opts)
	if err == nil {
		err = firstErr(
			checkRange(name, "beta_1", c.beta1, 0, 1, true),
			checkRange(name, "beta_2", c.beta2, 0, 1, true),
			checkNonNegative(name, "epsilon", c.epsilon, false),
		)
	}
	o := &AdamOptimizer{
		state: newState(name, configName, c, err),
		beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, amsgrad: c.amsgrad,
	}
	o.addSlotGroup(0, "momentum", "velocity")
	if c.amsgrad {
		o.addSlotGroup(0, "velocity_hat")
	}
	return o
}

// Config returns the Keras get_config() dict: the base entries plus beta_1, beta_2, epsilon
// and amsgrad.
func (o *AdamOptimizer) Config() map[string]any {
	c := o.baseConfig()
	c["beta_1"] = o.beta1
	c["beta_2"] = o.beta2
	c["epsilon"] = o.epsilon
	c["amsgrad"] = o.amsgrad
	return c
}

// Apply performs one Adam step; see [Optimizer.Apply].
func (o *AdamOptimizer) Apply(params, grads []*tensor.Dense) error {
	o.mu.Lock() // the step and a callback reading the state must not overlap
	defer o.mu.Unlock()
	ok, err := o.prepare(params, grads)
	if !ok {
		return err
	}
	grads = o.before(params, grads)
	t := float64(o.iterations + 1)
	alpha := o.lr * math.Sqrt(1-math.Pow(o.beta2, t)) / (1 - math.Pow(o.beta1, t))
	omb1, omb2 := 1-o.beta1, 1-o.beta2
	for i, p := range params {
		g := grads[i]
		switch p.Dtype() {
		case tensor.Float32:
			j := &o.job32
			j.w, j.g, j.m, j.v, j.vh = p.Float32s(), g.Float32s(), o.slot(0, i).Float32s(), o.slot(1, i).Float32s(), nil
			if o.amsgrad {
				j.vh = o.slot(2, i).Float32s()
			}
			j.alpha, j.omb1, j.omb2, j.eps = float32(alpha), float32(omb1), float32(omb2), float32(o.epsilon)
			splitRun(o, &o.split, len(j.w), j)
		default:
			j := &o.job64
			j.w, j.g, j.m, j.v, j.vh = p.Float64s(), g.Float64s(), o.slot(0, i).Float64s(), o.slot(1, i).Float64s(), nil
			if o.amsgrad {
				j.vh = o.slot(2, i).Float64s()
			}
			j.alpha, j.omb1, j.omb2, j.eps = alpha, omb1, omb2, o.epsilon
			splitRun(o, &o.split, len(j.w), j)
		}
	}
	o.iterations++
	return nil
}

// adamJob is one parameter's Adam update, run by ranges (see splitter).
type adamJob[T float32 | float64] struct {
	w, g, m, v, vh         []T
	alpha, omb1, omb2, eps T
}

func (j *adamJob[T]) run(lo, hi int) {
	var vh []T
	if j.vh != nil {
		vh = j.vh[lo:hi]
	}
	adamStep(j.w[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi], vh, j.alpha, j.omb1, j.omb2, j.eps)
}

// adamStep updates w, m, v (and vh with amsgrad) in one pass. Without amsgrad, on CPUs with
// AVX2 the vector kernel (adam_amd64.s) does all but the last few elements, with the same
// results to the bit. The explicit conversions keep each product rounded on its own, as the
// kernel and Keras's update_step round it: Go may otherwise fuse a multiply and an add into
// one FMA (GOAMD64=v3, arm64), which rounds once.
func adamStep[T float32 | float64](w, g, m, v, vh []T, alpha, omb1, omb2, eps T) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	if vh != nil {
		vh = vh[:len(w)]
		for i := range w {
			gi := g[i]
			mi := m[i] + T((gi-m[i])*omb1)
			vi := v[i] + T((T(gi*gi)-v[i])*omb2)
			m[i], v[i] = mi, vi
			vi = max(vh[i], vi)
			vh[i] = vi
			w[i] -= T(mi*alpha) / (T(math.Sqrt(float64(vi))) + eps)
		}
		return
	}
	start := adamVector(w, g, m, v, alpha, omb1, omb2, eps)
	w, g, m, v = w[start:], g[start:], m[start:], v[start:]
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		mi := m[i] + T((gi-m[i])*omb1)
		vi := v[i] + T((T(gi*gi)-v[i])*omb2)
		m[i], v[i] = mi, vi
		w[i] -= T(mi*alpha) / (T(math.Sqrt(float64(vi))) + eps)
	}
}
