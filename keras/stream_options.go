package keras

// defaultPrefetch is how many batches of a Stream are read ahead unless Prefetch says
// otherwise: two keep the step fed when one read takes longer than usual, and hold little
// memory.
const defaultPrefetch = 2

// Prefetch sets how many batches of a [Stream] one goroutine reads ahead of the step
// (default 2), so that loading overlaps training: a slow source costs max(load, step) per
// batch instead of load + step. Prefetch(0) reads on the loop's goroutine, batch by batch.
// Arrays in memory are not affected.
func Prefetch(k int) LoopOption { return func(c *loopConfig) { c.prefetch = k } }

// ShuffleBuffer shuffles the rows of a [Stream] given to Fit across batches, as tf.data's
// shuffle(buffer_size) does: rows are drawn uniformly, with Fit's random generator
// (SetRandomSeed makes the order reproducible), from a buffer of at least n rows, and every
// row of a pass comes out exactly once. Batches then have as many rows as the stream's
// first batch. A stream is not shuffled otherwise (Keras ignores shuffle for generators);
// arrays in memory are shuffled whole by [Shuffle].
func ShuffleBuffer(n int) FitOption { return fitOption(func(c *fitConfig) { c.shuffleBuffer = n }) }

// StepsPerEpoch ends each epoch of Fit after n batches, as Keras's steps_per_epoch: the next
// epoch continues the same pass over the data (arrays: the same shuffled order) where the
// last one stopped. When a pass runs out before n batches, that epoch ends early and the
// next starts a new pass (Keras warns "Your input ran out of data"). An endless [Stream]
// needs it. 0 (the default) makes each epoch one whole pass.
func StepsPerEpoch(n int) FitOption { return fitOption(func(c *fitConfig) { c.stepsPerEpoch = n }) }

// ValidationSteps limits the validation at the end of each epoch to the first n batches of
// the validation data, as Keras's validation_steps: unlike StepsPerEpoch, every validation
// starts the data anew (Keras resets its evaluation iterator), so a stream's validation must
// start over when ranged again. 0 (the default) validates on one whole pass.
func ValidationSteps(n int) FitOption { return fitOption(func(c *fitConfig) { c.valSteps = n }) }

// StepsOption is what [Steps] returns: an option of Evaluate and Predict (not Fit, whose
// counterpart is StepsPerEpoch).
type StepsOption func(*loopConfig)

func (o StepsOption) applyEvaluate(c *loopConfig) { o(c) }
func (o StepsOption) applyPredict(c *loopConfig)  { o(c) }

// Steps makes Evaluate or Predict stop after n batches, as Keras's steps argument; an
// endless [Stream] needs it. 0 (the default) runs one whole pass.
func Steps(n int) StepsOption { return func(c *loopConfig) { c.steps = n } }

// checkStream returns one *ArgumentError per bad stream option of the loop.
func (c loopConfig) checkStream(call string) []error {
	var errs []error
	if c.prefetch < 0 {
		errs = append(errs, argErr(call, "prefetch", ErrInvalidArgument, "must not be negative, got %d", c.prefetch))
	}
	if c.steps < 0 {
		errs = append(errs, argErr(call, "steps", ErrInvalidArgument, "must not be negative, got %d", c.steps))
	}
	return errs
}

// checkStream returns one *ArgumentError per bad stream option of Fit.
func (c fitConfig) checkStream() []error {
	var errs []error
	if c.stepsPerEpoch < 0 {
		errs = append(errs, argErr("Fit", "steps_per_epoch", ErrInvalidArgument, "must not be negative, got %d", c.stepsPerEpoch))
	}
	if c.valSteps < 0 {
		errs = append(errs, argErr("Fit", "validation_steps", ErrInvalidArgument, "must not be negative, got %d", c.valSteps))
	}
	if c.shuffleBuffer < 0 {
		errs = append(errs, argErr("Fit", "shuffle_buffer", ErrInvalidArgument, "must not be negative, got %d", c.shuffleBuffer))
	}
	return errs
}
