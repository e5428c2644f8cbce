package optimizers

// AdamW returns Keras's AdamW optimizer (keras.optimizers.AdamW): [Adam] with decoupled
// weight decay, whose [WeightDecay] defaults to 0.004 instead of none. Options are Adam's
// ([LearningRate] 0.001, [Beta1] 0.9, [Beta2] 0.999, [Epsilon] 1e-7, [AMSGrad] false) and
// [WeightDecay].
//
// Each step first decays every weight, w -= w * weight_decay * learning_rate, then applies
// Adam's update (see [Adam]), as Keras's base optimizer does. Its variables are Adam's
// (iteration, learning_rate, then "momentum" and "velocity" per parameter, then with amsgrad
// "velocity_hat"), so AdamW state saved by Keras loads here and the other way round.
//
// The result is an [*AdamOptimizer] named "adamw" (Keras's identifier; its Config name is "adam_w", Keras's default).
func AdamW(opts ...Option) Optimizer {
	return newAdam("adamw", "adam_w", config{learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7,
		weightDecay: 0.004, set: fieldWeightDecay}, opts)
}
