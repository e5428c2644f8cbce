package callbacks

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kerago/kerago/keras"
	"gorgonia.org/tensor"
)

// EarlyStoppingCallback stops training when a monitored quantity has stopped improving. Make
// one with [EarlyStopping].
type EarlyStoppingCallback struct {
	keras.BaseCallback
	// Out receives the Verbose messages (default os.Stdout).
	Out io.Writer
	// Warn receives warnings, such as a monitored value missing from the logs (default
	// os.Stderr; nil silences them).
	Warn io.Writer

	err                error
	mon                monitor
	patience           int
	verbose            int
	baseline           *float64
	restoreBestWeights bool
	startFromEpoch     int

	wait         int
	stoppedEpoch int
	best         *float64
	bestWeights  []*tensor.Dense
	bestEpoch    int
	warned       warner
}

var _ keras.Callback = (*EarlyStoppingCallback)(nil)

// EarlyStopping returns Keras 3's EarlyStopping callback: at the end of every epoch it reads
// the monitored value from the logs and stops training (Model.SetStopTraining) once it has
// not improved for Patience epochs.
//
// Options and defaults: [Monitor] ("val_loss"), [MinDelta] (0: an improvement must beat the
// best value by more than |MinDelta|), [Patience] (0), [Verbose] (0), [Mode] ("auto": "max"
// for accuracy-like metrics, "min" for losses, decided from the compiled metric with that
// name; an unknown name is an error at the first epoch end), [Baseline] (none: a value the
// monitored quantity must beat for the patience count to restart), [RestoreBestWeights]
// (false: when true, the weights of the best epoch are restored when training ends, whether
// this callback stopped it or not) and [StartFromEpoch] (0: epochs before it are not
// watched).
//
// As in Keras, training never stops at epoch 0, and with Patience(0) it stops at the first
// later epoch that does not improve. A bad option is returned by Fit (and by Err).
func EarlyStopping(opts ...Option) *EarlyStoppingCallback {
	const cls = "EarlyStopping"
	o := (&options{monitor: "val_loss", mode: "auto"}).apply(opts)
	c := &EarlyStoppingCallback{
		Out: os.Stdout, Warn: os.Stderr,
		mon:      newMonitor(cls, o),
		patience: o.patience, verbose: o.verbose, baseline: o.baseline,
		restoreBestWeights: o.restoreBestWeights, startFromEpoch: o.startFromEpoch,
	}
	var errs []error
	errs = append(errs, checkTaken(cls, o, "Monitor", "MinDelta", "Patience", "Verbose", "Mode",
		"Baseline", "RestoreBestWeights", "StartFromEpoch"), checkCommon(cls, o))
	if o.startFromEpoch < 0 {
		errs = append(errs, invalid(cls, "StartFromEpoch(%d) must not be negative", o.startFromEpoch))
	}
	c.err = errors.Join(errs...)
	return c
}

// Err returns the problem with the options given, if any; Fit returns it too.
func (c *EarlyStoppingCallback) Err() error { return c.err }

// StoppedEpoch returns the epoch at which this callback stopped training, or 0 if it did not
// (as Keras's stopped_epoch).
func (c *EarlyStoppingCallback) StoppedEpoch() int { return c.stoppedEpoch }

// BestEpoch returns the epoch of the best monitored value seen so far (0 before any).
func (c *EarlyStoppingCallback) BestEpoch() int { return c.bestEpoch }

// Best returns the best monitored value seen in this training run; ok is false before any.
func (c *EarlyStoppingCallback) Best() (v float64, ok bool) {
	if c.best == nil {
		return 0, false
	}
	return *c.best, true
}

// Wait returns the number of epochs since the last improvement (Keras's wait counter).
func (c *EarlyStoppingCallback) Wait() int { return c.wait }

// OnTrainBegin resets the state, so one callback can serve several Fit calls.
func (c *EarlyStoppingCallback) OnTrainBegin(keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	c.wait, c.stoppedEpoch, c.best, c.bestWeights, c.bestEpoch = 0, 0, nil, nil, 0
	return nil
}

// OnEpochEnd applies Keras 3's algorithm to the monitored value.
func (c *EarlyStoppingCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	if err := c.mon.resolve(c.Model()); err != nil {
		return err
	}
	current, ok := logs[c.mon.name]
	if !ok {
		c.warned.warn(c.Warn, fmt.Sprintf("Early stopping conditioned on metric `%s` which is not available. Available metrics are: %s", c.mon.name, available(logs)))
		return nil
	}
	if epoch < c.startFromEpoch {
		return nil
	}
	if c.restoreBestWeights && c.bestWeights == nil {
		// The first watched epoch is the best so far, improvement or not.
		c.bestWeights, c.bestEpoch = c.copyWeights(), epoch
	}
	c.wait++
	if c.mon.improved(current, c.best) {
		c.best, c.bestEpoch = ptr(current), epoch
		if c.restoreBestWeights {
			c.bestWeights = c.copyWeights()
		}
		// The wait restarts only when the value beats the baseline too.
		if c.baseline == nil || c.mon.improved(current, c.baseline) {
			c.wait = 0
		}
		return nil
	}
	if c.wait >= c.patience && epoch > 0 {
		c.stoppedEpoch = epoch
		if m := c.Model(); m != nil {
			m.SetStopTraining(true)
		}
	}
	return nil
}

// OnTrainEnd prints the Verbose messages and restores the best weights when asked to.
func (c *EarlyStoppingCallback) OnTrainEnd(keras.Logs) error {
	if c.err != nil {
		return nil // reported by OnTrainBegin
	}
	if c.stoppedEpoch > 0 && c.verbose > 0 {
		fmt.Fprintf(c.Out, "Epoch %d: early stopping\n", c.stoppedEpoch+1)
	}
	if c.restoreBestWeights && c.bestWeights != nil {
		if c.verbose > 0 {
			fmt.Fprintf(c.Out, "Restoring model weights from the end of the best epoch: %d.\n", c.bestEpoch+1)
		}
		if err := c.Model().SetWeights(c.bestWeights); err != nil {
			return &Error{Callback: "EarlyStopping", Err: fmt.Errorf("restoring the weights of epoch %d: %w", c.bestEpoch+1, err)}
		}
	}
	return nil
}

// copyWeights returns a copy of the model's weights (Model.Weights returns copies).
func (c *EarlyStoppingCallback) copyWeights() []*tensor.Dense {
	m := c.Model()
	if m == nil {
		return nil
	}
	return m.Weights()
}
