package optimizers

import "gorgonia.org/tensor"

// decay applies Keras's decoupled weight decay (base Optimizer._apply_weight_decay) to
// every parameter, before the update, as Keras's apply does:
//
//	w = w - w * weight_decay * learning_rate
//
// in the weight's dtype, the product rounded step by step as Keras's ops round it. Keras
// decays every trainable variable unless exclude_from_weight_decay names it; kerago has no
// exclusion list, so every parameter is decayed, which is Keras's default. The caller holds
// s.mu and has checked params with prepare.
func (s *state) decay(params []*tensor.Dense) {
	if !s.hasWeightDecay || s.weightDecay == 0 {
		return
	}
	for _, p := range params {
		switch p.Dtype() {
		case tensor.Float32:
			decayLoop(p.Float32s(), float32(s.weightDecay), float32(s.lr))
		default:
			decayLoop(p.Float64s(), s.weightDecay, s.lr)
		}
	}
}

// decayLoop is w -= (w*wd)*lr with each product rounded on its own (no fused multiply-add),
// as Keras's variable - variable * wd * lr evaluates left to right.
func decayLoop[T float32 | float64](w []T, wd, lr T) {
	for i := range w {
		w[i] -= T(T(w[i]*wd) * lr)
	}
}
