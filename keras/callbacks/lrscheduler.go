package callbacks

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/kerago/kerago/keras"
)

// LearningRateSchedulerCallback sets the learning rate at the start of every epoch. Make
// one with [LearningRateScheduler].
type LearningRateSchedulerCallback struct {
	keras.BaseCallback
	// Out receives the Verbose messages (default os.Stdout).
	Out io.Writer

	err      error
	schedule func(epoch int, lr float64) float64
	verbose  int
}

var _ keras.Callback = (*LearningRateSchedulerCallback)(nil)

// LearningRateScheduler returns Keras 3's LearningRateScheduler callback: at the start of
// every epoch it sets the optimizer's learning rate to schedule(epoch, current rate), epochs
// counted from 0, and at the end of the epoch it adds the rate to the logs as
// "learning_rate", so History records it. A schedule result that is negative, NaN or infinite
// stops training with an error.
//
// Option: [Verbose] (0; 1 prints "Epoch N: LearningRateScheduler setting learning rate to
// LR." every epoch).
func LearningRateScheduler(schedule func(epoch int, lr float64) float64, opts ...Option) *LearningRateSchedulerCallback {
	const cls = "LearningRateScheduler"
	o := (&options{}).apply(opts)
	c := &LearningRateSchedulerCallback{Out: os.Stdout, schedule: schedule, verbose: o.verbose}
	errs := []error{checkTaken(cls, o, "Verbose")}
	if schedule == nil {
		errs = append(errs, invalid(cls, "the schedule function is nil"))
	}
	if o.verbose < 0 {
		errs = append(errs, invalid(cls, "Verbose(%d) must not be negative", o.verbose))
	}
	c.err = errors.Join(errs...)
	return c
}

// Err returns the problem with the arguments, if any; Fit returns it too.
func (c *LearningRateSchedulerCallback) Err() error { return c.err }

// OnTrainBegin reports a bad argument.
func (c *LearningRateSchedulerCallback) OnTrainBegin(keras.Logs) error { return c.err }

// OnEpochBegin sets the learning rate from the schedule.
func (c *LearningRateSchedulerCallback) OnEpochBegin(epoch int, _ keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	opt := optimizerOf(c.Model())
	if opt == nil {
		return &Error{Callback: "LearningRateScheduler", Err: fmt.Errorf("%w: the model has no optimizer (call Compile first)", keras.ErrNotCompiled)}
	}
	lr := c.schedule(epoch, opt.LearningRate())
	if math.IsNaN(lr) || math.IsInf(lr, 0) || lr < 0 {
		return &Error{Callback: "LearningRateScheduler", Err: fmt.Errorf("%w: the schedule returned %v for epoch %d; a learning rate must be a finite number >= 0", keras.ErrInvalidArgument, lr, epoch)}
	}
	opt.SetLearningRate(lr)
	if c.verbose > 0 {
		fmt.Fprintf(c.Out, "\nEpoch %d: LearningRateScheduler setting learning rate to %s.\n", epoch+1, pyRepr(lr))
	}
	return nil
}

// OnEpochEnd adds "learning_rate" to the logs.
func (c *LearningRateSchedulerCallback) OnEpochEnd(_ int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	if opt := optimizerOf(c.Model()); opt != nil && logs != nil {
		logs["learning_rate"] = opt.LearningRate()
	}
	return nil
}
