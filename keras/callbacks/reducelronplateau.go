package callbacks

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/kerago/kerago/keras"
)

// ReduceLROnPlateauCallback lowers the learning rate when a monitored quantity has stopped
// improving. Make one with [ReduceLROnPlateau].
type ReduceLROnPlateauCallback struct {
	keras.BaseCallback
	// Out receives the Verbose messages (default os.Stdout).
	Out io.Writer
	// Warn receives warnings, such as a monitored value missing from the logs (default
	// os.Stderr; nil silences them).
	Warn io.Writer

	err      error
	mon      monitor
	factor   float64
	patience int
	verbose  int
	cooldown int
	minLR    float64

	best            *float64
	wait            int
	cooldownCounter int
	warned          warner
}

var _ keras.Callback = (*ReduceLROnPlateauCallback)(nil)

// ReduceLROnPlateau returns Keras 3's ReduceLROnPlateau callback: when the monitored value
// has not improved for Patience epochs, the learning rate is multiplied by Factor (never
// below MinLR), then the callback rests for Cooldown epochs. Every epoch it adds the learning
// rate in use during the epoch to the logs as "learning_rate", so History records it.
//
// Options and defaults: [Monitor] ("val_loss"), [Factor] (0.1; must be below 1), [Patience]
// (10), [Verbose] (0), [Mode] ("auto", as [EarlyStopping] decides it), [MinDelta] (1e-4),
// [Cooldown] (0) and [MinLR] (0). A learning rate already at MinLR (compared in float32, as
// Keras stores it) is left alone and does not restart the cooldown.
func ReduceLROnPlateau(opts ...Option) *ReduceLROnPlateauCallback {
	const cls = "ReduceLROnPlateau"
	o := (&options{monitor: "val_loss", mode: "auto", factor: 0.1, patience: 10, minDelta: 1e-4}).apply(opts)
	c := &ReduceLROnPlateauCallback{
		Out: os.Stdout, Warn: os.Stderr,
		mon: newMonitor(cls, o), factor: o.factor, patience: o.patience, verbose: o.verbose,
		cooldown: o.cooldown, minLR: o.minLR,
	}
	errs := []error{checkTaken(cls, o, "Monitor", "Factor", "Patience", "Verbose", "Mode", "MinDelta",
		"Cooldown", "MinLR"), checkCommon(cls, o)}
	if !(o.factor < 1) {
		errs = append(errs, invalid(cls, "Factor(%v): a factor >= 1.0 is not supported (the rate must go down)", o.factor))
	} else if o.factor < 0 {
		errs = append(errs, invalid(cls, "Factor(%v) must not be negative", o.factor))
	}
	if o.cooldown < 0 {
		errs = append(errs, invalid(cls, "Cooldown(%d) must not be negative", o.cooldown))
	}
	if !(o.minLR >= 0) || math.IsInf(o.minLR, 0) {
		errs = append(errs, invalid(cls, "MinLR(%v) must be a finite number >= 0", o.minLR))
	}
	c.err = errors.Join(errs...)
	return c
}

// Err returns the problem with the options given, if any; Fit returns it too.
func (c *ReduceLROnPlateauCallback) Err() error { return c.err }

// OnTrainBegin resets the best value, the wait and the cooldown.
func (c *ReduceLROnPlateauCallback) OnTrainBegin(keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	c.best, c.wait, c.cooldownCounter = nil, 0, 0
	return nil
}

// OnEpochEnd logs the learning rate and applies Keras 3's algorithm.
func (c *ReduceLROnPlateauCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	m := c.Model()
	if err := c.mon.resolve(m); err != nil {
		return err
	}
	opt := optimizerOf(m)
	if opt == nil {
		return &Error{Callback: "ReduceLROnPlateau", Err: fmt.Errorf("%w: the model has no optimizer (call Compile first)", keras.ErrNotCompiled)}
	}
	if logs != nil {
		logs["learning_rate"] = opt.LearningRate()
	}
	current, ok := logs[c.mon.name]
	if !ok {
		c.warned.warn(c.Warn, fmt.Sprintf("Learning rate reduction is conditioned on metric `%s` which is not available. Available metrics are: %s.", c.mon.name, available(logs)))
		return nil
	}
	if c.cooldownCounter > 0 {
		c.cooldownCounter--
		c.wait = 0
	}
	switch {
	case c.mon.improved(current, c.best):
		c.best, c.wait = ptr(current), 0
	case c.cooldownCounter <= 0:
		c.wait++
		if c.wait >= c.patience {
			old := opt.LearningRate()
			if float32(old) > float32(c.minLR) {
				lr := math.Max(old*c.factor, c.minLR)
				opt.SetLearningRate(lr)
				if c.verbose > 0 {
					fmt.Fprintf(c.Out, "\nEpoch %d: ReduceLROnPlateau reducing learning rate to %s.\n", epoch+1, pyRepr(lr))
				}
				c.cooldownCounter, c.wait = c.cooldown, 0
			}
		}
	}
	return nil
}

// optimizerOf returns the model's optimizer, or nil.
func optimizerOf(m *keras.Model) interface {
	LearningRate() float64
	SetLearningRate(float64)
} {
	if m == nil {
		return nil
	}
	if o := m.Optimizer(); o != nil {
		return o
	}
	return nil
}
