package ops

// The recurrent cells' activations over whole rows. A float32 LSTM step spends most of its
// time outside its matrix products in sigmoid and tanh (the QA model: 5 activations per unit,
// sample and step, 560k per training step), and package math's float64 functions, computed
// one element at a time, took 35% of its OpenBLAS training step. For float32, on amd64 CPUs
// with AVX2 and FMA, they run eight lanes at a time (rnn_act_amd64.go, where their accuracy
// is given: within 2 ulps of math's result rounded to float32); elsewhere, and for float64,
// whose goldens compare at 1e-12, math's functions are used. Keras on JAX computes these
// activations in float32 with XLA's own approximations, so kerago's float32 numbers were
// within a few ulps of Keras's before and still are; the golden tests' tolerances (1e-6)
// hold either way.

// applyAct replaces every element of v by the activation of it.
func applyAct[T float](a RNNActivation, v []T) {
	if v32, ok := any(v).([]float32); ok {
		switch a {
		case ActSigmoid:
			sigmoidSlice32(v32)
			return
		case ActTanh:
			tanhSlice32(v32)
			return
		}
	}
	for i, x := range v {
		v[i] = T(a.f(float64(x)))
	}
}
