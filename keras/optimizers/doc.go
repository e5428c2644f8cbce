// Package optimizers holds the Keras 3 optimizers behind the string identifiers that
// (*keras.Model).Compile accepts: "sgd", "adam", "adamw", "adamax", "nadam", "lion",
// "rmsprop", "adagrad", "adadelta" and "ftrl".
//
// Each optimizer updates model weights in place, one training step per call to
// [Optimizer.Apply], with exactly the update rule of Keras 3 (keras/src/optimizers/*.py):
//
//   - [SGD]: plain gradient descent, optionally with momentum and Nesterov momentum.
//   - [Adam]: adaptive moment estimation, optionally AMSGrad.
//   - [AdamW]: Adam with decoupled weight decay (weight_decay 0.004 by default).
//   - [RMSprop]: root-mean-square propagation, optionally with momentum and centered.
//   - [Adagrad]: per-parameter learning rates from accumulated squared gradients.
//   - [Adamax]: Adam with the infinity norm.
//   - [Nadam]: Adam with Nesterov momentum.
//   - [Lion]: steps of fixed size along the sign of an interpolated momentum.
//   - [Adadelta]: learning rates adapted from running averages of updates and gradients.
//   - [Ftrl]: FTRL-Proximal, with L1, L2 and shrinkage regularization.
//
// Constructors take Keras's keyword arguments as options ([LearningRate], [Momentum],
// [Nesterov], [Beta1], [Beta2], [Epsilon], [Rho], ...). Keras's defaults hold for every option
// left out (Adam's epsilon is 1e-7). An option only records its value; the constructor
// validates once and keeps the first problem as a sticky error, which [Optimizer.Apply]
// returns and the concrete types expose through Err. Nothing here panics on bad input.
//
// # Weight decay and gradient clipping
//
// Every optimizer takes the arguments of Keras's base optimizer that change a step:
// [ClipNorm] (each gradient's L2 norm at most clipnorm), [GlobalClipNorm] (the norm of all
// gradients together at most global_clipnorm) or [ClipValue] (each element within
// ±clipvalue), at most one of them, applied first to copies of the gradients; then
// [WeightDecay], Keras's weight_decay:
// before each update, every parameter w becomes w - w*weight_decay*learning_rate, as Keras
// does it (in the weight's dtype, before the optimizer's own rule). Keras's
// exclude_from_weight_decay has no counterpart: every parameter is decayed, Keras's default.
// In Keras:
//
//	keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, weight_decay=1e-4)
//	keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=0.01, clipnorm=1.0)
//
// In Go:
//
//	optimizers.SGD(optimizers.LearningRate(0.1), optimizers.Momentum(0.9), optimizers.WeightDecay(1e-4))
//	optimizers.AdamW(optimizers.LearningRate(1e-3), optimizers.WeightDecay(0.01), optimizers.ClipNorm(1))
//
// Keras's use_ema (a moving average of the weights), loss_scale_factor and
// gradient_accumulation_steps are not implemented: [FromConfig] refuses them, naming the key,
// unless they are off.
//
// # State and saving
//
// Optimizer state (moments, velocities, accumulators) is created lazily on the first Apply,
// one tensor per parameter and of the parameter's shape and dtype. [Optimizer.Variables]
// returns it in the order Keras 3 saves optimizer variables (optimizer/vars/0..N in
// model.weights.h5): the iteration count, the learning rate, then the slot variables.
// [Optimizer.SetVariables] restores them, so an optimizer that is saved and restored resumes
// exactly where it stopped. [Optimizer.Config] and [FromConfig] round-trip the Keras
// get_config() dictionary.
//
// # Speed
//
// Each update is one pass over the weights and their slots (plain Go loops for AdamW's
// decay, Adamax, Nadam, Lion, Adadelta, Ftrl and the clipping). On amd64 CPUs with AVX2 and FMA,
// Adam (without AMSGrad), RMSprop (without momentum, not centered) and Adagrad run eight
// float32 or four float64 elements at a time in assembly that performs the Go loop's
// operations in the same order without fused multiply-adds, so the results do not depend on
// the CPU; the purego build tag turns the assembly off. Variables of 16k elements or more are
// split between the calling goroutine and one helper per optimizer when GOMAXPROCS allows;
// a step allocates nothing.
//
// # Concurrency
//
// The optimizers of this package are safe for concurrent use: every method takes the
// optimizer's own lock, so a callback may read [Optimizer.LearningRate],
// [Optimizer.Iterations] or [Optimizer.Variables] (copies), or call
// [Optimizer.SetLearningRate], while another goroutine trains the model (Apply) or loads
// weights into it (SetVariables). Apply holds the lock for the whole step, so Variables
// returns the state between two steps, never halfway through one.
package optimizers
